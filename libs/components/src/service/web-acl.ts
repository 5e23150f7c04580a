import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** AWS managed rule groups on the ALB's ACL, in evaluation order. */
export const ALB_MANAGED_RULE_GROUPS: readonly string[] = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/**
 * Managed rules switched to count: the common rule set blocks request bodies over 8 KB
 * (SizeRestrictions_BODY), and the API's whole job is receiving images in the body. The app
 * enforces its own byte and pixel limits (413), so the rule only logs.
 */
export const COUNT_ONLY_RULES: Readonly<Record<string, readonly string[]>> = {
  AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"],
};

/** Header CloudFront puts the viewer's address in; the rate rule keys on its first (client) entry. */
export const FORWARDED_IP_HEADER = "X-Forwarded-For";

export interface AlbWebAclArgs {
  /** Physical web ACL name (also the CloudWatch metric name prefix). */
  webAclName: string;
  /** ARN of the load balancer the ACL protects. */
  loadBalancerArn: pulumi.Input<string>;
  /** Requests per client address per 5 minutes before it is blocked. */
  rateLimit: number;
  /** ARN of the log group WAF logs to; its name must start with `aws-waf-logs-`. */
  logGroupArn: pulumi.Input<string>;
}

/**
 * REGIONAL WAFv2 ACL on the ALB (SPEC R12): AWS's common and known-bad-inputs rule groups, and a
 * rate limit keyed on X-Forwarded-For. Behind CloudFront the connection always comes from a
 * CloudFront address, so rules on the source IP (IP reputation, per-IP limits) belong on the edge's
 * CLOUDFRONT ACL; here only the forwarded client address means anything.
 */
export class AlbWebAcl extends pulumi.ComponentResource {
  readonly webAcl: aws.wafv2.WebAcl;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlbWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:AlbWebAcl", name, {}, opts);
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    const managed = ALB_MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ...(COUNT_ONLY_RULES[group] ? { ruleActionOverrides: COUNT_ONLY_RULES[group].map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
        },
      },
      visibilityConfig: visibility(`${args.webAclName}-${group}`),
    }));
    const rateLimit = {
      name: "rate-limit-forwarded-ip",
      priority: managed.length,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: args.rateLimit,
          aggregateKeyType: "FORWARDED_IP",
          // CloudFront always appends a valid viewer address; a first entry that is not an IP is forged: MATCH blocks it.
          forwardedIpConfig: { headerName: FORWARDED_IP_HEADER, fallbackBehavior: "MATCH" },
        },
      },
      visibilityConfig: visibility(`${args.webAclName}-rate-limit`),
    };

    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        name: args.webAclName,
        description: "API load balancer: AWS managed rules and a per-client rate limit",
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: [...managed, rateLimit],
        visibilityConfig: visibility(args.webAclName),
      },
      { parent: this },
    );
    new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: args.loadBalancerArn, webAclArn: this.webAcl.arn }, { parent: this });
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
