import type { PolicyResource, ResourceRule } from "../resource";
import { read } from "../resource";
import { WORKLOAD_BOUNDARY_POLICY } from "./iam";

/** Inputs that hold a resource's own physical name (not a reference to another resource's). */
export const NAME_INPUTS = [
  "name",
  "bucket",
  "functionName",
  "tableName",
  "roleName",
  "clusterIdentifier",
  "identifier",
  "dashboardName",
  "alarmName",
] as const;

/** Name inputs that are a physical name only on some types (`family` is an engine family on RDS parameter groups). */
const NAME_INPUTS_BY_TYPE: Record<string, string[]> = {
  "aws:ecs/taskDefinition:TaskDefinition": ["family"],
};

/** Types whose name input is not a platform-chosen physical name, each with the reason. */
const EXEMPT: Record<string, string> = {
  // A DNS record's name is the customer's domain (api.example.com), fixed by DNS, not by us.
  "aws:route53/record:Record": "DNS name",
  // An inline policy's name is unique only within its role, whose own name carries the suffix.
  "aws:iam/rolePolicy:RolePolicy": "scoped to its role",
  // A bucket's encryption/public-access/policy/ownership resources name the bucket they configure
  // in `bucket` (a reference); the bucket itself is checked.
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "reference",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "reference",
  "aws:s3/bucketPolicy:BucketPolicy": "reference",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "reference",
  "aws:s3/bucketVersioning:BucketVersioning": "reference",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "reference",
  "aws:s3/bucketObject:BucketObject": "reference",
  "aws:s3/bucketObjectv2:BucketObjectv2": "reference",
  "aws:s3/bucketNotification:BucketNotification": "reference",
  "aws:s3/bucketAcl:BucketAcl": "reference",
  "aws:s3/bucketLogging:BucketLogging": "reference",
  // An ECR lifecycle/repository policy names its repository in `repository`; a cluster instance's
  // `identifier` is its own name and is checked.
};

/**
 * Names that are one per account by design, by type: the bootstrap's workload permissions boundary
 * (WORKLOAD_BOUNDARY_POLICY_NAME in libs/components), which every layer stack names as its roles'
 * boundary without knowing the bootstrap stack's suffix (projects/bootstrap/README.md).
 */
export const ACCOUNT_WIDE_NAMES: Record<string, readonly string[]> = {
  "aws:iam/policy:Policy": [WORKLOAD_BOUNDARY_POLICY],
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The suffix as a whole token: `mlapi-alb-dev`, `/mlapi/app-dev`, `mlapi-tg-dev-1a2b3c4`, not `mlapi-devices`. */
export const containsSuffix = (name: string, suffix: string) =>
  new RegExp(`(^|[^a-z0-9])${escape(suffix)}($|[^a-z0-9])`, "i").test(name);

/** Pulumi's autoname (logical name + "-" + 7 hex), as CrossGuard sees it; the offline plan has no name then. */
const isAutoname = (value: string, logicalName: string) =>
  new RegExp(`^${escape(logicalName)}-[0-9a-f]{7}$`, "i").test(value);

function physicalNames(r: PolicyResource): [string, string][] {
  const names: [string, string][] = [];
  for (const key of [...NAME_INPUTS, ...(NAME_INPUTS_BY_TYPE[r.type] ?? [])]) {
    // A name still unknown at preview is a reference to another resource (checked on its own).
    const value = read(r.props, key);
    if (typeof value === "string" && value !== "" && !isAutoname(value, r.name)) names.push([key, value]);
  }
  const tags = read(r.props, "tags");
  const nameTag =
    tags && typeof tags === "object" && !Array.isArray(tags) ? (tags as Record<string, unknown>)["Name"] : undefined;
  if (typeof nameTag === "string" && nameTag !== "") names.push(["tags.Name", nameTag]);
  return names;
}

export const namingSuffix: ResourceRule = {
  kind: "resource",
  name: "naming-suffix",
  description:
    "Every physical name (name, bucket, tableName, clusterIdentifier, family, … and the Name tag) carries the environment suffix (R18), so two environments never collide in one account.",
  enforcementLevel: "mandatory",
  validate(r, ctx) {
    if (!r.type.startsWith("aws:") || EXEMPT[r.type]) return [];
    return physicalNames(r)
      .filter(([, value]) => !containsSuffix(value, ctx.environmentSuffix))
      .filter(([key, value]) => !(key === "name" && ACCOUNT_WIDE_NAMES[r.type]?.includes(value)))
      .map(
        ([key, value]) =>
          `${key} "${value}" does not contain the environment suffix "${ctx.environmentSuffix}"; name it with Naming.name()/logGroupName() from @mlapi/core.`,
      );
  },
};
