import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { EncryptedLogGroup } from "../logging";
import {
  BATCH_UPLOAD,
  batchPathStatement,
  batchRateLimitFor,
  bodyRuleOverrides,
  COMMON_RULE_SET,
  imageUploadException,
  rateLimitedAction,
  rateLimitedBody,
  retryAfterSecondsFor,
} from "../waf";
import { CLOUDFRONT_REGION } from "./cloudfront-region";

/** AWS WAF requires the names of log groups it writes to to start with this. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

export interface CloudFrontWebAclArgs {
  /** Physical name of the web ACL; must carry the environment suffix. */
  name: string;
  /** Log group for the WAF logs; must start with `aws-waf-logs-` (see {@link WAF_LOG_GROUP_PREFIX}). */
  logGroupName: string;
  /** Key for the log group (see LogsKey; a us-east-1 key, like the group). */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Requests one client IP may make per evaluation window before it is blocked.
   * @default CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimit
   */
  rateLimit?: number;
  /**
   * Length of the rate-limit window in seconds: 60, 120, 300 or 600.
   * @default CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimitWindowSeconds
   */
  rateLimitWindowSeconds?: 60 | 120 | 300 | 600;
  /**
   * Batch requests (`/api/v2/classify/batch`, up to 16 images each) one client IP may make per
   * window before it is blocked; counted on top of (and also by) the general limit.
   * @default batchRateLimitFor(rateLimit): the same images per window as the general limit
   */
  batchRateLimit?: number;
  /**
   * Region of the ACL and its log group (per-resource `region`): CLOUDFRONT scope exists only in us-east-1.
   * @default "us-east-1"
   */
  region?: string;
}

/**
 * Defaults of the optional arguments, in one place; the edge layer's config reads them. batchRateLimit
 * 125 = 2000 / 16: a client sending full batches gets the images per window the general limit allows
 * in single-image requests, rather than 16 times as many.
 */
export const CLOUDFRONT_WEB_ACL_DEFAULTS = {
  rateLimit: 2000,
  rateLimitWindowSeconds: 300 as const,
  batchRateLimit: batchRateLimitFor(2000),
};

/** The rule names, in priority order, so tests and dashboards need no loose strings. */
export const EDGE_WAF_RULES = {
  ipReputation: "aws-ip-reputation",
  commonRuleSet: "aws-common-rule-set",
  rateLimit: "per-ip-rate-limit",
  batchRateLimit: "per-ip-batch-rate-limit",
} as const;

/** Keys of the web ACL's custom response bodies, one per rate rule (`customResponseBodyKey`). */
export const EDGE_WAF_RESPONSE_BODIES = {
  rateLimited: "rate-limited",
  batchRateLimited: "batch-rate-limited",
} as const;

/**
 * A CLOUDFRONT-scope WAFv2 web ACL (R16): Amazon's IP-reputation list, the common rule set
 * (its body rules sparing image uploads to the classify paths, see `imageUploadException`), a
 * rate limit per client IP and a lower one for batch requests per client IP — at the edge the source address is the real client, unlike
 * on the ALB behind CloudFront. Both rate rules answer 429 with `Retry-After` and a JSON body in the
 * API's error shape (`rateLimitedAction`); the distribution replaces only 403 and 404, so the 429 reaches the
 * client as the WAF wrote it. Metrics and sampled requests on; logs to an encrypted 30-day
 * `aws-waf-logs-…` group with the Authorization header redacted. Attach it through the
 * distribution's `webAclId`. CLOUDFRONT scope exists only in us-east-1, where the resources are
 * placed with the per-resource `region` input (the stack's provider creates them).
 */
export class CloudFrontWebAcl extends pulumi.ComponentResource {
  readonly webAcl: aws.wafv2.WebAcl;
  readonly logGroup: EncryptedLogGroup;
  readonly arn: pulumi.Output<string>;
  /** `visibilityConfig.metricName` of the web ACL: the WebACL dimension of its CloudWatch metrics. */
  readonly metricName: string;

