// Overload on one worker: 1,000 concurrent v2 classifications (loopback, one burst) against the
// real service. Admission control must refuse what it cannot take in milliseconds, before the
// bodies are read; /health must stay prompt (the ALB and ECS would otherwise kill the task);
// the accepted requests must not queue behind the refused ones.
//
// The burst comes from its own process (support/burst.js). What the server decides is measured
// from its own log (from the moment a request is parsed to its answer), which does not depend on
// how loaded the machine is: refusals p95 < 100 ms, /health p99 < 500 ms, and no work (no row) for a
// refused request.
//
// What a client sees also includes opening 1,000 connections through the kernel and the load
// generator's own time. On a shared machine that alone can take seconds, so the same burst is sent
// to a bare node:http server that answers everything at once: when that floor is low (a quiet
// machine), the client-side targets are asserted too, and admitted requests must finish within a
// few times the idle latency (on a loaded machine their bodies arrive as slowly as the load
// generator can send them); otherwise the figures are only printed.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { pattern } from "./support/images";
import { startServer, type ServerProcess } from "./support/server-process";
import { startStores, type Dynamo, type PgCluster } from "./support/services";

const CONCURRENT = 1000;
// MAX_IN_FLIGHT + MAX_WAITING on one worker thread (4 + 4 by default)
const ADMITTED_AHEAD = 8;

interface Sample {
  status: number;
  code?: string;
  retryAfter?: string;
  ms: number;
}

function burst(base: string, bodyFile: string): Promise<{ posts: Sample[]; health: Sample[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(__dirname, "support", "burst.js"), base, "/api/v2/classify", "/health", String(CONCURRENT), bodyFile],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { posts: Sample[]; health: Sample[] })
        : reject(new Error(`burst exited ${code}`)),
    );
  });
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
};

describe(`overload: ${CONCURRENT} concurrent requests on one worker`, () => {
  let pg: PgCluster;
  let ddb: Dynamo;
  let srv: ServerProcess;
  let bare: Server;
  let image: Buffer;
  let dir: string;
  let bodyFile: string;

  beforeAll(async () => {
    ({ pg, ddb } = await startStores());
    srv = await startServer(pg, ddb, { WORKER_THREADS: "1" });
    image = await pattern(2, 240, 180);
    dir = mkdtempSync(join(tmpdir(), "mlapi-burst-"));
    bodyFile = join(dir, "image.jpg");
    writeFileSync(bodyFile, image);
    // the floor: answers everything at once, without reading the body
    bare = createServer((_req, res) => {
      res.writeHead(503, { "Content-Type": "application/json", "Content-Length": 2, Connection: "close" });
      res.end("{}");
    });
    await new Promise<void>((r) => bare.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, r)); // as main.ts listens
    await srv.waitForHealthy();
  }, 90_000);

  afterAll(async () => {
    await srv?.stop("SIGKILL");
    await new Promise((r) => (bare ? bare.close(r) : r(undefined)));
    await ddb?.stop();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses the excess in milliseconds, keeps /health prompt and serves the admitted at their usual latency", async () => {
    // the usual latency: the same request on an idle service
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const res = await fetch(`${srv.url}/api/v2/classify`, {
        method: "POST",
        body: image,
        headers: { "content-type": "image/jpeg" },
      });
      await res.arrayBuffer();
      if (i >= 2) idle.push(performance.now() - t);
    }
    const usualP95 = percentile(idle, 95);

    const countRows = async () => {
      const sql = new Client({
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: pg.user,
        password: pg.password,
      });
      await sql.connect();
      const n = Number((await sql.query("SELECT count(*)::int AS n FROM predictions")).rows[0].n);
      await sql.end();
      return n;
    };
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    const floorBefore = await burst(bareUrl, bodyFile);
    const rowsBefore = await countRows();
    const logsBefore = srv.logs.length;
    const real = await burst(srv.url, bodyFile);
    const floorAfter = await burst(bareUrl, bodyFile);
    const rowsWritten = (await countRows()) - rowsBefore;
    const during = srv.logs.slice(logsBefore).filter((l) => l.msg === "request");
    const serverMs = (pick: (l: Record<string, unknown>) => boolean) =>
      during.filter(pick).map((l) => Number(l.latencyMs));
    const serverRefusals = during.filter((l) => l.status === 503);

    const refused = real.posts.filter((s) => s.status === 503);
    const accepted = real.posts.filter((s) => s.status === 200);
    const figures = {
      imageBytes: image.length,
      accepted: accepted.length,
      refused: refused.length,
      floorP95: Math.max(
        ...[floorBefore, floorAfter].map((f) =>
          percentile(
            f.posts.map((s) => s.ms),
            95,
          ),
        ),
      ),
      floorHealthP99: Math.max(
        ...[floorBefore, floorAfter].map((f) =>
          percentile(
            f.health.map((s) => s.ms),
            99,
          ),
        ),
      ),
      serverRefusedP95: percentile(
        serverMs((l) => l.status === 503),
        95,
      ),
      serverHealthP99: percentile(
        serverMs((l) => l.path === "/health"),
        99,
      ),
      serverAcceptedP95: percentile(
        serverMs((l) => l.status === 200 && l.path !== "/health"),
        95,
      ),
      refusedP95: percentile(
        refused.map((s) => s.ms),
        95,
      ),
      healthP99: percentile(
        real.health.map((s) => s.ms),
        99,
      ),
      healthChecks: real.health.length,
      acceptedP95: percentile(
        accepted.map((s) => s.ms),
        95,
      ),
      usualP95,
    };
    console.log(`overload figures (ms): ${JSON.stringify(figures)}`);

    expect(real.posts.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    expect(refused.filter((s) => s.code !== "overloaded" || s.retryAfter !== "1")).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(real.health.every((s) => s.status === 200)).toBe(true);
    // refused before the body was read: no decode, no session, no row for a refused request
    expect(rowsWritten).toBe(accepted.length);
    expect(serverRefusals).toHaveLength(refused.length);
    // logged as load shed, not as a fault: the deployment alarm leaves them out (metrics.ts)
    expect(serverRefusals.filter((l) => l.error !== "overloaded" || l.shed !== 1 || l.fault !== 0)).toEqual([]);
    expect(figures.serverRefusedP95).toBeLessThan(100);
    expect(figures.serverHealthP99).toBeLessThan(500);
    if (figures.floorP95 < 50) {
      expect(figures.refusedP95).toBeLessThan(100);
      expect(figures.healthP99).toBeLessThan(500);
      // admitted requests wait behind at most ADMITTED_AHEAD others, never behind the burst
      expect(figures.acceptedP95).toBeLessThan((ADMITTED_AHEAD + 2) * usualP95);
    } else {
      console.log(
        `client-side targets not assessed: a bare server's p95 is already ${figures.floorP95} ms on this machine now`,
      );
    }
  }, 180_000);
});
