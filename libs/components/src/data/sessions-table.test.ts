import { one, renderProgram } from "@mlapi/testing";
import type { SessionsTableArgs } from "./sessions-table";
import { SessionsTable } from "./sessions-table";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const render = (args: Partial<SessionsTableArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const t = new SessionsTable("sessions", { name: "mlapi-sessions-dev", kmsKeyArn: KEY_ARN, ...args });
      return { tableName: t.tableName, tableArn: t.tableArn };
    },
  });

describe("SessionsTable", () => {
  it("is on-demand, keyed by a string sessionId, expires items on expiresAt, recovers to a point in time and uses the customer key (R8)", async () => {
    const r = await render();
    const table = one(r, "aws:dynamodb/table:Table");
    expect(table.inputs).toEqual({
      name: "mlapi-sessions-dev",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "sessionId",
      attributes: [{ name: "sessionId", type: "S" }],
      ttl: { attributeName: "expiresAt", enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
      deletionProtectionEnabled: false,
    });
    expect(table.parent).toBe("mlapi:data:SessionsTable::sessions");
    expect(r.outputs).toEqual({
      tableName: "mlapi-sessions-dev",
      tableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/mlapi-sessions-dev",
    });
  });

  it("is deletion-protected with deletionProtection (the production profile), and changes nothing else", async () => {
    const plain = await render();
    const protectedTable = await render({ deletionProtection: true });
    const inputs = one(protectedTable, "aws:dynamodb/table:Table").inputs;
    expect(inputs).toEqual({ ...one(plain, "aws:dynamodb/table:Table").inputs, deletionProtectionEnabled: true });
  });

  it("takes other key and TTL attribute names", async () => {
    const table = one(await render({ partitionKey: "sid", ttlAttribute: "ttl" }), "aws:dynamodb/table:Table");
    expect(table.inputs).toMatchObject({
      hashKey: "sid",
      attributes: [{ name: "sid", type: "S" }],
      ttl: { attributeName: "ttl", enabled: true },
    });
  });

  it("refuses a TTL attribute that is the partition key", async () => {
    await expect(render({ ttlAttribute: "sessionId" })).rejects.toThrow(
      "SessionsTable sessions: the TTL attribute must not be the partition key (sessionId)",
    );
  });
});
