import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, refersTo } from "../resource";

const hasKey = (v: unknown) => typeof v === "string" && v !== "";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const SSE_ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

/** Per type, the check that its data at rest is encrypted with a customer-managed key. */
const CUSTOMER_KEY_CHECKS: Record<string, (p: Record<string, unknown>) => string | undefined> = {
  "aws:rds/cluster:Cluster": (p) =>
    p["storageEncrypted"] !== true || !hasKey(p["kmsKeyId"])
      ? "storageEncrypted must be true with kmsKeyId set to a customer-managed key."
      : undefined,
  "aws:rds/instance:Instance": (p) =>
    p["storageEncrypted"] !== true || !hasKey(p["kmsKeyId"])
      ? "storageEncrypted must be true with kmsKeyId set to a customer-managed key."
      : undefined,
  "aws:dynamodb/table:Table": (p) => {
    const sse = isObject(p["serverSideEncryption"]) ? p["serverSideEncryption"] : {};
    return sse["enabled"] !== true || !hasKey(sse["kmsKeyArn"])
      ? "serverSideEncryption must be enabled with kmsKeyArn set to a customer-managed key (the default is an AWS-owned key)."
      : undefined;
  },
  "aws:ecr/repository:Repository": (p) => {
    const config = objects(p["encryptionConfigurations"])[0] ?? {};
    return config["encryptionType"] !== "KMS" || !hasKey(config["kmsKey"])
      ? "encryptionConfigurations must be KMS with kmsKey set to a customer-managed key (the default is AES256; KMS without kmsKey is the AWS-managed aws/ecr key)."
      : undefined;
  },
  "aws:secretsmanager/secret:Secret": (p) =>
    !hasKey(p["kmsKeyId"])
      ? "kmsKeyId must be a customer-managed key (the default is the AWS-managed aws/secretsmanager key)."
      : undefined,
};

export const customerKeyEncryption: ResourceRule = {
  kind: "resource",
  name: "encryption-customer-key",
  description:
    "Aurora clusters, RDS instances, DynamoDB tables, ECR repositories and Secrets Manager secrets are encrypted with a customer-managed KMS key (R6–R8), so access to the data also needs the key and the key can be revoked. Log groups: see log-group-retention-kms.",
  enforcementLevel: "mandatory",
  validate(r) {
    const problem = CUSTOMER_KEY_CHECKS[r.type]?.(r.props);
    return problem ? [problem] : [];
  },
};

export const kmsKeyRotation: ResourceRule = {
  kind: "resource",
  name: "kms-key-rotation",
  description:
    "Every symmetric customer-managed KMS key rotates yearly (R6), limiting what one leaked key version can decrypt.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:kms/key:Key") return [];
    const spec = r.props["customerMasterKeySpec"] ?? r.props["keySpec"] ?? "SYMMETRIC_DEFAULT";
    // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot enable rotation.
    if (spec !== "SYMMETRIC_DEFAULT") return [];
    return r.props["enableKeyRotation"] === true ? [] : ["enableKeyRotation must be true."];
  },
};

function encryptionOf(bucket: PolicyResource, resources: PolicyResource[]): boolean {
  const algorithms = (rules: unknown) =>
    objects(rules).map((rule) =>
      isObject(rule["applyServerSideEncryptionByDefault"])
        ? rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        : undefined,
    );
  const inline = isObject(bucket.props["serverSideEncryptionConfiguration"])
    ? algorithms(bucket.props["serverSideEncryptionConfiguration"]["rule"])
    : [];
  const separate = ofType(resources, ...SSE_TYPES)
    .filter((sse) => refersTo(sse, "bucket", bucket))
    .flatMap((sse) => algorithms(sse.props["rules"]));
  return [...inline, ...separate].some((a) => typeof a === "string" && SSE_ALGORITHMS.includes(a));
}

export const s3BucketEncryption: StackRule = {
  kind: "stack",
  name: "s3-bucket-encryption",
  description:
    "Every S3 bucket has a server-side encryption configuration (SSE-KMS, or SSE-S3 where the writer cannot use KMS, e.g. ALB access logs), declared in the stack rather than left to the account default.",
  enforcementLevel: "mandatory",
  validate(resources) {
    return ofType(resources, ...BUCKET_TYPES)
      .filter((bucket) => !encryptionOf(bucket, resources))
      .map((resource) => ({
        resource,
        message: "no BucketServerSideEncryptionConfiguration (aws:kms or AES256) for this bucket in the stack.",
      }));
  },
};
