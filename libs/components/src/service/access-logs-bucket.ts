import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { denyInsecureTransport, keepBucketPrivate } from "../s3/private-bucket";
import { awsAccount } from "../logging";

/** The service principal ELB delivers access logs as in regions opened since August 2022 (and, today, in all of them). */
export const ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com";

export interface AccessLogsBucketArgs {
  /** Autonames the bucket `mlapi-alb-logs-<suffix>-<random>` (bucket names are global; the random tail keeps them unique). */
  naming: Naming;
  /**
   * Days before a log object expires.
   * @default 30
   */
  expirationDays?: number;
  /**
   * Key prefix the load balancer writes under.
   * @default "alb"
   */
  prefix?: string;
}

/**
 * The S3 bucket an ALB writes its access logs to: private, SSE-S3 (the only encryption ALB log
 * delivery supports), expiring after 30 days and force-destroyable (R19). The bucket policy
 * admits the ELB log-delivery service principal, plus the regional ELB account in the regions
 * that still deliver as that account; both write only under `<prefix>/AWSLogs/<this account>/`.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export class AccessLogsBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly prefix: string;
  /** The bucket policy; the load balancer must depend on it, or ELB's write test fails with Access Denied. */
  readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: AccessLogsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:AccessLogsBucket", name, {}, opts);
    this.prefix = args.prefix ?? "alb";
    const { accountId } = awsAccount(this);

    this.bucket = new aws.s3.Bucket(
      args.naming.autoname("mlapi-alb-logs", "s3Bucket"),
      { forceDestroy: true },
      { parent: this },
    );
    const bucket = this.bucket.id;
    const publicAccess = keepBucketPrivate(name, bucket, this);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: args.expirationDays ?? 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );

    // The legacy regional ELB account exists only in regions opened before August 2022; elsewhere the
    // lookup fails and the service-principal statement alone is what AWS documents.
    const elbAccountArn: Promise<string | undefined> = aws.elb
      .getServiceAccount({}, { parent: this })
      .then((sa) => sa.arn)
      .catch(() => undefined);
    const objects = pulumi.interpolate`${this.bucket.arn}/${this.prefix}/AWSLogs/${accountId}/*`;
    const statements = pulumi.all([elbAccountArn, objects, this.bucket.arn]).apply(([elbArn, objectArn, bucketArn]) => [
      {
        Sid: "ElbLogDeliveryWrite",
        Effect: "Allow",
        Principal: { Service: ELB_LOG_DELIVERY_PRINCIPAL },
        Action: "s3:PutObject",
        Resource: objectArn,
      },
      ...(elbArn
        ? [
            {
              Sid: "ElbRegionalAccountWrite",
              Effect: "Allow",
              Principal: { AWS: elbArn },
              Action: "s3:PutObject",
              Resource: objectArn,
            },
          ]
        : []),
      denyInsecureTransport(bucketArn),
    ]);
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
      // S3 rejects a policy while the public-access block is being written.
      { parent: this, dependsOn: [publicAccess] },
    );
    this.bucketName = this.bucket.bucket;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
