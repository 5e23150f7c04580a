// Real services for the service tests and the benchmark: a throw-away PostgreSQL cluster from
// the Debian packages and dynalite (DynamoDB in Node) behind a small TTL shim.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** initdb/pg_ctl/postgres: $PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. Never silently skipped. */
export function findPgBin(pgBin = process.env.PG_BIN, root = "/usr/lib/postgresql"): string {
  const candidates = [
    pgBin,
    ...(existsSync(root)
      ? readdirSync(root)
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => join(root, v, "bin"))
      : []),
  ];
  const bin = candidates.find(
    (d) => d && existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")) && existsSync(join(d, "postgres")),
  );
  if (!bin) {
    throw new Error(
      "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in $PG_BIN or /usr/lib/postgresql/*/bin. " +
        "The ml-api service tests need them: apt-get install -y postgresql (.ci/run installs it), or set PG_BIN.",
    );
  }
  return bin;
}

export interface PgCluster {
  host: string;
  /** TLS is on: the server certificate (SAN IP:127.0.0.1) is signed by this test CA. */
  caPath: string;
  /** A second CA that signed nothing the server presents (for the "wrong CA" case). */
  otherCaPath: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Stops the server (fast shutdown: sessions are terminated), keeping the data: an outage. */
  pause(): void;
  /** Starts it again on the same port. */
  resume(): void;
  stop(): void;
}

/**
 * A test CA and a server certificate for 127.0.0.1 (openssl CLI, part of every Debian base). EC P-256
 * keys (RDS offers ECC CAs too): making three RSA-2048 keys took ~1.5 CPU-s per cluster, these ~0.03.
 */
