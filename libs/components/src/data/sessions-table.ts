import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** Defaults of every optional argument, in one place. */
export const SESSIONS_TABLE_DEFAULTS = {
  partitionKey: "sessionId",
  ttlAttribute: "expiresAt",
  deletionProtection: false,
} as const;

export interface SessionsTableArgs {
  /** Physical table name; must carry the environment suffix (R18). */
  name: string;
  /** Customer-managed key for server-side encryption (see DataKey). */
  kmsKeyArn: pulumi.Input<string>;
  /** String partition key. @default "sessionId" */
  partitionKey?: string;
  /** Number attribute (epoch seconds) after which DynamoDB deletes the item. @default "expiresAt" */
  ttlAttribute?: string;
  /** DynamoDB refuses to delete the table while on (the production profile). @default false (R19) */
  deletionProtection?: boolean;
}

/**
 * The API's session store (R8): on-demand billing, items expire through TTL, point-in-time
 * recovery on, encrypted with the customer key, and deletable with its stack (R19) unless
 * `deletionProtection` is on.
 */
export class SessionsTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: SessionsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:data:SessionsTable", name, {}, opts);
    const partitionKey = args.partitionKey ?? SESSIONS_TABLE_DEFAULTS.partitionKey;
    const ttlAttribute = args.ttlAttribute ?? SESSIONS_TABLE_DEFAULTS.ttlAttribute;
    if (partitionKey === ttlAttribute)
      throw new Error(`SessionsTable ${name}: the TTL attribute must not be the partition key (${partitionKey})`);

    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.name,
        billingMode: "PAY_PER_REQUEST",
        hashKey: partitionKey,
        // Only key attributes are declared; expiresAt is an ordinary item attribute.
        attributes: [{ name: partitionKey, type: "S" }],
        ttl: { attributeName: ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        deletionProtectionEnabled: args.deletionProtection ?? SESSIONS_TABLE_DEFAULTS.deletionProtection,
      },
      { parent: this },
    );
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
