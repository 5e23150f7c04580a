import { getSecretString, type FetchLike } from "../src/stores/secrets-manager";

const CREDS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "token-1",
};
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-XyZ12";

describe("getSecretString (credential reload after rotation)", () => {
  it("sends a SigV4-signed GetSecretValue to the regional endpoint and returns SecretString", async () => {
    const calls: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    const fetchImpl: FetchLike = async (url, init) => {
      calls.push({ url, headers: init.headers, body: init.body });
      return {
        ok: true,
        status: 200,
        text: async () => JSON.stringify({ ARN, SecretString: '{"username":"u","password":"new"}' }),
      };
    };
    expect(await getSecretString(ARN, "eu-west-1", CREDS, fetchImpl)).toBe('{"username":"u","password":"new"}');
    const [call] = calls;
    expect(call.url).toBe("https://secretsmanager.eu-west-1.amazonaws.com/");
    expect(JSON.parse(call.body)).toEqual({ SecretId: ARN });
    expect(call.headers["x-amz-target"]).toBe("secretsmanager.GetSecretValue");
    expect(call.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(call.headers["x-amz-security-token"]).toBe("token-1");
    expect(call.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
  });

  it("reports the AWS error type and never the secret", async () => {
    const fetchImpl: FetchLike = async () => ({
      ok: false,
      status: 400,
      text: async () => JSON.stringify({ __type: "AccessDeniedException", message: "not allowed" }),
    });
    await expect(getSecretString(ARN, "eu-west-1", CREDS, fetchImpl)).rejects.toThrow(
      "Secrets Manager GetSecretValue failed: HTTP 400 AccessDeniedException",
    );
  });
});
