import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { accountAdministrationStatement, awsAccount } from "../logging";
import { subscriptionProtocol } from "./thresholds";

export interface AlarmTopicArgs {
  naming: Naming;
  /**
   * Base of the topic name and key alias: `mlapi-<baseName>-<suffix>`.
   * @default "alarms"
   */
  baseName?: string;
  /**
   * Email addresses and https:// endpoints notified of every ALARM and OK transition (validate them
   * with `readAlarmSubscriptions`). Email subscriptions stay pending until the recipient clicks the
   * confirmation link AWS sends.
   * @default []
   */
  subscriptions?: string[];
  /**
   * Days before a scheduled key deletion completes (R19).
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

const DEFAULTS = { baseName: "alarms", deletionWindowInDays: 7 } as const;

/** Actions the default SNS topic policy grants the owning account; kept so the account can still manage the topic. */
const OWNER_TOPIC_ACTIONS = [
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
  "sns:Subscribe",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
];

/**
 * The notification topic every alarm of a region publishes to, encrypted with its own customer
 * key. CloudWatch can only publish to an encrypted topic whose key policy admits the CloudWatch
 * service principal (the AWS-managed `alias/aws/sns` key does not, and alarms then fail silently),
 * so the key admits `cloudwatch.amazonaws.com` for alarms of this account and region only.
 * See https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
 */
export class AlarmTopic extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly topic: aws.sns.Topic;
  readonly subscriptions: aws.sns.TopicSubscription[];
  readonly topicArn: pulumi.Output<string>;
  readonly topicName: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:monitoring:AlarmTopic", name, {}, opts);
    const baseName = args.baseName ?? DEFAULTS.baseName;
    const topicName = args.naming.name(baseName, "snsTopic");
    const { accountId, region, partition } = awsAccount(this, args.region);
    // Confused-deputy guard: CloudWatch acts for alarms of this account and region only.
    const fromThisAccountsAlarms = {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
    };

    // --- key: account administers it, CloudWatch alarms may encrypt messages for the topic ---
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Alarm notifications topic ${topicName}`,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? DEFAULTS.deletionWindowInDays,
        region: args.region,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            accountAdministrationStatement({ accountId, partition }),
            {
              Sid: "CloudWatchAlarmsPublishEncrypted",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
              Resource: "*",
              Condition: fromThisAccountsAlarms,
            },
          ],
        }),
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${topicName}`, targetKeyId: this.key.keyId, region: args.region },
      { parent: this },
    );

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      {
        name: topicName,
        displayName: `mlapi alarms ${args.naming.suffix}`,
        kmsMasterKeyId: this.key.arn,
        region: args.region,
      },
      { parent: this },
    );

    // --- topic policy: the account manages it, CloudWatch alarms publish, only over TLS ---
    new aws.sns.TopicPolicy(
      `${name}-policy`,
      {
        arn: this.topic.arn,
        region: args.region,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AccountManagesTopic",
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
              Action: OWNER_TOPIC_ACTIONS,
              Resource: this.topic.arn,
            },
            {
              Sid: "CloudWatchAlarmsPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: this.topic.arn,
              Condition: fromThisAccountsAlarms,
            },
            {
              Sid: "DenyPublishWithoutTls",
              Effect: "Deny",
              Principal: "*",
              Action: "sns:Publish",
              Resource: this.topic.arn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      { parent: this },
    );

    // Logical names follow the endpoint, not its position, so reordering the list changes nothing.
    this.subscriptions = (args.subscriptions ?? []).map(
      (endpoint) =>
        new aws.sns.TopicSubscription(
          `${name}-sub-${createHash("sha256").update(endpoint.toLowerCase()).digest("hex").slice(0, 8)}`,
          { topic: this.topic.arn, protocol: subscriptionProtocol(endpoint), endpoint, region: args.region },
          { parent: this },
        ),
    );

    this.topicArn = this.topic.arn;
    this.topicName = this.topic.name;
    this.keyArn = this.key.arn;
    this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
  }
}
