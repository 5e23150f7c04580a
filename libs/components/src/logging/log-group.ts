import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** R14: every log group keeps 30 days. */
export const LOG_RETENTION_DAYS = 30;

export interface EncryptedLogGroupArgs {
  /** Physical name; must carry the environment suffix (R14). */
  name: pulumi.Input<string>;
  /** Customer-managed key whose policy admits CloudWatch Logs for this group (see LogsKey). */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Region of the component's resources, through pulumi-aws 7's per-resource `region` input (the
   * stack's provider, with all its `aws:` config, creates them there).
   * @default the provider's region (the stack's)
   */
  region?: string;
}

/** A CloudWatch log group with the platform's fixed retention and a customer-managed key. */
export class EncryptedLogGroup extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EncryptedLogGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:logging:EncryptedLogGroup", name, {}, opts);
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-log-group`,
      { name: args.name, retentionInDays: LOG_RETENTION_DAYS, kmsKeyId: args.kmsKeyArn, region: args.region },
      { parent: this },
    );
    this.name = this.logGroup.name;
    this.arn = this.logGroup.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