function makeCertificates(dir: string): { caPath: string; otherCaPath: string; certPath: string; keyPath: string } {
  const ssl = (...args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
  };
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...newKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mlapi test CA");
  ssl(
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    "other.key",
    "-out",
    "other.pem",
    "-days",
    "2",
    "-subj",
    "/CN=some other CA",
  );
  ssl("req", ...newKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  return {
    caPath: join(dir, "ca.pem"),
    otherCaPath: join(dir, "other.pem"),
    certPath: join(dir, "server.pem"),
    keyPath: join(dir, "server.key"),
  };
}

/**
 * A private cluster on a free port in a temp dir, TLS on (certificates from a throw-away CA, as
 * Aurora's come from the RDS CA), password (SCRAM) auth so that credential failures are real. PostgreSQL refuses to run as root: as root, the cluster runs as the
 * `postgres` system user the Debian package creates.
 */
export async function startPostgres(): Promise<PgCluster> {
  const bin = findPgBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mlapi-pg-"));
  try {
    return startPostgresIn(dir, bin, port);
  } catch (err) {
    // nothing of a cluster that failed to start stays behind (it holds throw-away keys)
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function startPostgresIn(dir: string, bin: string, port: number): PgCluster {
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    // runuser lives in /usr/sbin, which a minimal PATH may lack
    const runuser = existsSync("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
    const [file, argv] = asRoot ? [runuser, ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const user = "mlapi";
  const password = "initial-secret-1";
  writeFileSync(join(dir, "pw"), password);
  chmodSync(join(dir, "pw"), 0o644);
  const data = join(dir, "data");
  const tls = makeCertificates(dir);
  // the key must belong to the server's user and be private, or PostgreSQL refuses to start
  if (asRoot) execFileSync("chown", ["postgres", tls.keyPath, tls.certPath]);
  chmodSync(tls.keyPath, 0o600);
  // A throwaway cluster: no fsync at creation either (the server runs with fsync=off).
  run("initdb", [
    "-D",
    data,
    "-U",
    user,
    "--pwfile",
    join(dir, "pw"),
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
    "--no-instructions",
    "--no-sync",
  ]);
  const opts = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=${tls.certPath} -c ssl_key_file=${tls.keyPath}`;
  const start = () => run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-t", "30", "-o", opts, "start"]);
  const stopServer = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  const cluster: PgCluster = {
    host: "127.0.0.1",
    caPath: tls.caPath,
    otherCaPath: tls.otherCaPath,
    port,
    database: "postgres",
    user,
    password,
    pause: stopServer,
    resume: start,
    stop: () => {
      try {
        if (existsSync(join(data, "postmaster.pid"))) stopServer();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}

export interface Dynamo {
  endpoint: string;
  table: string;
  /** Time-to-live settings the shim recorded per table (what UpdateTimeToLive set). */
  ttl: Map<string, { AttributeName: string; Enabled: boolean }>;
  client: DynamoDBClient;
  /** Stops listening and drops every open connection: an outage (the data stays). */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * dynalite implements the item and table APIs but not UpdateTimeToLive, and its
 * DescribeTimeToLive always answers DISABLED. The shim in front answers those two from
 * memory and proxies everything else, so the tests can enable TTL on `expiresAt` exactly as
 * the data layer does. (Like dynalite, it never deletes expired items — which is the point:
 * real TTL deletion lags, and the service must treat expired items as absent.)
 */
export async function startDynamo(table = "mlapi-sessions-test", key = "sessionId"): Promise<Dynamo> {
  const dynalite = require("dynalite") as (opts: Record<string, unknown>) => Server;
  const backend = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  const backendPort = (backend.address() as { port: number }).port;
  const ttl = new Map<string, { AttributeName: string; Enabled: boolean }>();

  const shim = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers["x-amz-target"] ?? "");
      const reply = (obj: unknown) => {
        const text = JSON.stringify(obj);
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      if (target.endsWith(".UpdateTimeToLive")) {
        const { TableName, TimeToLiveSpecification } = JSON.parse(body.toString()) as {
          TableName: string;
          TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
        };
        ttl.set(TableName, TimeToLiveSpecification);
        return reply({ TimeToLiveSpecification });
      }
      if (target.endsWith(".DescribeTimeToLive")) {
        const spec = ttl.get((JSON.parse(body.toString()) as { TableName: string }).TableName);
        return reply({
          TimeToLiveDescription: spec?.Enabled
            ? { TimeToLiveStatus: "ENABLED", AttributeName: spec.AttributeName }
            : { TimeToLiveStatus: "DISABLED" },
        });
      }
      const proxied = httpRequest(
        { host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      proxied.on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      proxied.end(body);
    });
  });
  await new Promise<void>((r) => shim.listen(0, "127.0.0.1", r));
  const shimPort = (shim.address() as { port: number }).port;
  const endpoint = `http://127.0.0.1:${shimPort}`;
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
      KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    }),
  );
  return {
    endpoint,
    table,
    ttl,
    client,
    pause: async () => {
      const closed = new Promise((r) => shim.close(r));
      shim.closeAllConnections();
      await closed;
    },
    resume: () => new Promise<void>((r) => shim.listen(shimPort, "127.0.0.1", r)),
    stop: async () => {
      client.destroy();
      shim.closeAllConnections();
      backend.closeAllConnections?.();
      await Promise.all([
        new Promise((r) => (shim.listening ? shim.close(r) : r(undefined))),
        new Promise((r) => backend.close(r)),
      ]);
    },
  };
}

/** The model the service tests use: built by `nx run ml-api:build-model` (a dependency of test). */
export function builtModelManifest(): string {
  const path = join(__dirname, "..", "..", "dist", "model", "model.json");
  if (!existsSync(path))
    execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "..", "..", "scripts", "build-model.ts")], {
      stdio: "inherit",
      cwd: join(__dirname, "..", "..", "..", ".."),
    });
  return path;
}

/**
 * PostgreSQL and DynamoDB side by side. When one fails to start, the other is stopped before the
 * error propagates: a dynalite server left listening would keep jest from ever exiting, turning a
 * clear failure into a hung CI job.
 */
export async function startStores(): Promise<{ pg: PgCluster; ddb: Dynamo }> {
  const [pg, ddb] = await Promise.allSettled([startPostgres(), startDynamo()]);
  if (pg.status === "fulfilled" && ddb.status === "fulfilled") return { pg: pg.value, ddb: ddb.value };
  if (pg.status === "fulfilled") pg.value.stop();
  if (ddb.status === "fulfilled") await ddb.value.stop();
  throw pg.status === "rejected" ? pg.reason : (ddb as PromiseRejectedResult).reason;
}
