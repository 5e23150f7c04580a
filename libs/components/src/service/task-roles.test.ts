import { MOCK_ACCOUNT_ID, ofType, one, policyDocument, renderProgram } from "@mlapi/testing";
import type { TaskRolesArgs } from "./task-roles";
import { TaskRoles } from "./task-roles";
import { Naming } from "@mlapi/core";

const REGION = "eu-west-1";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${MOCK_ACCOUNT_ID}:${resource}`;
const DATA_KEY = arn("kms", "key/11111111-2222-4333-a444-555555555555");
const APP_KEY = arn("kms", "key/99999999-8888-4777-a666-555555555555");
const MASTER_SECRET = arn("secretsmanager", "secret:rds!cluster-abc-123456");
const APP_SECRET = arn("secretsmanager", "secret:mlapi/dev/model-api-key-AbC123");
const TABLE = arn("dynamodb", "table/mlapi-sessions-dev");
const RELEASES = `arn:aws:ecr:us-east-1:210987654321:repository/mlapi-releases`;

const render = (args: Partial<TaskRolesArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": REGION },
    load: async () => {
      new TaskRoles("roles", {
        naming: new Naming("dev"),
        repositoryArn: RELEASES,
        logGroupArn: LOG_GROUP,
        secretArns: [MASTER_SECRET, APP_SECRET],
        secretsKmsKeyArns: [DATA_KEY, APP_KEY, DATA_KEY],
        dbSecretArn: MASTER_SECRET,
        dbSecretKmsKeyArn: DATA_KEY,
        tableArn: TABLE,
        tableKmsKeyArn: DATA_KEY,
        ...args,
      });
      return {};
    },
  });

type Statement = Record<string, unknown>;
const statements = async (policy: string): Promise<Statement[]> =>
  policyDocument(one(await render(), "aws:iam/rolePolicy:RolePolicy", policy).inputs.policy).Statement;
const viaSecretsManager = { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } };

const LOG_GROUP = arn("logs", "log-group:/mlapi/api-dev");
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe("TaskRoles", () => {
  it("puts the named permissions boundary of this account on both roles, and none when not named", async () => {
    const boundaries = async (permissionsBoundaryName?: string) =>
      ofType(await render({ permissionsBoundaryName }), "aws:iam/role:Role").map(
        (role) => role.inputs.permissionsBoundary,
      );
    expect(await boundaries("mlapi-workload-boundary")).toEqual([
      `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/mlapi-workload-boundary`,
      `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/mlapi-workload-boundary`,
    ]);
    expect(await boundaries()).toEqual([undefined, undefined]);
  });

  it("names the roles from the layer's naming", async () => {
    const roles = ofType(await render(), "aws:iam/role:Role");
    expect(roles.map((role) => [role.name, role.inputs.name])).toEqual([
      ["roles-execution", "mlapi-api-execution-dev"],
      ["roles-task", "mlapi-api-task-dev"],
    ]);
  });

  it.each(["roles-execution", "roles-task"])("lets only ECS tasks of this account assume %s", async (name) => {
    const role = one(await render(), "aws:iam/role:Role", name);
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
      },
    ]);
  });

  it("has no wildcard action, no wildcard resource except GetAuthorizationToken, and no managed policy", async () => {
    const r = await render();
    for (const p of ofType(r, "aws:iam/rolePolicy:RolePolicy")) {
      for (const s of policyDocument(p.inputs.policy).Statement) {
        expect(asList(s.Action).some((a) => String(a) === "*" || String(a).endsWith(":*"))).toBe(false);
        if (s.Action !== "ecr:GetAuthorizationToken") expect(asList(s.Resource)).not.toContain("*");
      }
    }
    expect(ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toHaveLength(0);
    expect(ofType(r, "aws:iam/role:Role").every((role) => role.inputs.managedPolicyArns === undefined)).toBe(true);
  });

  describe("execution role", () => {
    it("gets exactly: ECR token, pull of the repository, the log group's streams, the injected secrets and their keys", async () => {
      const execution = await statements("roles-execution-policy");
      expect(execution.map((s) => s.Sid)).toEqual([
        "EcrAuthToken",
        "PullThisRepository",
        "WriteThisLogGroup",
        "ReadInjectedSecrets",
        "DecryptSecretsViaSecretsManager",
      ]);
      // AWS defines no resource for GetAuthorizationToken.
      expect(execution[0]).toEqual({
        Sid: "EcrAuthToken",
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "*",
      });
      expect(execution[2]).toEqual({
        Sid: "WriteThisLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${LOG_GROUP}:log-stream:*`,
      });
      expect(execution[3]).toEqual({
        Sid: "ReadInjectedSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [MASTER_SECRET, APP_SECRET],
      });
    });

    it("pulls from exactly the repository it is given (a prebuilt image's, of another account)", async () => {
      expect((await statements("roles-execution-policy")).find((s) => s.Sid === "PullThisRepository")).toEqual({
        Sid: "PullThisRepository",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        Resource: RELEASES,
      });
    });

    it("decrypts through Secrets Manager with every key the injected secrets use, each once", async () => {
      expect(
        (await statements("roles-execution-policy")).find((s) => s.Sid === "DecryptSecretsViaSecretsManager"),
      ).toEqual({
        Sid: "DecryptSecretsViaSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: [DATA_KEY, APP_KEY],
        Condition: viaSecretsManager,
      });
    });
  });

  describe("task role (the application)", () => {
    it("uses the table's key only through DynamoDB, with the actions encrypted items need", async () => {
      expect((await statements("roles-task-policy")).find((s) => s.Sid === "TableKeyViaDynamoDb")).toEqual({
        Sid: "TableKeyViaDynamoDb",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"],
        Resource: DATA_KEY,
        Condition: { StringEquals: { "kms:ViaService": `dynamodb.${REGION}.amazonaws.com` } },
      });
    });

    it("calls exactly GetItem, PutItem and UpdateItem on the sessions table (apps/ml-api/src/stores/sessions.ts)", async () => {
      expect((await statements("roles-task-policy")).find((s) => s.Sid === "SessionsTableItems")).toEqual({
        Sid: "SessionsTableItems",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: TABLE,
      });
    });

    it("re-reads exactly the database master secret after a rotation, decrypting with the data key through Secrets Manager only (R23)", async () => {
      const task = await statements("roles-task-policy");
      expect(task.map((s) => s.Sid)).toEqual([
        "SessionsTableItems",
        "TableKeyViaDynamoDb",
        "ReadRotatedDbSecret",
        "DecryptDbSecretViaSecretsManager",
      ]);
      expect(task.find((s) => s.Sid === "ReadRotatedDbSecret")).toEqual({
        Sid: "ReadRotatedDbSecret",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: MASTER_SECRET,
      });
      expect(task.find((s) => s.Sid === "DecryptDbSecretViaSecretsManager")).toEqual({
        Sid: "DecryptDbSecretViaSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: DATA_KEY,
        Condition: viaSecretsManager,
      });
    });
  });
});
