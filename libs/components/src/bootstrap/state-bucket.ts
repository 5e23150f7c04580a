import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { denyInsecureTransport, keepBucketPrivate } from "../s3/private-bucket";
import { accountAdministrationStatement, awsAccount } from "../logging";

export interface StateBucketArgs {
  naming: Naming;
  /**
   * Days a replaced or deleted state file is kept as a noncurrent version before S3 expires it: the
   * window in which a corrupted checkpoint can still be restored (docs/operations.md).
   * @default 90
   */
  noncurrentVersionExpirationDays?: number;
  /**
   * Days before a scheduled deletion of the bucket's key completes. The maximum: losing this key
   * loses every state file encrypted with it.
   * @default 30
   */
  keyDeletionWindowInDays?: number;
}

const DEFAULTS = { noncurrentVersionExpirationDays: 90, keyDeletionWindowInDays: 30 };

/**
 * The S3 bucket the Pulumi DIY backend keeps every stack's state in (`pulumi login s3://<bucket>`),
 * named `mlapi-state-<account>-<region>-<suffix>` (bucket names are global) with its key aliased
 * `alias/mlapi-state-<suffix>`:
 * versioned so any earlier checkpoint can be restored, encrypted with its own customer-managed key
 * (S3 bucket keys on, so each object does not cost a KMS request), public access blocked, ACLs off,
 * reachable only over TLS, noncurrent versions expired after a configurable number of days.
 *
 * Unlike the layers' buckets it is not force-destroyable and is protected: destroying it would
 * destroy the record of every stack in the account (docs/policies.md, rule `destroyable`).
 */
export class StateBucket extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyAlias: aws.kms.Alias;
  readonly bucket: aws.s3.Bucket;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly policy: aws.s3.BucketPolicy;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  /** `s3://<bucket>?region=<region>`: what `pulumi login` takes. */
  readonly backendUrl: pulumi.Output<string>;

  constructor(name: string, args: StateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:StateBucket", name, {}, opts);
    const days = args.noncurrentVersionExpirationDays ?? DEFAULTS.noncurrentVersionExpirationDays;
    const window = args.keyDeletionWindowInDays ?? DEFAULTS.keyDeletionWindowInDays;
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`StateBucket ${name}: noncurrentVersionExpirationDays must be a whole number >= 1, got ${days}`);
    }
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new Error(
        `StateBucket ${name}: keyDeletionWindowInDays must be a whole number from 7 to 30, got ${window}`,
      );
    }
    const account = awsAccount(this);
    const keep = { parent: this, protect: true };

    // --- the bucket's own key: the account administers it; principals use it through S3 only ---
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "Pulumi state bucket of the mlapi platform",
        enableKeyRotation: true,
        deletionWindowInDays: window,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [accountAdministrationStatement(account)] }),
      },
      keep,
    );
    const aliasName = `alias/${args.naming.name("state")}`;
    this.keyAlias = new aws.kms.Alias(
      `${name}-key-alias`,
      { name: aliasName, targetKeyId: this.key.keyId },
      { parent: this },
    );

    const bucketName = pulumi
      .all([account.accountId, account.region])
      .apply(([a, r]) => args.naming.name(`state-${a}-${r}`, "s3Bucket"));
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: bucketName, forceDestroy: false }, keep);
    const bucket = this.bucket.id;
    this.publicAccessBlock = keepBucketPrivate(name, bucket, this);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      { parent: this },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    // A lifecycle rule on noncurrent versions needs versioning on first, or S3 accepts it and never applies it.
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-noncurrent-state",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: days },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [this.bucket.arn.apply(denyInsecureTransport)],
        }),
      },
      // S3 rejects a policy while the public-access block is being written.
      { parent: this, dependsOn: [this.publicAccessBlock] },
    );

    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.keyArn = this.key.arn;
    this.backendUrl = pulumi.interpolate`s3://${this.bucket.bucket}?region=${account.region}`;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      keyArn: this.keyArn,
      backendUrl: this.backendUrl,
    });
  }
}
