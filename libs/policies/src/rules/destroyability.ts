import type { ResourceRule } from "../resource";
import { BOOTSTRAP_PROJECT } from "../resource";
import { isProduction } from "./profile";

/** Per type, the input that must be true for `pulumi destroy` to succeed without a manual step. */
const MUST_BE_TRUE: Record<string, [string, string][]> = {
  "aws:rds/cluster:Cluster": [["skipFinalSnapshot", "a final snapshot needs a unique name and blocks destroy"]],
  "aws:rds/instance:Instance": [["skipFinalSnapshot", "a final snapshot needs a unique name and blocks destroy"]],
  "aws:s3/bucket:Bucket": [["forceDestroy", "a non-empty bucket cannot be deleted"]],
  "aws:s3/bucketV2:BucketV2": [["forceDestroy", "a non-empty bucket cannot be deleted"]],
  "aws:ecr/repository:Repository": [["forceDelete", "a repository with images cannot be deleted"]],
};

/** Deletion-protection switches, under the three names AWS uses for them. */
const PROTECTION_INPUTS = ["deletionProtection", "deletionProtectionEnabled", "enableDeletionProtection"];

const AURORA_CLUSTER = "aws:rds/cluster:Cluster";

/**
 * What the production profile protects (issue 26), per type: the input that must be true. Nothing
 * else may be protected, in production either; a throwaway stack protects nothing (R19).
 */
const PRODUCTION_PROTECTION: Record<string, string> = {
  "aws:lb/loadBalancer:LoadBalancer": "enableDeletionProtection",
  "aws:alb/loadBalancer:LoadBalancer": "enableDeletionProtection",
  [AURORA_CLUSTER]: "deletionProtection",
  "aws:dynamodb/table:Table": "deletionProtectionEnabled",
};

/** RDS's rule for a DB cluster snapshot identifier (as snapshotIdentifierProblem in @mlapi/components). */
const SNAPSHOT_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)$/;

/** A production resource of a protected type: protection on, and the Aurora cluster keeps a final snapshot. */
function productionProblems(type: string, props: Record<string, unknown>): string[] {
  const key = PRODUCTION_PROTECTION[type];
  const problems = PROTECTION_INPUTS.filter((k) => k !== key && props[k] === true).map((k) => `${k} must be false.`);
  if (props[key] !== true) problems.push(`${key} must be true in a production stack (the profile protects it).`);
  if (type === AURORA_CLUSTER) {
    const id = props["finalSnapshotIdentifier"];
    if (props["skipFinalSnapshot"] !== false)
      problems.push("skipFinalSnapshot must be false in a production stack: destroy keeps a final snapshot.");
    if (typeof id !== "string" || !SNAPSHOT_IDENTIFIER.test(id)) {
      problems.push(
        `finalSnapshotIdentifier ${JSON.stringify(id)} must be a valid snapshot identifier (a letter, then letters, digits, single hyphens).`,
      );
    }
  }
  return problems;
}

export const destroyable: ResourceRule = {
  kind: "resource",
  name: "destroyable",
  description:
    "Every layer destroys cleanly (R19): no protect/retainOnDelete, no deletion protection, skipFinalSnapshot, force-destroyable buckets and repositories, " +
    "KMS deletion window ≤ 30 days. A production stack (Profile tag) protects exactly its ALB, Aurora cluster (with a final snapshot) and DynamoDB tables. " +
    "The account bootstrap (mlapi-bootstrap) is exempt: its state bucket and keys are protected on purpose.",
  enforcementLevel: "mandatory",
  validate(r, ctx) {
    // The bootstrap holds every stack's state and the key to its secrets: losing it to a destroy
    // would orphan all four layers of every environment (projects/bootstrap/README.md).
    if (ctx.project === BOOTSTRAP_PROJECT) return [];
    const problems: string[] = [];
    if (r.protect) problems.push("the protect option is set; destroy would refuse to delete it.");
    if (r.retainOnDelete === true)
      problems.push("the retainOnDelete option is set; destroy would orphan it in the account.");
    if (!r.type.startsWith("aws:")) return problems;
    if (isProduction(r) && r.type in PRODUCTION_PROTECTION)
      return [...problems, ...productionProblems(r.type, r.props)];
    for (const key of PROTECTION_INPUTS) if (r.props[key] === true) problems.push(`${key} must be false.`);
    for (const [key, why] of MUST_BE_TRUE[r.type] ?? [])
      if (r.props[key] !== true) problems.push(`${key} must be true: ${why}.`);
    const window = r.props["deletionWindowInDays"];
    if (r.type === "aws:kms/key:Key" && typeof window === "number" && window > 30)
      problems.push(`deletionWindowInDays is ${window}; at most 30.`);
    return problems;
  },
};
