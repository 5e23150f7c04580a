// R23: RDS rotates the master secret every 7 days. The service runs as ECS runs it (DB_SECRET
// injected at start, DB_SECRET_ARN set) against a real PostgreSQL whose password is rotated
// mid-run, behind a local stand-in for Secrets Manager: no request fails, the service re-reads the
// secret by ARN once, and /health stays healthy (no task would be replaced).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Client } from "pg";
import { pattern } from "./support/images";
import { startServer, type ServerProcess } from "./support/server-process";
import { startStores, type Dynamo, type PgCluster } from "./support/services";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0123-AbCdEf";
// The service's background health probe runs every 15 s; watching longer sees at least one after the rotation.
const HEALTH_PROBE_INTERVAL_MS = 15_000;

/** Answers GetSecretValue for SECRET_ARN with the current password, and records each call. */
function secretsManagerStandIn(user: string, password: () => string) {
  const calls: Array<{ target: string; secretId: string; signed: boolean }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const secretId = String((JSON.parse(body || "{}") as { SecretId?: string }).SecretId);
      const target = String(req.headers["x-amz-target"]);
      calls.push({
        target,
        secretId,
        signed: String(req.headers.authorization).startsWith("AWS4-HMAC-SHA256 Credential=test/"),
      });
      if (target !== "secretsmanager.GetSecretValue" || secretId !== SECRET_ARN) {
        res
          .writeHead(400, { "content-type": "application/x-amz-json-1.1" })
          .end(JSON.stringify({ __type: "ResourceNotFoundException" }));
        return;
      }
      const secret = JSON.stringify({ username: user, password: password(), engine: "postgres" });
      res
        .writeHead(200, { "content-type": "application/x-amz-json-1.1" })
        .end(JSON.stringify({ ARN: SECRET_ARN, SecretString: secret }));
    });
  });
  return { server, calls };
}

describe("database password rotation under load (R23)", () => {
  let pg: PgCluster;
  let ddb: Dynamo;
  let srv: ServerProcess;
  let admin: Client;
  let password: string;
  let standIn: ReturnType<typeof secretsManagerStandIn>;
  let image: Buffer;

  beforeAll(async () => {
    ({ pg, ddb } = await startStores());
    password = pg.password;
    standIn = secretsManagerStandIn(pg.user, () => password);
    await new Promise<void>((resolve) => standIn.server.listen(0, "127.0.0.1", resolve));
    const standInUrl = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    // A session opened before the rotation, as an operator's would be: it outlives the password change.
    admin = new Client({ host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password });
    await admin.connect();
    srv = await startServer(pg, ddb, {
      DB_SECRET_ARN: SECRET_ARN,
      SECRETS_MANAGER_STAND_IN: standInUrl,
      NODE_OPTIONS: `--import ${join(__dirname, "support", "secrets-manager-redirect.mjs")}`,
    });
    image = await pattern(1, 320, 240);
    await srv.waitForHealthy();
  }, 90_000);

  afterAll(async () => {
    await srv?.stop("SIGKILL");
    await admin?.end();
    await new Promise((resolve) => standIn?.server.close(resolve));
    await ddb?.stop();
    pg?.stop();
  });

  const classify = async () =>
    (
      await fetch(`${srv.url}/api/v1/classify`, {
        method: "POST",
        body: image,
        headers: { "content-type": "image/jpeg" },
      })
    ).status;
  const health = async () => {
    const res = await fetch(`${srv.url}/health`);
    const body = (await res.json()) as { status: string; stores: Record<string, string> };
    return { code: res.status, status: body.status, postgres: body.stores.postgres };
  };

  it("keeps answering 200 and healthy while the password rotates, re-reading the secret by ARN", async () => {
    const before = await Promise.all([classify(), classify(), classify()]);
    expect(before).toEqual([200, 200, 200]);
    expect(standIn.calls).toEqual([]);

    // The rotation: RDS sets a new password and stores it in the secret; connections that must
    // log in again (every new pool connection) are refused with the old one until the app re-reads it.
    password = "rotated-secret-2";
    await admin.query(`ALTER ROLE ${pg.user} PASSWORD '${password}'`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mlapi'");

    const during = await Promise.all(Array.from({ length: 6 }, () => classify()));
    expect(during).toEqual([200, 200, 200, 200, 200, 200]);

    // Health, polled as the ALB and the container check do, for longer than one background probe.
    const seen: Array<{ code: number; status: string; postgres: string }> = [];
    const until = Date.now() + HEALTH_PROBE_INTERVAL_MS + 2_000;
    while (Date.now() < until) {
      seen.push(await health());
      expect(await classify()).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(seen.every((h) => h.code === 200 && h.status === "ok" && h.postgres === "ok")).toBe(true);

    // One reload (concurrent failures share it), through a signed GetSecretValue of exactly this ARN.
    expect(standIn.calls.length).toBeGreaterThanOrEqual(1);
    for (const call of standIn.calls)
      expect(call).toEqual({ target: "secretsmanager.GetSecretValue", secretId: SECRET_ARN, signed: true });
    const messages = srv.logs.map((l) => l.msg);
    expect(messages).toContain("database credentials reloaded");
    expect(messages).not.toContain("store call failed");
    // Every classification after the rotation was recorded with the new password.
    const rows = await admin.query("SELECT count(*)::int AS n FROM predictions");
    expect(rows.rows[0].n).toBeGreaterThanOrEqual(3 + 6);
  }, 60_000);
});
