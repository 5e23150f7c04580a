import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { awsAccount } from "../logging";

/** The AWS services that encrypt the data stores with the data key, as `kms:ViaService` names them. */
export const DATA_KEY_SERVICES = ["rds", "dynamodb", "secretsmanager"] as const;
export type DataKeyService = (typeof DATA_KEY_SERVICES)[number];

/**
 * Key administration without the cryptographic operations: the account (and so IAM) can manage,
 * describe, tag and schedule deletion of the key, and keeps `kms:PutKeyPolicy` so that the key can
 * never become unmanageable, but it cannot encrypt or decrypt with it directly.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
] as const;

/** What RDS, DynamoDB and Secrets Manager do with a customer key on a caller's behalf. */
export const KEY_USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:CreateGrant",
  "kms:ListGrants",
  "kms:DescribeKey",
] as const;

export interface DataKeyArgs {
  /** Alias, e.g. `alias/mlapi-data-dev`. */
  aliasName: string;
  /** What the key protects, for the console. */
  description: string;
  /**
   * Services allowed to use the key on behalf of this account's principals.
   * @default ["rds", "dynamodb", "secretsmanager"]
   */
  services?: readonly DataKeyService[];
  /**
   * Days before a scheduled deletion completes (R19: 7 so a torn-down stack frees it quickly).
   * @default 7
   */
  deletionWindowInDays?: number;
}

/**
 * The customer-managed key of the data stores (R6–R8): Aurora storage and Performance
 * Insights, the RDS-managed master secret and the DynamoDB sessions table.
 *
 * The policy delegates administration to the account (IAM), and allows encrypt/decrypt only when
 * the request comes through one of the data services (`kms:ViaService`) for a principal of this
 * account — IAM still decides which principal (e.g. the service layer's task role). Nobody can
 * call `kms:Decrypt` on the key directly.
 *
 * CloudWatch Logs is deliberately not admitted here: the RDS log group gets its own LogsKey. Logs
 * use a key as the regional logs service principal itself (not via a caller), so admitting it would
 * add a service-principal grant to the key that protects the database; a separate key keeps this
 * policy caller-bound and lets log retention and key lifecycle differ from the data's.
 */
export class DataKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly alias: aws.kms.Alias;
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: DataKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:data:DataKey", name, {}, opts);
    const services = args.services ?? DATA_KEY_SERVICES;
    if (services.length === 0)
      throw new Error(`DataKey ${name}: services must name at least one of ${DATA_KEY_SERVICES.join(", ")}`);
    const { accountId, region, partition } = awsAccount(this);
    const accountRoot = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;

    const statements: pulumi.Input<Record<string, unknown>>[] = [
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: accountRoot },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "AccountUsesTheKeyThroughDataServices",
        Effect: "Allow",
        Principal: { AWS: accountRoot },
        Action: [...KEY_USE_ACTIONS],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:CallerAccount": accountId,
            "kms:ViaService": services.map((s) => pulumi.interpolate`${s}.${region}.amazonaws.com`),
          },
        },
      },
    ];
    if (services.includes("dynamodb")) {
      // DynamoDB checks the key's state on its own (not for a caller) to keep tables accessible;
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
      statements.push({
        Sid: "DynamoDBDescribesTheKey",
        Effect: "Allow",
        Principal: { Service: "dynamodb.amazonaws.com" },
        Action: ["kms:Describe*", "kms:Get*", "kms:List*"],
        Resource: "*",
      });
    }

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 7,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
      },
      { parent: this },
    );
    this.alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: args.aliasName, targetKeyId: this.key.keyId },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    this.keyId = this.key.keyId;
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
