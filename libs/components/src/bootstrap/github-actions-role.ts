import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { GITHUB_REPOSITORY_PATTERN, githubSubjectProblem, githubTrustPolicy } from "./github-oidc";

/** An IAM policy document, as the permission builders in ci-permissions.ts return it. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
}

export interface GitHubActionsRoleArgs {
  /** Physical role name (`mlapi-github-deploy-<suffix>`). */
  roleName: string;
  /** What the role is for, shown in IAM. */
  description: string;
  /** ARN of GitHub's OIDC provider in this account. */
  providerArn: pulumi.Input<string>;
  /** `owner/name` of the one repository whose workflows may assume the role. */
  repository: string;
  /** Contexts of that repository trusted, e.g. `pull_request`, `environment:prod` (see GITHUB_SUBJECT_PATTERN). */
  subjects: readonly string[];
  /** Inline policies by name; each becomes one aws.iam.RolePolicy. */
  policies: Record<string, pulumi.Input<PolicyDocument>>;
  /**
   * AWS managed policies to attach, by a short name for the attachment's logical name
   * (e.g. `{ "read-only": <ReadOnlyAccess ARN> }` for what `pulumi refresh` reads).
   * @default {}
   */
  managedPolicies?: Record<string, pulumi.Input<string>>;
  /**
   * Longest session, in seconds: a deploy of all four layers with a database must fit.
   * @default 3600
   */
  maxSessionDuration?: number;
}

/**
 * A role GitHub Actions assumes through OIDC (aws-actions/configure-aws-credentials): trusted only by
 * one repository's named contexts with the `sts.amazonaws.com` audience, its permissions given
 * as inline policies (one per concern) and, optionally, AWS managed policies.
 */
export class GitHubActionsRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: GitHubActionsRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:GitHubActionsRole", name, {}, opts);
    const problems = [
      ...(GITHUB_REPOSITORY_PATTERN.test(args.repository) ? [] : [`repository "${args.repository}" is not owner/name`]),
      ...(args.subjects.length === 0 ? ["subjects is empty: name at least one context"] : []),
      ...args.subjects.map(githubSubjectProblem).filter((p): p is string => p !== undefined),
    ];
    const maxSession = args.maxSessionDuration ?? 3600;
    if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
      problems.push(`maxSessionDuration must be whole seconds from 3600 to 43200, got ${maxSession}`);
    }
    if (problems.length > 0) throw new Error(`GitHubActionsRole ${name}: ${problems.join("; ")}`);

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: args.description,
        maxSessionDuration: maxSession,
        assumeRolePolicy: pulumi.jsonStringify(
          pulumi.output(args.providerArn).apply((arn) => githubTrustPolicy(arn, args.repository, args.subjects)),
        ),
      },
      { parent: this },
    );
    for (const [policyName, document] of Object.entries(args.policies)) {
      new aws.iam.RolePolicy(
        `${name}-${policyName}`,
        { role: this.role.name, name: policyName, policy: pulumi.jsonStringify(document) },
        { parent: this },
      );
    }
    for (const [policyName, arn] of Object.entries(args.managedPolicies ?? {})) {
      new aws.iam.RolePolicyAttachment(
        `${name}-${policyName}`,
        { role: this.role.name, policyArn: arn },
        { parent: this },
      );
    }
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
