import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { EncryptedLogGroup } from "../logging";
import { CLOUDFRONT_REGION } from "./cloudfront-region";

/**
 * Prefix of every log group a vended-logs delivery writes to. CloudWatch Logs then admits the
 * delivery service through one account-wide resource policy entry for the whole prefix; a group
 * outside it gets a policy entry of its own, and the account's resource policies (5,120 characters
 * each) run out after a few stacks, failing the next stack's delivery.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html
 */
export const VENDED_LOGS_PREFIX = "/aws/vendedlogs/";

export interface CloudFrontAccessLogsArgs {
  /** ARN of the distribution whose access logs are delivered. */
  distributionArn: pulumi.Input<string>;
  /** Name of the delivery source and destination (1-60 letters, digits, `-`, `_`). */
  deliveryName: string;
  /** Log group the logs land in, named `/aws/vendedlogs/…`; must be one the key admits. */
  logGroupName: string;
  /** Key for the log group (see LogsKey; a us-east-1 key, like the group). */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Format of each record: `json`, `plain`, `w3c` or `raw`.
   * @default "json"
   */
  outputFormat?: "json" | "plain" | "w3c" | "raw";
  /**
   * Region of the group and the delivery: CloudFront's delivery sources exist only in us-east-1.
   * @default "us-east-1"
   */
  region?: string;
}

/**
 * CloudFront standard access logs (v2) to an encrypted 30-day CloudWatch log group, through
 * CloudWatch Logs' log delivery: a source (the distribution), a destination (the group) and the
 * delivery between them. CloudFront's delivery sources exist only in us-east-1, so the log group
 * and these resources are created there with the per-resource `region` input, by the stack's own
 * provider (its key must be a us-east-1 key). CloudWatch Logs adds the resource
 * policy that lets the delivery service write to the group when the delivery is created.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
 */
export class CloudFrontAccessLogs extends pulumi.ComponentResource {
  readonly logGroup: EncryptedLogGroup;
  readonly source: aws.cloudwatch.LogDeliverySource;
  readonly destination: aws.cloudwatch.LogDeliveryDestination;
  readonly delivery: aws.cloudwatch.LogDelivery;

  constructor(name: string, args: CloudFrontAccessLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:CloudFrontAccessLogs", name, {}, opts);
    if (!args.logGroupName.startsWith(VENDED_LOGS_PREFIX)) {
      throw new Error(
        `CloudFrontAccessLogs ${name}: the log group must be named ${VENDED_LOGS_PREFIX}… (one shared resource policy entry), got "${args.logGroupName}"`,
      );
    }
    const region = args.region ?? CLOUDFRONT_REGION;
    this.logGroup = new EncryptedLogGroup(
      `${name}`,
      { name: args.logGroupName, kmsKeyArn: args.kmsKeyArn, region },
      { parent: this },
    );
    this.source = new aws.cloudwatch.LogDeliverySource(
      `${name}-source`,
      { name: args.deliveryName, logType: "ACCESS_LOGS", resourceArn: args.distributionArn, region },
      { parent: this },
    );
    this.destination = new aws.cloudwatch.LogDeliveryDestination(
      `${name}-destination`,
      {
        name: args.deliveryName,
        outputFormat: args.outputFormat ?? "json",
        deliveryDestinationConfiguration: { destinationResourceArn: this.logGroup.arn },
        region,
      },
      { parent: this },
    );
    this.delivery = new aws.cloudwatch.LogDelivery(
      `${name}-delivery`,
      { deliverySourceName: this.source.name, deliveryDestinationArn: this.destination.arn, region },
      { parent: this },
    );
    this.registerOutputs({ logGroupName: this.logGroup.name });
  }
}
