import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { accountAdministrationStatement, awsAccount } from "./aws-account";

export interface LogsKeyArgs {
  /** Alias, e.g. `alias/mlapi-network-logs-dev`. */
  aliasName: string;
  /** Names of the log groups this key may encrypt; the key policy admits CloudWatch Logs for these only. */
  logGroupNames: pulumi.Input<string>[];
  /** What the key protects, for the console. */
  description: string;
  /**
   * Days before a scheduled deletion completes (R19: 7 so a torn-down stack frees it quickly).
   * @default 7
   */
  deletionWindowInDays?: number;
  /**
   * Region of the component's resources, through pulumi-aws 7's per-resource `region` input (the
   * stack's provider, with all its `aws:` config, creates them there).
   * @default the provider's region (the stack's)
   */
  region?: string;
}

/**
 * A customer-managed KMS key for CloudWatch log groups. CloudWatch Logs only uses a key whose
 * policy admits the regional logs principal; the grant is scoped by encryption context to the
 * named log groups, so the key cannot be used to encrypt any other group in the account.
 * See https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export class LogsKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly alias: aws.kms.Alias;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: LogsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:logging:LogsKey", name, {}, opts);
    const { accountId, region, partition } = awsAccount(this, args.region);
    const logGroupArns = pulumi
      .all([partition, region, accountId, pulumi.all(args.logGroupNames)])
      .apply(([p, r, a, names]) => names.map((n) => `arn:${p}:logs:${r}:${a}:log-group:${n}`));

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 7,
        region: args.region,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            accountAdministrationStatement({ accountId, partition }),
            {
              Sid: "CloudWatchLogsForTheseLogGroups",
              Effect: "Allow",
              Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
              Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
              Resource: "*",
              Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArns } },
            },
          ],
        }),
      },
      { parent: this },
    );
    this.alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: args.aliasName, targetKeyId: this.key.keyId, region: args.region },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
