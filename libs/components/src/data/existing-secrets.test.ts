import { mockHex, renderProgram } from "@mlapi/testing";
import { existingSecretArns, existingSecretKmsKeyArns } from "./existing-secrets";

const render = (names: string[]) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => ({ arns: existingSecretArns(names) }),
  });

describe("existingSecretArns", () => {
  it("returns the ARN of each named secret, in order, and creates nothing", async () => {
    const r = await render(["mlapi/dev/model-api-key", "mlapi/dev/third-party"]);
    expect(r.outputs.arns).toEqual([
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:mlapi/dev/model-api-key-${mockHex("mlapi/dev/model-api-key", 6)}`,
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:mlapi/dev/third-party-${mockHex("mlapi/dev/third-party", 6)}`,
    ]);
    expect(r.resources.filter((x) => x.type.startsWith("aws:"))).toEqual([]);
  });

  it("returns an empty list for no names", async () => {
    expect((await render([])).outputs.arns).toEqual([]);
  });

  it("refuses an empty name instead of looking it up", async () => {
    await expect(render(["ok", " "])).rejects.toThrow("existingSecretArns: secret name #1 is empty");
  });
});

describe("existingSecretKmsKeyArns", () => {
  it("returns the key ARN of each named secret, each key once, and creates nothing", async () => {
    const r = await renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => ({ keys: existingSecretKmsKeyArns(["mlapi/dev/a", "mlapi/dev/b", "mlapi/dev/a"]) }),
    });
    const keys = r.outputs.keys as string[];
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(r.resources.filter((x) => x.type.startsWith("aws:"))).toEqual([]);
  });
});
