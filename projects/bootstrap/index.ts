// Account bootstrap (mlapi-bootstrap): what the four layers' deploy flow assumes exists, created once
// per AWS account by an administrator: the Pulumi state bucket (with its own KMS key), the KMS key
// behind the layers' shared `awskms://` secrets provider, GitHub's OIDC provider and the two roles CI
// assumes (read-only for previews and drift detection, deploy for the GitHub environments). Not a
// layer: it reads no stack and no layer reads it; `nx run-many -t deploy` never runs it (it has no
// deploy target; an administrator runs `nx run bootstrap:admin-up`). See README.md.
import { BOOTSTRAP, startLayer } from "@mlapi/core";
import { CiRoles, GitHubOidcProvider, SecretsProviderKey, StateBucket, WorkloadBoundary } from "@mlapi/components";
import { loadConfig } from "./src/config";

const cfg = loadConfig();
// Production by nature: it holds every environment's state and secrets key, and protects them.
const { naming } = startLayer(BOOTSTRAP, cfg.environmentSuffix, { profile: "production" });

const state = new StateBucket("state", { naming, noncurrentVersionExpirationDays: cfg.stateNoncurrentVersionDays });
const secrets = new SecretsProviderKey("secrets", { aliasName: `alias/${naming.name("secrets")}` });
// The permissions boundary the deploy role must put on every role it creates: one per account under a
// fixed name (the layers' permissionsBoundary default), so a second bootstrap stack in the account reuses it.
const boundary = cfg.createWorkloadBoundary ? new WorkloadBoundary("workload-boundary") : undefined;
const github = new GitHubOidcProvider("github", { existingProviderArn: cfg.githubOidcProviderArn });
const ci = new CiRoles("ci", {
  naming,
  providerArn: github.providerArn,
  repository: cfg.githubRepository,
  previewSubjects: ["pull_request", `ref:refs/heads/${cfg.defaultBranch}`],
  deploySubjects: cfg.deployEnvironments.map((e) => `environment:${e}`),
  stateBucketArn: state.bucketArn,
  stateKeyArn: state.keyArn,
  secretsKeyArn: secrets.keyArn,
  hostedZoneIds: cfg.hostedZoneIds,
});

export const stateBucketName = state.bucketName;
/** `pulumi login <this>` before any layer command. */
export const stateBackendUrl = state.backendUrl;
export const stateKeyArn = state.keyArn;
/** `--secrets-provider <this>` for every layer stack. */
export const secretsProvider = secrets.secretsProvider;
export const secretsKeyArn = secrets.keyArn;
export const githubOidcProviderArn = github.providerArn;
/** GitHub repository variable AWS_PREVIEW_ROLE_ARN. */
export const previewRoleArn = ci.previewRoleArn;
/** GitHub repository variable AWS_DEPLOY_ROLE_ARN. */
export const deployRoleArn = ci.deployRoleArn;
/** The layers' roles' permissions boundary (their `permissionsBoundary` config names it); another stack's when createWorkloadBoundary is false. */
export const workloadBoundaryArn = boundary?.policyArn ?? ci.workloadBoundaryArn;
