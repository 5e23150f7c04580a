import { one, policyDocument, renderProgram } from "@mlapi/testing";
import type { LogsKeyArgs } from "./logs-key";
import { LogsKey } from "./logs-key";

// The stack is in eu-west-1, so anything in us-east-1 can only come from the region argument.
const render = (args: Partial<LogsKeyArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      new LogsKey("logs", {
        aliasName: "alias/mlapi-logs-dev",
        description: "logs",
        logGroupNames: ["/mlapi/api-dev"],
        ...args,
      });
      return {};
    },
  });

const logsStatement = (policy: unknown) =>
  policyDocument(policy).Statement.find((s) => s.Sid === "CloudWatchLogsForTheseLogGroups");

describe("LogsKey", () => {
  it("admits the CloudWatch Logs of the stack's region for exactly the named groups", async () => {
    const key = one(await render(), "aws:kms/key:Key");
    expect(key.inputs.region).toBeUndefined();
    expect(logsStatement(key.inputs.policy)).toMatchObject({
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:eu-west-1:123456789012:log-group:/mlapi/api-dev"],
        },
      },
    });
  });

  it("lives in the given region, with the key and its policy both there (the edge's us-east-1 key)", async () => {
    const r = await render({ region: "us-east-1" });
    const key = one(r, "aws:kms/key:Key");
    expect([key.inputs.region, one(r, "aws:kms/alias:Alias").inputs.region]).toEqual(["us-east-1", "us-east-1"]);
    expect(key.state.arn).toMatch(/^arn:aws:kms:us-east-1:/);
    expect(logsStatement(key.inputs.policy)).toMatchObject({
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:us-east-1:123456789012:log-group:/mlapi/api-dev"],
        },
      },
    });
  });
});
