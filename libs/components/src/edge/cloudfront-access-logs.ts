import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { EncryptedLogGroup } from "../logging";

export interface CloudFrontAccessLogsArgs {
  /** ARN of the distribution whose access logs are delivered. */
  distributionArn: pulumi.Input<string>;
  /** Name of the delivery source and destination (1-60 letters, digits, `-`, `_`). */
  deliveryName: string;
  /** Log group the logs land in; must be one the key admits. */
  logGroupName: string;
  /** Key for the log group (see LogsKey; a us-east-1 key, like the group). */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Format of each record: `json`, `plain`, `w3c` or `raw`.
   * @default "json"
   */
  outputFormat?: "json" | "plain" | "w3c" | "raw";
}

/**
 * CloudFront standard access logs (v2) to an encrypted 30-day CloudWatch log group, through
 * CloudWatch Logs' log delivery: a source (the distribution), a destination (the group) and the
 * delivery between them. CloudFront's delivery sources exist only in us-east-1, so the log group,
 * its key and these resources use the us-east-1 provider. CloudWatch Logs adds the resource
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
    this.logGroup = new EncryptedLogGroup(`${name}`, { name: args.logGroupName, kmsKeyArn: args.kmsKeyArn }, { parent: this });
    this.source = new aws.cloudwatch.LogDeliverySource(
      `${name}-source`,
      { name: args.deliveryName, logType: "ACCESS_LOGS", resourceArn: args.distributionArn },
      { parent: this },
    );
    this.destination = new aws.cloudwatch.LogDeliveryDestination(
      `${name}-destination`,
      {
        name: args.deliveryName,
        outputFormat: args.outputFormat ?? "json",
        deliveryDestinationConfiguration: { destinationResourceArn: this.logGroup.arn },
      },
      { parent: this },
    );
    this.delivery = new aws.cloudwatch.LogDelivery(
      `${name}-delivery`,
      { deliverySourceName: this.source.name, deliveryDestinationArn: this.destination.arn },
      { parent: this },
    );
    this.registerOutputs({ logGroupName: this.logGroup.name });
  }
}
