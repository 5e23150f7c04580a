import type { RenderResult } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, one, policyDocument, renderProgram } from "@mlapi/testing";
import type { DataKeyArgs } from "./data-key";
import { DataKey, KEY_ADMIN_ACTIONS } from "./data-key";

const render = (args: Partial<DataKeyArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      const key = new DataKey("data", { aliasName: "alias/mlapi-data-dev", description: "test", ...args });
      return { keyArn: key.keyArn };
    },
  });

type Statement = {
  Sid: string;
  Principal: Record<string, unknown>;
  Action: string[];
  Condition?: Record<string, Record<string, unknown>>;
};
const statements = (r: RenderResult) =>
  policyDocument(one(r, "aws:kms/key:Key").inputs.policy).Statement as Statement[];
const bySid = (r: RenderResult, sid: string) => statements(r).find((s) => s.Sid === sid);
const ROOT = `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`;

describe("DataKey with default services", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("rotates yearly and deletes within 7 days of a destroy (R6, R19)", () => {
    expect(one(r, "aws:kms/key:Key").inputs).toMatchObject({
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      description: "test",
    });
  });

  it("gets the alias it was given, pointing at the key", () => {
    const key = one(r, "aws:kms/key:Key");
    expect(one(r, "aws:kms/alias:Alias").inputs).toEqual({
      name: "alias/mlapi-data-dev",
      targetKeyId: key.state.keyId,
    });
    expect(r.outputs.keyArn).toBe(key.state.arn);
  });

  it("admits exactly the account root, the account via the data services, and DynamoDB's describe calls", () => {
    expect(statements(r).map((s) => [s.Sid, s.Principal])).toEqual([
      ["AccountAdministersTheKey", { AWS: ROOT }],
      ["AccountUsesTheKeyThroughDataServices", { AWS: ROOT }],
      ["DynamoDBDescribesTheKey", { Service: "dynamodb.amazonaws.com" }],
    ]);
  });

  it("lets the account administer the key but not encrypt or decrypt with it directly", () => {
    const admin = bySid(r, "AccountAdministersTheKey");
    expect(admin?.Action).toEqual([...KEY_ADMIN_ACTIONS]);
    expect(admin?.Action).toContain("kms:Put*"); // keeps the key manageable (KMS lockout check)
    expect(admin?.Condition).toBeUndefined();
    for (const crypto of [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
      "kms:CreateGrant",
      "kms:*",
    ]) {
      expect(admin?.Action).not.toContain(crypto);
    }
  });

  it("allows cryptographic use only through RDS, DynamoDB and Secrets Manager of this region, for this account", () => {
    const use = bySid(r, "AccountUsesTheKeyThroughDataServices");
    expect(use?.Action).toEqual([
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:CreateGrant",
      "kms:ListGrants",
      "kms:DescribeKey",
    ]);
    expect(use?.Condition).toEqual({
      StringEquals: {
        "kms:CallerAccount": MOCK_ACCOUNT_ID,
        "kms:ViaService": [
          "rds.eu-west-1.amazonaws.com",
          "dynamodb.eu-west-1.amazonaws.com",
          "secretsmanager.eu-west-1.amazonaws.com",
        ],
      },
    });
  });

  it("gives the DynamoDB service principal read-only metadata actions", () => {
    expect(bySid(r, "DynamoDBDescribesTheKey")?.Action).toEqual(["kms:Describe*", "kms:Get*", "kms:List*"]);
  });

  it("admits no wildcard principal and no CloudWatch Logs (logs have their own key)", () => {
    const policy = JSON.stringify(statements(r));
    expect(policy).not.toContain('"AWS":"*"');
    expect(policy).not.toContain("logs.");
  });
});

describe("DataKey with a narrower service list", () => {
  it("admits only the named services and drops the DynamoDB statement", async () => {
    const r = await render({ services: ["rds"] });
    expect(statements(r).map((s) => s.Sid)).toEqual([
      "AccountAdministersTheKey",
      "AccountUsesTheKeyThroughDataServices",
    ]);
    expect(bySid(r, "AccountUsesTheKeyThroughDataServices")?.Condition?.StringEquals["kms:ViaService"]).toEqual([
      "rds.eu-west-1.amazonaws.com",
    ]);
  });

  it("refuses an empty list, which would make the key unusable", async () => {
    await expect(render({ services: [] })).rejects.toThrow(
      "DataKey data: services must name at least one of rds, dynamodb, secretsmanager",
    );
  });
});
