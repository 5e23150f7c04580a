// Load benchmark (not a test): starts PostgreSQL + dynalite + the service locally, drives
// POST /api/v2/classify with closed-loop clients for a fixed time at each worker-thread count,
// and reports throughput, p50/p95/p99 latency and the requests per minute one task carries.
//
//   npx nx run ml-api:bench                       # 1 and 2 worker threads, 30 s each
//   BENCH_SECONDS=60 BENCH_THREADS=1,2,4 npx nx run ml-api:bench
//
// Env: BENCH_SECONDS (measured seconds per run, default 30), BENCH_WARMUP_SECONDS (default 5),
// BENCH_THREADS (comma list, default "1,2"), BENCH_CONCURRENCY (clients per worker, default 2),
// BENCH_PATH (default /api/v2/classify), BENCH_OUT (JSON results, default dist/bench/results.json),
// BENCH_PIN (default 1): with fewer workers than CPUs, pin the service to that many CPUs
// (taskset) so that "1 worker" measures a 1-vCPU task, not one that borrows the other core
// for decoding and I/O. The load generator, PostgreSQL and dynalite share the same machine.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { pattern } from "../tests/support/images";
import { startServer } from "../tests/support/server-process";
import { startStores } from "../tests/support/services";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const THREADS = (process.env.BENCH_THREADS ?? "1,2").split(",").map(Number);
const PER_WORKER = Number(process.env.BENCH_CONCURRENCY ?? 2);
const PATH = process.env.BENCH_PATH ?? "/api/v2/classify";
const OUT = process.env.BENCH_OUT ?? join(__dirname, "..", "dist", "bench", "results.json");
const SCALING_TARGET_PER_MIN = 1000; // service layer: ALBRequestCountPerTarget target (requests per target per minute)

interface RunResult {
  workerThreads: number;
  /** CPUs the service was pinned to, or "all". */
  cpus: string;
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  throughputPerSec: number;
  requestsPerMinute: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  serverInferenceMsP50: number;
  healthMsMax: number;
  /** Peak resident memory of the service process (main thread + workers), MiB. */
  peakRssMiB: number;
}

/** VmHWM (peak RSS) of a Linux process, MiB. */
function peakRss(pid: number | undefined): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const r1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const images = await Promise.all([pattern(1, 640, 480), pattern(2, 1024, 768), pattern(3, 800, 600), pattern(4, 480, 640)]);
  const { pg, ddb } = await startStores();
  const results: RunResult[] = [];
  try {
    for (const threads of THREADS) {
      const pin = process.env.BENCH_PIN !== "0" && threads < availableParallelism() && spawnSync("taskset", ["-V"]).status === 0;
      const cpuList = pin ? `0-${threads - 1}` : undefined;
      const srv = await startServer(pg, ddb, { WORKER_THREADS: String(threads), LOG_LEVEL: "warn", MAX_QUEUE: "1000" }, cpuList);
      try {
        await srv.waitForHealthy(120_000);
        results.push({ ...(await drive(srv.url, threads, images)), cpus: cpuList ?? "all", peakRssMiB: peakRss(srv.child.pid) });
      } finally {
        await srv.stop();
      }
    }
  } finally {
    await ddb.stop();
    pg.stop();
  }

  const machine = { cpus: availableParallelism(), model: cpus()[0]?.model, loadAvg1m: r1(loadavg()[0]), node: process.version };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ date: new Date().toISOString(), path: PATH, machine, results }, null, 2) + "\n");

  console.log(`\nML API benchmark: ${PATH}, ${SECONDS} s per run after ${WARMUP} s warm-up, ${PER_WORKER} clients per worker`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.model}), load average ${machine.loadAvg1m}, node ${machine.node}\n`);
  console.log("| worker threads | service CPUs | clients | requests | errors | req/s | req/min | p50 ms | p95 ms | p99 ms | inference p50 ms | /health max ms | peak RSS MiB |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| ${r.workerThreads} | ${r.cpus} | ${r.clients} | ${r.requests} | ${r.errors} | ${r.throughputPerSec} | ${r.requestsPerMinute} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.serverInferenceMsP50} | ${r.healthMsMax} | ${r.peakRssMiB} |`);
  }
  console.log("");
  for (const r of results) {
    const headroom = r.requestsPerMinute / SCALING_TARGET_PER_MIN;
    console.log(
      `one task with ${r.workerThreads} vCPU (WORKER_THREADS=${r.workerThreads}) carries ~${r.requestsPerMinute} req/min: ` +
        `${r1(headroom)}x the ${SCALING_TARGET_PER_MIN} req/min/target scaling target (${headroom >= 1.5 ? "headroom" : headroom >= 1 ? "little headroom" : "NO headroom: lower the target or add CPU"})`,
    );
  }
  console.log(`\nresults written to ${OUT}`);
}

async function drive(url: string, threads: number, images: Buffer[]): Promise<Omit<RunResult, "peakRssMiB" | "cpus">> {
  const clients = threads * PER_WORKER;
  const latencies: number[] = [];
  const inference: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  let healthMax = 0;

  const client = async (c: number) => {
    for (let i = c; !stop; i += clients) {
      const started = performance.now();
      try {
        const res = await fetch(url + PATH, { method: "POST", body: images[i % images.length], headers: { "content-type": "image/jpeg" } });
        const body = (await res.json()) as { latencyMs?: { inference: number } };
        if (!measuring) continue;
        if (res.status !== 200) errors++;
        else {
          latencies.push(performance.now() - started);
          if (body.latencyMs) inference.push(body.latencyMs.inference);
        }
      } catch {
        if (measuring) errors++;
      }
    }
  };
  // the ALB's view while loaded: /health latency sampled every second
  const healthProbe = async () => {
    while (!stop) {
      const t = performance.now();
      await fetch(url + "/health").catch(() => undefined);
      if (measuring) healthMax = Math.max(healthMax, performance.now() - t);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const running = [...Array.from({ length: clients }, (_, c) => client(c)), healthProbe()];
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(running);

  latencies.sort((a, b) => a - b);
  inference.sort((a, b) => a - b);
  const throughput = latencies.length / elapsed;
  return {
    workerThreads: threads,
    clients,
    seconds: r1(elapsed),
    requests: latencies.length,
    errors,
    throughputPerSec: r1(throughput),
    requestsPerMinute: Math.round(throughput * 60),
    latencyMs: { p50: r1(pct(latencies, 50)), p95: r1(pct(latencies, 95)), p99: r1(pct(latencies, 99)), max: r1(latencies.at(-1) ?? NaN) },
    serverInferenceMsP50: r1(pct(inference, 50)),
    healthMsMax: r1(healthMax),
  };
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