  constructor(name: string, args: CloudFrontWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:CloudFrontWebAcl", name, {}, opts);
    if (!args.logGroupName.startsWith(WAF_LOG_GROUP_PREFIX)) {
      throw new Error(
        `CloudFrontWebAcl ${name}: WAF only logs to groups named ${WAF_LOG_GROUP_PREFIX}…, got "${args.logGroupName}"`,
      );
    }
    const rateLimit = args.rateLimit ?? CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimit;
    const batchRateLimit = args.batchRateLimit ?? batchRateLimitFor(rateLimit);
    if (batchRateLimit > rateLimit)
      throw new Error(`CloudFrontWebAcl ${name}: batchRateLimit ${batchRateLimit} exceeds rateLimit ${rateLimit}`);
    const window = args.rateLimitWindowSeconds ?? CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimitWindowSeconds;
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managedGroup = (priority: number, ruleName: string, groupName: string) => ({
      name: ruleName,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: groupName,
          ruleActionOverrides: groupName === COMMON_RULE_SET ? bodyRuleOverrides() : undefined,
        },
      },
      visibilityConfig: visibility(`${args.name}-${ruleName}`),
    });
    // Priorities: 0 IP reputation, 1 labels image uploads, 2 the common rule set, 3-5 block again what
    // its body rules counted, 6 the per-IP rate limit, 7 the per-IP batch rate limit. Both limits are
    // plain rate rules on the connection's IP; neither reads the image-upload label.
    const retryAfter = retryAfterSecondsFor(window);
    const uploads = imageUploadException({ aclName: args.name, markerPriority: 1, reblockPriority: 3 });

    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-web-acl`,
      {
        name: args.name,
        description: "Edge protection of the ML API: IP reputation, common exploits, per-IP rate limits",
        scope: "CLOUDFRONT",
        region: args.region ?? CLOUDFRONT_REGION,
        defaultAction: { allow: {} },
        customResponseBodies: [
          rateLimitedBody(
            EDGE_WAF_RESPONSE_BODIES.rateLimited,
            `Too many requests from this IP address: the limit is about ${rateLimit} requests per ${window} seconds. ` +
              "Wait the number of seconds in the Retry-After header, then retry at a lower rate.",
          ),
          rateLimitedBody(
            EDGE_WAF_RESPONSE_BODIES.batchRateLimited,
            `Too many batch requests (${BATCH_UPLOAD.path}, up to ${BATCH_UPLOAD.maxImages} images each) from this IP address: ` +
              `the limit is about ${batchRateLimit} per ${window} seconds. ` +
              "Wait the number of seconds in the Retry-After header, then retry at a lower rate.",
          ),
        ],
        rules: [
          managedGroup(0, EDGE_WAF_RULES.ipReputation, "AWSManagedRulesAmazonIpReputationList"),
          uploads.marker,
          managedGroup(2, EDGE_WAF_RULES.commonRuleSet, COMMON_RULE_SET),
          ...uploads.reblocks,
          {
            name: EDGE_WAF_RULES.rateLimit,
            priority: 3 + uploads.reblocks.length,
            action: rateLimitedAction(EDGE_WAF_RESPONSE_BODIES.rateLimited, retryAfter),
            statement: {
              rateBasedStatement: { aggregateKeyType: "IP", limit: rateLimit, evaluationWindowSec: window },
            },
            visibilityConfig: visibility(`${args.name}-${EDGE_WAF_RULES.rateLimit}`),
          },
          {
            // Counts only batch requests of an IP (the scope-down), so its lower limit leaves single images alone.
            name: EDGE_WAF_RULES.batchRateLimit,
            priority: 4 + uploads.reblocks.length,
            action: rateLimitedAction(EDGE_WAF_RESPONSE_BODIES.batchRateLimited, retryAfter),
            statement: {
              rateBasedStatement: {
                aggregateKeyType: "IP",
                limit: batchRateLimit,
                evaluationWindowSec: window,
                scopeDownStatement: batchPathStatement(),
              },
            },
            visibilityConfig: visibility(`${args.name}-${EDGE_WAF_RULES.batchRateLimit}`),
          },
        ],
        visibilityConfig: visibility(args.name),
      },
      { parent: this },
    );

    this.logGroup = new EncryptedLogGroup(
      `${name}-logs`,
      { name: args.logGroupName, kmsKeyArn: args.kmsKeyArn, region: args.region ?? CLOUDFRONT_REGION },
      { parent: this },
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [this.logGroup.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
        region: args.region ?? CLOUDFRONT_REGION,
      },
      { parent: this },
    );
    this.arn = this.webAcl.arn;
    this.metricName = args.name;
    this.registerOutputs({ arn: this.arn });
  }
}
