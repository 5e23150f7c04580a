import type * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * What keeps a bucket private whatever its ACLs and policies say: all four public access blocks on,
 * and object ownership enforced (ACLs disabled). Declared as children of `parent`, named
 * `publicAccessName` and `<name>-ownership`; returns the public access block, which a bucket policy
 * should depend on (S3 refuses a policy while the block is being applied).
 */
export function keepBucketPrivate(
  name: string,
  bucket: pulumi.Input<string>,
  parent: pulumi.Resource,
  publicAccessName = `${name}-public-access`,
): aws.s3.BucketPublicAccessBlock {
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    publicAccessName,
    { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
    { parent },
  );
  return publicAccessBlock;
}

/**
 * The statement every bucket policy here carries: no request over plain HTTP (S3 answers HTTP on its
 * endpoints unless a policy refuses it). Takes the resolved ARN: `bucket.arn.apply(denyInsecureTransport)`
 * inside a statement list, which pulumi.jsonStringify resolves.
 */
export function denyInsecureTransport(bucketArn: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
