import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount } from "../logging";
import { permissionsBoundaryArn } from "../bootstrap/workload-boundary";

/**
 * The DynamoDB actions apps/ml-api calls on the sessions table (src/stores/sessions.ts sends only
 * GetCommand, PutCommand and UpdateCommand), and no other: no Query, no batch, no delete, no Scan.
 */
export const SESSION_TABLE_ACTIONS: readonly string[] = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];

/** What DynamoDB needs of the caller's identity to use a customer-managed table key on its behalf. */
export const TABLE_KEY_ACTIONS: readonly string[] = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
  "kms:DescribeKey",
];

/** Pulls from one ECR repository (the token call is account-wide by AWS design). */
export const ECR_PULL_ACTIONS: readonly string[] = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
];

export interface TaskRolesArgs {
  /**
   * Names the execution role `mlapi-api-execution-<suffix>` (the ECS agent: pull, logs, secrets)
   * and the task role `mlapi-api-task-<suffix>` (the application code).
   */
  naming: Naming;
  /** ECR repository the agent may pull from: the layer's own, or a prebuilt image's (see ecrRepositoryArn). */
  repositoryArn: pulumi.Input<string>;
  /** Log group the awslogs driver writes to. */
  logGroupArn: pulumi.Input<string>;
  /** Exactly the Secrets Manager secrets the task definition injects. */
  secretArns: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Customer-managed keys the injected secrets are encrypted with (duplicates are dropped); usable
   * only through Secrets Manager. A secret under the AWS-managed `aws/secretsmanager` key needs none.
   */
  secretsKmsKeyArns: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The RDS-managed master secret, which the application itself re-reads by ARN when PostgreSQL
   * rejects its password after a rotation (R23): the task role may read this secret only.
   */
  dbSecretArn: pulumi.Input<string>;
  /** Key of that secret (the data key); usable only through Secrets Manager. */
  dbSecretKmsKeyArn: pulumi.Input<string>;
  /** The sessions table (it has no indexes: the API reads and writes items by key only). */
  tableArn: pulumi.Input<string>;
  /** Key the table is encrypted with; usable only through DynamoDB. */
  tableKmsKeyArn: pulumi.Input<string>;
  /**
   * Name of the customer managed policy both roles carry as permissions boundary (the layer's
   * `permissionsBoundary` config: the bootstrap's `mlapi-workload-boundary`); undefined for none.
   */
  permissionsBoundaryName?: string;
}

/** One IAM policy statement, as the roles' inline policies list them. */
interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string | string[];
  Resource: pulumi.Input<string> | pulumi.Input<pulumi.Input<string>[]>;
  Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** An Allow statement; the Condition key is left out when there is none. */
function allow(
  sid: string,
  action: Statement["Action"],
  resource: Statement["Resource"],
  condition?: Statement["Condition"],
): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: action,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
  };
}

/**
 * The two roles of the API task (R15), each assumable only by ecs-tasks.amazonaws.com for
 * tasks of this account. Execution role: pull this repository, write this log group, read exactly
 * the injected secrets. Task role: the item actions the API calls on the sessions table, and the
 * database master secret it re-reads after a rotation. KMS is reachable only through the service
 * that owns the data (kms:ViaService).
 */
export class TaskRoles extends pulumi.ComponentResource {
  readonly executionRole: aws.iam.Role;
  readonly taskRole: aws.iam.Role;
  /** Inline policies; the task definition should depend on them so the first task starts with them in place. */
  readonly policies: aws.iam.RolePolicy[];

  constructor(name: string, args: TaskRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:TaskRoles", name, {}, opts);
    const { accountId, region } = awsAccount(this);
    const assumeRolePolicy = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          // Confused-deputy guard: only ECS acting for this account. (An aws:SourceArn of
          // `arn:…:ecs:<region>:<account>:*` would add nothing, and ECS cannot scope it to one cluster.)
          Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
      ],
    });

    const viaService = (service: string) => ({
      StringEquals: { "kms:ViaService": pulumi.interpolate`${service}.${region}.amazonaws.com` },
    });
    const secretKeys = pulumi.output(args.secretsKmsKeyArns).apply((arns) => [...new Set(arns)]);
    const permissionsBoundary = permissionsBoundaryArn(awsAccount(this), args.permissionsBoundaryName);

    /** A role ECS tasks of this account assume, with its one inline policy of the given statements. */
    const roleWithPolicy = (suffix: string, roleName: string, description: string, statements: Statement[]) => {
      const role = new aws.iam.Role(
        `${name}-${suffix}`,
        { name: roleName, description, assumeRolePolicy, permissionsBoundary },
        { parent: this },
      );
      const policy = new aws.iam.RolePolicy(
        `${name}-${suffix}-policy`,
        { role: role.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
        { parent: this },
      );
      return { role, policy };
    };

    // --- execution role: used by the ECS agent before the container starts ---
    const executionRoleName = args.naming.name("api-execution", "iamRole");
    const execution = roleWithPolicy(
      "execution",
      executionRoleName,
      "ECS agent for the API task: image pull, logs, injected secrets",
      [
        // AWS defines no resource for GetAuthorizationToken; "*" is the only accepted value.
        allow("EcrAuthToken", "ecr:GetAuthorizationToken", "*"),
        allow("PullThisRepository", [...ECR_PULL_ACTIONS], args.repositoryArn),
        allow(
          "WriteThisLogGroup",
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          pulumi.interpolate`${args.logGroupArn}:log-stream:*`,
        ),
        allow("ReadInjectedSecrets", "secretsmanager:GetSecretValue", args.secretArns),
        allow("DecryptSecretsViaSecretsManager", "kms:Decrypt", secretKeys, viaService("secretsmanager")),
      ],
    );

    // --- task role: used by the application code ---
    const taskRoleName = args.naming.name("api-task", "iamRole");
    const task = roleWithPolicy("task", taskRoleName, "API application: the sessions table and the database secret", [
      allow("SessionsTableItems", [...SESSION_TABLE_ACTIONS], args.tableArn),
      allow("TableKeyViaDynamoDb", [...TABLE_KEY_ACTIONS], args.tableKmsKeyArn, viaService("dynamodb")),
      // After a rotation the injected DB_SECRET is stale; the app re-reads it by DB_SECRET_ARN.
      allow("ReadRotatedDbSecret", "secretsmanager:GetSecretValue", args.dbSecretArn),
      allow("DecryptDbSecretViaSecretsManager", "kms:Decrypt", args.dbSecretKmsKeyArn, viaService("secretsmanager")),
    ]);
    this.executionRole = execution.role;
    this.taskRole = task.role;
    this.policies = [execution.policy, task.policy];
    this.registerOutputs({ executionRoleArn: this.executionRole.arn, taskRoleArn: this.taskRole.arn });
  }
}
