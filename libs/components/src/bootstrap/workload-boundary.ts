// The permissions boundary of every IAM role the layers create (the network's flow-logs role, the
// service's execution and task roles). The CI deploy role may create and change `mlapi-*` roles only
// with this boundary on them (ci-permissions.ts), so whoever can run the deploy workflow cannot give a
// role more than the platform's workloads need: no IAM, no STS, nothing administrative, however wide
// its inline policy is. The bootstrap creates the policy once per account under a fixed name, so a
// layer names it without knowing the bootstrap stack's suffix: `arn:<partition>:iam::<account>:policy/
// mlapi-workload-boundary` (a layer's `permissionsBoundary` config, default this name).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
import * as pulumi from "@pulumi/pulumi";
import type { ConfigReader } from "@mlapi/core";
import { APP } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount } from "../logging";
import type { PolicyDocument } from "./github-actions-role";

/** The boundary policy's name: fixed per account (not suffixed), the default of the layers' `permissionsBoundary`. */
export const WORKLOAD_BOUNDARY_POLICY_NAME = `${APP}-workload-boundary`;

/** What a layer's `permissionsBoundary` config accepts besides `none`: an IAM policy name (path `/`). */
export const IAM_POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;

/**
 * A layer's `permissionsBoundary` config (network, service): the name of the customer managed policy
 * its roles carry as boundary, default the bootstrap's; `none` for an account without the bootstrap
 * (deployed by an administrator: the CI deploy role refuses roles without the boundary).
 */
export function readPermissionsBoundary(reader: ConfigReader): string | undefined {
  const value = reader.string("permissionsBoundary", WORKLOAD_BOUNDARY_POLICY_NAME);
  reader.check(
    value === "none" || IAM_POLICY_NAME_PATTERN.test(value),
    "permissionsBoundary",
    value,
    `must be the name of a customer managed policy of the account (the bootstrap's: ${WORKLOAD_BOUNDARY_POLICY_NAME}) or none`,
  );
  return value === "none" ? undefined : value;
}

/** ARN of a customer managed policy of the account, by name (the policies the layers use have path `/`). */
export const policyArn = (partition: string, accountId: string, name: string): string =>
  `arn:${partition}:iam::${accountId}:policy/${name}`;

/** The ARN a role's `permissionsBoundary` takes for a policy name of the deploying account; undefined for none. */
export function permissionsBoundaryArn(
  account: { partition: pulumi.Input<string>; accountId: pulumi.Input<string> },
  name: string | undefined,
): pulumi.Output<string> | undefined {
  if (name === undefined) return undefined;
  return pulumi.all([account.partition, account.accountId]).apply(([p, a]) => policyArn(p, a, name));
}

/** The ECS Exec channels (Session Manager) a task role gets if the service enables `aws ecs execute-command`. */
const ECS_EXEC_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
];

/**
 * The most any workload role may do: the union of what the layers' roles need (FlowLogs' delivery
 * role, TaskRoles' execution and task roles, ECS Exec), each as a ceiling over the platform's names
 * and this account; the roles' inline policies narrow it to their own resources. A boundary grants
 * nothing by itself. Everything else, IAM and STS included, is outside it.
 */
export function workloadBoundaryPolicy(c: { partition: string; accountId: string; app: string }): PolicyDocument {
  const { partition: p, accountId: a, app } = c;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteThePlatformsLogGroups",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [`arn:${p}:logs:*:${a}:log-group:/${app}/*`],
      },
      // A prebuilt image may come from a repository of another account (the service's ecrRepositoryArn).
      { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
      {
        Sid: "PullImages",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        Resource: [`arn:${p}:ecr:*:*:repository/*`],
      },
      // Injected secrets may be the RDS-managed one (rds!...) or existing secrets of any name (data layer).
      {
        Sid: "ReadSecretsOfThisAccount",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [`arn:${p}:secretsmanager:*:${a}:secret:*`],
      },
      {
        Sid: "SessionItems",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [`arn:${p}:dynamodb:*:${a}:table/${app}-*`],
      },
      {
        Sid: "KeysOnlyThroughTheirServices",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"],
        Resource: [`arn:${p}:kms:*:${a}:key/*`],
        Condition: { StringLike: { "kms:ViaService": ["secretsmanager.*.amazonaws.com", "dynamodb.*.amazonaws.com"] } },
      },
      { Sid: "EcsExecChannels", Effect: "Allow", Action: ECS_EXEC_ACTIONS, Resource: ["*"] },
    ],
  };
}

export interface WorkloadBoundaryArgs {
  /**
   * Policy name; the layers' `permissionsBoundary` default names it, so keep the default.
   * @default WORKLOAD_BOUNDARY_POLICY_NAME
   */
  policyName?: string;
}

/** The customer managed policy every layer role carries as its permissions boundary (see the module header). */
export class WorkloadBoundary extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;
  readonly policyArn: pulumi.Output<string>;

  constructor(name: string, args: WorkloadBoundaryArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:WorkloadBoundary", name, {}, opts);
    const account = awsAccount(this);
    this.policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        name: args.policyName ?? WORKLOAD_BOUNDARY_POLICY_NAME,
        description: "Permissions boundary of every mlapi layer role: the most a workload role may do (no IAM, no STS)",
        policy: pulumi
          .all([account.partition, account.accountId])
          .apply(([partition, accountId]) =>
            JSON.stringify(workloadBoundaryPolicy({ partition, accountId, app: APP })),
          ),
      },
      { parent: this },
    );
    this.policyArn = this.policy.arn;
    this.registerOutputs({ policyArn: this.policyArn });
  }
}
