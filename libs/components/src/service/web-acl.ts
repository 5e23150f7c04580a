import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { bodyRuleOverrides, COMMON_RULE_SET, imageUploadException } from "../waf";

/** AWS managed rule groups on the ALB's ACL, in evaluation order. */
export const ALB_MANAGED_RULE_GROUPS: readonly string[] = [COMMON_RULE_SET, "AWSManagedRulesKnownBadInputsRuleSet"];

/** `aws-waf-logs-mlapi-alb-<suffix>`: WAF logs only to log groups with the aws-waf-logs- prefix. */
export function albWafLogGroupName(naming: Naming): string {
  return `aws-waf-logs-${naming.name("alb", "logGroup")}`;
}

export interface AlbWebAclArgs {
  /** Names the web ACL `mlapi-alb-<suffix>` (also the CloudWatch metric name prefix). */
  naming: Naming;
  /** ARN of the load balancer the ACL protects. */
  loadBalancerArn: pulumi.Input<string>;
  /** ARN of the log group WAF logs to; its name must start with `aws-waf-logs-`. */
  logGroupArn: pulumi.Input<string>;
}

/**
 * REGIONAL WAFv2 ACL on the ALB (R12): AWS's common and known-bad-inputs rule groups, with the
 * common set's body rules sparing image uploads to the classify paths (see `imageUploadException`).
 * No rate limit here: behind CloudFront the ALB sees CloudFront's addresses, and the client writes
 * X-Forwarded-For itself, so a per-client limit keyed on either is meaningless or evadable. The
 * per-IP limit and IP reputation live on the edge's CLOUDFRONT ACL, which sees the viewer's address.
 */
export class AlbWebAcl extends pulumi.ComponentResource {
  readonly webAcl: aws.wafv2.WebAcl;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlbWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:AlbWebAcl", name, {}, opts);
    const webAclName = args.naming.name("alb", "wafWebAcl");
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    // Priorities: 0 labels image uploads, 1-2 the managed groups, 3-5 block again what the body rules counted.
    const uploads = imageUploadException({
      aclName: webAclName,
      markerPriority: 0,
      reblockPriority: 1 + ALB_MANAGED_RULE_GROUPS.length,
    });
    const managed = ALB_MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: 1 + i,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ...(group === COMMON_RULE_SET ? { ruleActionOverrides: bodyRuleOverrides() } : {}),
        },
      },
      visibilityConfig: visibility(`${webAclName}-${group}`),
    }));

    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        name: webAclName,
        description: "API load balancer: AWS managed rules; image uploads pass the body rules",
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: [uploads.marker, ...managed, ...uploads.reblocks],
        visibilityConfig: visibility(webAclName),
      },
      { parent: this },
    );
    new aws.wafv2.WebAclAssociation(
      `${name}-association`,
      { resourceArn: args.loadBalancerArn, webAclArn: this.webAcl.arn },
      { parent: this },
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [args.logGroupArn],
        // Never log credentials the clients send.
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      },
      { parent: this },
    );
    this.arn = this.webAcl.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
