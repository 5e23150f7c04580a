import { GITHUB_REPOSITORY_PATTERN } from "@mlapi/components";
import { ConfigReader } from "@mlapi/core";

const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;
/** GitHub environment names: what the deploy role trusts as `environment:<name>`. */
const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]{1,255}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;

/** The bootstrap's settings (once per AWS account), validated as a whole before any resource is declared. */
export interface BootstrapConfig {
  /** Suffix of every physical name (docs/requirements.md, Configuration). Default: env ENVIRONMENT_SUFFIX, else the stack name (e.g. `shared`). */
  environmentSuffix: string;
  /** `owner/name` of the GitHub repository whose workflows may assume the CI roles. Required. */
  githubRepository: string;
  /** Branch whose pushes and schedules run with the read-only role (drift detection). Default `main`. */
  defaultBranch: string;
  /** GitHub environments whose deploy jobs may assume the deploy role. Default dev, staging, prod. */
  deployEnvironments: string[];
  /** Days a replaced state file is kept as a noncurrent version, 1-3650. Default 90. */
  stateNoncurrentVersionDays: number;
  /** ARN of GitHub's OIDC provider when the account already has one (one per issuer). Default: create it. */
  githubOidcProviderArn?: string;
  /** Route 53 zones the edge writes records in (its stacks' hostedZoneId). Default none. */
  hostedZoneIds: string[];
  /** Create the account's workload permissions boundary (mlapi-workload-boundary); false when another bootstrap stack of the account has. Default true. */
  createWorkloadBoundary: boolean;
}

export function loadConfig(reader = new ConfigReader()): BootstrapConfig {
  const githubRepository = reader.requiredString(
    "githubRepository",
    "set it to the owner/name of the repository whose workflows deploy the platform (pulumi config set githubRepository acme/mlapi)",
  );
  if (githubRepository !== "") {
    reader.check(
      GITHUB_REPOSITORY_PATTERN.test(githubRepository),
      "githubRepository",
      githubRepository,
      "must be owner/name, e.g. acme/mlapi",
    );
  }
  const defaultBranch = reader.string("defaultBranch", "main");
  reader.check(BRANCH.test(defaultBranch), "defaultBranch", defaultBranch, "must be a branch name without wildcards");
  const deployEnvironments = reader.stringList("deployEnvironments", ["dev", "staging", "prod"]);
  reader.check(
    deployEnvironments.length > 0,
    "deployEnvironments",
    deployEnvironments,
    "must name at least one GitHub environment",
  );
  deployEnvironments.forEach((e, i) =>
    reader.check(
      ENVIRONMENT_NAME.test(e),
      `deployEnvironments[${i}]`,
      e,
      "must be a GitHub environment name (letters, digits, . _ -)",
    ),
  );
  const githubOidcProviderArn = reader.optionalString("githubOidcProviderArn");
  if (githubOidcProviderArn !== undefined) {
    reader.check(
      OIDC_PROVIDER_ARN.test(githubOidcProviderArn),
      "githubOidcProviderArn",
      githubOidcProviderArn,
      "must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
    );
  }
  const hostedZoneIds = reader.stringList("hostedZoneIds", []);
  hostedZoneIds.forEach((z, i) =>
    reader.check(
      HOSTED_ZONE_ID.test(z),
      `hostedZoneIds[${i}]`,
      z,
      "must be a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ",
    ),
  );

  const config: BootstrapConfig = {
    environmentSuffix: reader.environmentSuffix(),
    githubRepository,
    defaultBranch,
    deployEnvironments,
    stateNoncurrentVersionDays: reader.number("stateNoncurrentVersionDays", {
      default: 90,
      min: 1,
      max: 3650,
      step: 1,
    }),
    githubOidcProviderArn,
    hostedZoneIds,
    createWorkloadBoundary: reader.boolean("createWorkloadBoundary", true),
  };
  reader.done();
  return config;
}
