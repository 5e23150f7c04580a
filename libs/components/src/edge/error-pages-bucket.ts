import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { keepBucketPrivate } from "../s3/private-bucket";
import { awsAccount } from "../logging";

/** One error document CloudFront serves in place of an error response. */
export interface ErrorDocument {
  /** HTTP status the document stands for (403, 404). */
  statusCode: number;
  /** Path of the file in the repository. */
  file: string;
}

export interface ErrorPagesBucketArgs {
  naming: Naming;
  /** The documents to upload, one per status code. */
  documents: ErrorDocument[];
  /**
   * Folder the documents live under, in the bucket and in viewer URLs (`/errors/404.json`).
   * @default "errors"
   */
  keyPrefix?: string;
  /**
   * Content type of the documents. API clients receive them as error bodies.
   * @default "application/json"
   */
  contentType?: string;
  /**
   * Cache-Control stored with the documents and sent to the client with the error, like every API
   * answer (apps/ml-api sends `no-store`): a block is per request, so no browser or proxy should replay
   * it. The edge still keeps the document for the `/errors/*` cache policy's minimum TTL, which
   * CloudFront applies even over `no-store`, so S3 is not read once per blocked request.
   * @default "no-store"
   */
  cacheControl?: string;
}

const DEFAULTS = { keyPrefix: "errors", contentType: "application/json", cacheControl: "no-store" };

/**
 * The private bucket the edge serves its error documents (403) from, plus the origin access control
 * CloudFront signs its requests with (R16). No public access, bucket-owner-enforced
 * ownership (ACLs off), versioned, force-destroyable (R19). Encrypted with SSE-S3: a
 * customer key would need a key policy naming the distribution while the distribution needs the
 * bucket, a dependency cycle; SSE-S3 needs no grant because S3 decrypts for any reader the bucket
 * policy admits. Who may read is decided by the bucket policy, which the distribution adds
 * (see ApiDistribution) because only it knows its own ARN.
 */
export class ErrorPagesBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly originAccessControl: aws.cloudfront.OriginAccessControl;
  readonly objects: aws.s3.BucketObjectv2[];
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly bucketRegionalDomainName: pulumi.Output<string>;
  /** Viewer path of each document by status code, e.g. `{ 404: "/errors/404.json" }`. */
  readonly pagePaths: Record<number, string>;
  readonly keyPrefix: string;

  constructor(name: string, args: ErrorPagesBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:ErrorPagesBucket", name, {}, opts);
    const keyPrefix = args.keyPrefix ?? DEFAULTS.keyPrefix;
    const codes = args.documents.map((d) => d.statusCode);
    if (new Set(codes).size !== codes.length)
      throw new Error(`ErrorPagesBucket ${name}: one document per status code, got ${codes.join(", ")}`);
    const { accountId, region } = awsAccount(this);

    // Bucket names are global: account and region make the name unique, the suffix ends it (R18).
    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      {
        bucket: pulumi.all([accountId, region]).apply(([a, r]) => args.naming.name(`errors-${a}-${r}`, "s3Bucket")),
        forceDestroy: true,
      },
      { parent: this },
    );
    this.publicAccessBlock = keepBucketPrivate(name, this.bucket.id, this, `${name}-public-access-block`);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );

    this.pagePaths = {};
    this.objects = args.documents.map((doc) => {
      const key = `${keyPrefix}/${doc.statusCode}.json`;
      this.pagePaths[doc.statusCode] = `/${key}`;
      return new aws.s3.BucketObjectv2(
        `${name}-${doc.statusCode}`,
        {
          bucket: this.bucket.id,
          key,
          source: new pulumi.asset.FileAsset(doc.file),
          contentType: args.contentType ?? DEFAULTS.contentType,
          cacheControl: args.cacheControl ?? DEFAULTS.cacheControl,
        },
        { parent: this },
      );
    });

    this.originAccessControl = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      {
        name: args.naming.name("error-pages", "originAccessControl"),
        description: "CloudFront reads the error documents, signing every request (SigV4)",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      { parent: this },
    );

    this.keyPrefix = keyPrefix;
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.bucketRegionalDomainName = this.bucket.bucketRegionalDomainName;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
