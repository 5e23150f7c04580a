import { one, renderProgram } from "@mlapi/testing";
import { SecretsProviderKey } from "./secrets-provider-key";

const render = (aliasName = "alias/mlapi-secrets-shared", deletionWindowInDays?: number) =>
  renderProgram({
    project: "mlapi-test",
    stack: "shared",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      const k = new SecretsProviderKey("secrets", { aliasName, deletionWindowInDays });
      return { secretsProvider: k.secretsProvider, keyArn: k.keyArn };
    },
  });

describe("SecretsProviderKey", () => {
  it("is a rotating, protected key with the alias the stacks name in awskms://", async () => {
    const r = await render();
    const key = one(r, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(key.protect).toBe(true);
    expect(one(r, "aws:kms/alias:Alias").inputs).toEqual({ name: "alias/mlapi-secrets-shared", targetKeyId: key.id });
    expect(r.outputs.secretsProvider).toBe("awskms://alias/mlapi-secrets-shared?region=eu-west-1");
  });

  it.each([
    [
      "alias/aws/s3",
      30,
      'SecretsProviderKey secrets: aliasName must be alias/<letters, digits, / _ -> and not alias/aws/..., got "alias/aws/s3"',
    ],
    [
      "alias/mlapi-secrets-shared",
      6,
      "SecretsProviderKey secrets: deletionWindowInDays must be a whole number from 7 to 30, got 6",
    ],
  ])("refuses alias %s with a %d-day window", async (alias, window, message) => {
    await expect(render(alias, window)).rejects.toThrow(message);
  });
});
