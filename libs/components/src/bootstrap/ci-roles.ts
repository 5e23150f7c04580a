import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import { awsAccount } from "../logging";
import type { CiPermissionsContext } from "./ci-permissions";
import {
  deployStatePolicy,
  deployWritePolicy,
  previewPolicy,
  readOnlyAccessArn,
  workloadBoundaryArn,
} from "./ci-permissions";
import { GitHubActionsRole } from "./github-actions-role";

export interface CiRolesArgs {
  naming: Naming;
  /** ARN of GitHub's OIDC provider in this account. */
  providerArn: pulumi.Input<string>;
  /** `owner/name` of the repository whose workflows assume the roles. */
  repository: string;
  /** Contexts that get the read-only role: pull requests and the default branch (drift detection). */
  previewSubjects: readonly string[];
  /** Contexts that get the deploy role: the GitHub environments of the deploy jobs. */
  deploySubjects: readonly string[];
  stateBucketArn: pulumi.Input<string>;
  stateKeyArn: pulumi.Input<string>;
  secretsKeyArn: pulumi.Input<string>;
  /**
   * Route 53 zones the deploy role may write records in.
   * @default []
   */
  hostedZoneIds?: string[];
  /**
   * Longest deploy-role session, in seconds: all four layers of one environment, a new database included.
   * @default 7200
   */
  deploySessionSeconds?: number;
}

/**
 * The two roles CI assumes through GitHub's OIDC provider (R15 for CI): `mlapi-github-preview-<suffix>`
 * reads (ReadOnlyAccess less data reads) and takes state locks, for pull-request previews and drift
 * detection; `mlapi-github-deploy-<suffix>` also writes the state and the platform's resources
 * (ci-permissions.ts), for the deploy and destroy jobs of the GitHub environments.
 */
export class CiRoles extends pulumi.ComponentResource {
  readonly preview: GitHubActionsRole;
  readonly deploy: GitHubActionsRole;
  readonly previewRoleArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  /** The workload boundary the deploy role requires on every role it creates (WORKLOAD_BOUNDARY_POLICY_NAME). */
  readonly workloadBoundaryArn: pulumi.Output<string>;

  constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:CiRoles", name, {}, opts);
    const { accountId, region, partition } = awsAccount(this);
    const previewRoleName = args.naming.name("github-preview", "iamRole");
    const deployRoleName = args.naming.name("github-deploy", "iamRole");
    const permissions: pulumi.Output<CiPermissionsContext> = pulumi
      .all([partition, accountId, region, args.stateBucketArn, args.stateKeyArn, args.secretsKeyArn])
      .apply(([p, a, r, stateBucketArn, stateKeyArn, secretsKeyArn]) => ({
        partition: p,
        accountId: a,
        region: r,
        app: "mlapi",
        stateBucketArn,
        stateKeyArn,
        secretsKeyArn,
        ciRoleArns: [previewRoleName, deployRoleName].map((n) => `arn:${p}:iam::${a}:role/${n}`),
        hostedZoneIds: args.hostedZoneIds ?? [],
      }));
    const readOnly = partition.apply(readOnlyAccessArn);
    const common = { providerArn: args.providerArn, repository: args.repository };

    this.preview = new GitHubActionsRole(
      `${name}-preview`,
      {
        ...common,
        roleName: previewRoleName,
        description: "mlapi CI: pull-request previews and drift detection (read-only)",
        subjects: args.previewSubjects,
        policies: { "state-read": permissions.apply(previewPolicy) },
        managedPolicies: { "read-only": readOnly },
      },
      { parent: this },
    );
    this.deploy = new GitHubActionsRole(
      `${name}-deploy`,
      {
        ...common,
        roleName: deployRoleName,
        description: "mlapi CI: deploys and destroys the four layers from the GitHub environments",
        subjects: args.deploySubjects,
        policies: {
          "state-write": permissions.apply(deployStatePolicy),
          "platform-write": permissions.apply(deployWritePolicy),
        },
        managedPolicies: { "read-only": readOnly },
        maxSessionDuration: args.deploySessionSeconds ?? 7200,
      },
      { parent: this },
    );
    this.previewRoleArn = this.preview.roleArn;
    this.deployRoleArn = this.deploy.roleArn;
    this.workloadBoundaryArn = permissions.apply(workloadBoundaryArn);
    this.registerOutputs({ previewRoleArn: this.previewRoleArn, deployRoleArn: this.deployRoleArn });
  }
}
