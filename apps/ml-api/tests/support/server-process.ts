// Starts the real service (src/main.ts under tsx, so inference runs in real worker threads)
// against the test services, and stops it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Dynamo, PgCluster } from "./services";
import { builtModelManifest, freePort } from "./services";

const REPO_ROOT = join(__dirname, "..", "..", "..", "..");
const MAIN = join(__dirname, "..", "..", "src", "main.ts");

export interface ServerProcess {
  url: string;
  /** The Prometheus endpoint (METRICS_PORT). */
  metricsUrl: string;
  child: ChildProcess;
  /** Every log line the process wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  waitForHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The service's environment for the local test stores, as ECS gives it in AWS (one worker thread). */
export function storeEnv(pg: PgCluster, ddb: Dynamo): Record<string, string> {
  return {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    SESSIONS_TABLE_NAME: ddb.table,
    DYNAMODB_ENDPOINT: ddb.endpoint,
    DB_HOST: pg.host,
    DB_PORT: String(pg.port),
    DB_NAME: pg.database,
    DB_SSL: "verify-full",
    DB_CA_PATH: pg.caPath,
    // The RDS-managed master secret's JSON shape.
    DB_SECRET: JSON.stringify({ username: pg.user, password: pg.password, engine: "postgres" }),
    WORKER_THREADS: "1",
  };
}

/** `cpus`: pin the server to these CPUs with taskset (e.g. "0"), to measure what one vCPU carries. */
export async function startServer(
  pg: PgCluster,
  ddb: Dynamo,
  env: Record<string, string> = {},
  cpus?: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const [cmd, ...args] = [...(cpus ? ["taskset", "-c", cpus] : []), process.execPath, "--import", "tsx", MAIN];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ...storeEnv(pg, ddb),
      MODEL_MANIFEST: builtModelManifest(),
      LOG_LEVEL: "debug",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  let buf = "";
  child.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ unparsed: line });
      }
    }
  });
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    logs,
    stderr,
    async waitForHealthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null)
          throw new Error(`server exited with ${child.exitCode}: ${stderr.join("")} ${JSON.stringify(logs.slice(-5))}`);
        try {
          if ((await fetch(`${url}/health`)).status === 200) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`server not healthy after ${timeoutMs} ms: ${JSON.stringify(logs.slice(-5))} ${stderr.join("")}`);
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
