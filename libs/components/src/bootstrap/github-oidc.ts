import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** The issuer of GitHub Actions' OIDC tokens; also the prefix of its condition keys in IAM. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests, and the one the roles accept. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** `owner/name`, as GitHub allows them (the owner: letters, digits, hyphens; the name also `.` and `_`). */
export const GITHUB_REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/**
 * What may follow `repo:<owner>/<name>:` in a token's `sub` claim: `pull_request`,
 * `ref:refs/heads/<branch>`, `environment:<name>` (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims).
 * No wildcards: a role trusts named contexts only.
 */
export const GITHUB_SUBJECT_PATTERN =
  /^(?:pull_request|ref:refs\/(?:heads|tags)\/[A-Za-z0-9._/-]+|environment:[A-Za-z0-9._ -]+)$/;

/** Why `subject` cannot be trusted, or undefined when it can. */
export function githubSubjectProblem(subject: string): string | undefined {
  return GITHUB_SUBJECT_PATTERN.test(subject)
    ? undefined
    : `"${subject}" is not pull_request, ref:refs/heads/<branch>, ref:refs/tags/<tag> or environment:<name> (no wildcards)`;
}

/**
 * The trust policy of a role GitHub Actions assumes with its OIDC token: only this provider, only
 * through AssumeRoleWithWebIdentity, only tokens for STS (`aud`) issued to the named contexts of one
 * repository (`sub`). StringEquals, not StringLike: nothing else in the organization matches.
 */
export function githubTrustPolicy(providerArn: string, repository: string, subjects: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOfThisRepository",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.map((s) => `repo:${repository}:${s}`),
          },
        },
      },
    ],
  };
}

export interface GitHubOidcProviderArgs {
  /**
   * ARN of GitHub's provider when the account already has one (IAM allows one per issuer URL);
   * nothing is created then.
   * @default undefined (create it)
   */
  existingProviderArn?: string;
}

/**
 * GitHub Actions' OpenID Connect identity provider in IAM, so workflows get short-lived credentials
 * from STS instead of stored access keys. IAM trusts GitHub's certificate through its own root
 * store, so no thumbprint is pinned (https://github.blog/changelog/2023-07-13-github-actions-oidc-integration-with-aws-no-longer-requires-pinning-of-intermediate-tls-certificates/).
 */
export class GitHubOidcProvider extends pulumi.ComponentResource {
  readonly provider?: aws.iam.OpenIdConnectProvider;
  readonly providerArn: pulumi.Output<string>;

  constructor(name: string, args: GitHubOidcProviderArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:GitHubOidcProvider", name, {}, opts);
    const existing = args.existingProviderArn;
    if (
      existing !== undefined &&
      !new RegExp(`^arn:aws[\\w-]*:iam::\\d{12}:oidc-provider/${GITHUB_OIDC_HOST}$`).test(existing)
    ) {
      throw new Error(
        `GitHubOidcProvider ${name}: existingProviderArn must be arn:aws:iam::<account>:oidc-provider/${GITHUB_OIDC_HOST}, got "${existing}"`,
      );
    }
    if (existing !== undefined) {
      this.providerArn = pulumi.output(existing);
    } else {
      this.provider = new aws.iam.OpenIdConnectProvider(
        `${name}-provider`,
        { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
        { parent: this },
      );
      this.providerArn = this.provider.arn;
    }
    this.registerOutputs({ providerArn: this.providerArn });
  }
}
