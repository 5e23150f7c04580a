import type { ResourceRule } from "../resource";
import { BOOTSTRAP_PROJECT } from "../resource";

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

export const destroyable: ResourceRule = {
  kind: "resource",
  name: "destroyable",
  description: "Every layer destroys cleanly (SPEC R19): no protect/retainOnDelete, no deletion protection, skipFinalSnapshot, force-destroyable buckets and repositories, KMS deletion window ≤ 30 days. The account bootstrap (mlapi-bootstrap) is exempt: its state bucket and keys are protected on purpose.",
  enforcementLevel: "mandatory",
  validate(r, ctx) {
    // The bootstrap holds every stack's state and the key to its secrets: losing it to a destroy
    // would orphan all four layers of every environment (projects/bootstrap/README.md).
    if (ctx.project === BOOTSTRAP_PROJECT) return [];
    const problems: string[] = [];
    if (r.protect) problems.push("the protect option is set; destroy would refuse to delete it.");
    if (r.retainOnDelete === true) problems.push("the retainOnDelete option is set; destroy would orphan it in the account.");
    if (!r.type.startsWith("aws:")) return problems;
    for (const key of PROTECTION_INPUTS) if (r.props[key] === true) problems.push(`${key} must be false.`);
    for (const [key, why] of MUST_BE_TRUE[r.type] ?? []) if (r.props[key] !== true) problems.push(`${key} must be true: ${why}.`);
    const window = r.props["deletionWindowInDays"];
    if (r.type === "aws:kms/key:Key" && typeof window === "number" && window > 30) problems.push(`deletionWindowInDays is ${window}; at most 30.`);
    return problems;
  },
};
