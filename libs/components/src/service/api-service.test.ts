import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { apiSecrets, nodeHealthCheckCommand, secretEnvName } from "./api-service";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

describe("secretEnvName", () => {
  describe.each<[string, string]>([
    [`${ARN}mlapi/dev/model-api-key-AbC123`, "MODEL_API_KEY"],
    [`${ARN}stripe.webhook-secret-Zz9Yx8`, "STRIPE_WEBHOOK_SECRET"],
    [`${ARN}HF_TOKEN-a1B2c3`, "HF_TOKEN"],
    [`${ARN}3rd-party-key-a1B2c3`, "SECRET_3RD_PARTY_KEY"],
  ])("%s", (arn, env) => {
    it(`arrives as ${env}`, () => expect(secretEnvName(arn)).toBe(env));
  });
});

describe("apiSecrets", () => {
  const master = `${ARN}rds!cluster-1234-abcdef`;

  it("injects the master secret's JSON as DB_SECRET, then each app secret", () => {
    expect(apiSecrets(master, [`${ARN}mlapi/model-api-key-AbC123`])).toEqual([
      { name: "DB_SECRET", valueFrom: master },
      { name: "MODEL_API_KEY", valueFrom: `${ARN}mlapi/model-api-key-AbC123` },
    ]);
  });

  it("refuses two secrets that would land in the same variable", () => {
    expect(() => apiSecrets(master, [`${ARN}mlapi/db-secret-AbC123`])).toThrow("Two injected secrets would both be the environment variable DB_SECRET");
    expect(() => apiSecrets(master, [`${ARN}a/token-AbC123`, `${ARN}b/token-XyZ789`])).toThrow(
      "Two injected secrets would both be the environment variable TOKEN; rename one of the secrets",
    );
  });
});

describe("nodeHealthCheckCommand", () => {
  // Runs the real command against a local server: what ECS would run inside the container. Async, so
  // this process's server can answer while the child waits.
  const run = (port: number, path = "/health") =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, nodeHealthCheckCommand(port, path).slice(2), { stdio: "ignore" });
      child.on("exit", (code) => resolve(code));
    });
  let server: http.Server;
  let port: number;
  let status = 200;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === "/health" ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is an exec-form node -e command", () => {
    expect(nodeHealthCheckCommand(8080, "/health").slice(0, 3)).toEqual(["CMD", "node", "-e"]);
  });

  it("exits 0 when /health answers 200", async () => {
    status = 200;
    expect(await run(port)).toBe(0);
  });

  it("exits 1 when /health answers anything else", async () => {
    status = 503;
    expect(await run(port)).toBe(1);
  });

  it("exits 1 when nothing listens", async () => {
    expect(await run(1)).toBe(1);
  });
});
