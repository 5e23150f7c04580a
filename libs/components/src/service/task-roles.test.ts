import { MOCK_ACCOUNT_ID, one, policyDocument, renderProgram } from "@mlapi/testing";
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
        logGroupArn: arn("logs", "log-group:/mlapi/api-dev"),
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

describe("TaskRoles", () => {
  describe("execution role", () => {
    it("pulls from exactly the repository it is given (a prebuilt image's, of another account)", async () => {
      expect((await statements("roles-execution-policy")).find((s) => s.Sid === "PullThisRepository")).toEqual({
        Sid: "PullThisRepository",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        Resource: RELEASES,
      });
    });

    it("decrypts through Secrets Manager with every key the injected secrets use, each once", async () => {
      expect((await statements("roles-execution-policy")).find((s) => s.Sid === "DecryptSecretsViaSecretsManager")).toEqual({
        Sid: "DecryptSecretsViaSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: [DATA_KEY, APP_KEY],
        Condition: viaSecretsManager,
      });
    });
  });

  describe("task role (the application)", () => {
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
      expect(task.map((s) => s.Sid)).toEqual(["SessionsTableItems", "TableKeyViaDynamoDb", "ReadRotatedDbSecret", "DecryptDbSecretViaSecretsManager"]);
      expect(task.find((s) => s.Sid === "ReadRotatedDbSecret")).toEqual({ Sid: "ReadRotatedDbSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: MASTER_SECRET });
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
