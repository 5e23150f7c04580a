// Load benchmark (not a test): the model's own limit and the API's, side by side, on one core.
//
// 1. raw model: onnxruntime-node alone (scripts/raw-model.ts), batch 1, pinned to the same CPU
//    the service gets, before and after the API runs (the machine is shared: the mean of the two
//    is the limit the API is compared with);
// 2. the service (PostgreSQL + dynalite + src/main.ts, one worker thread, pinned to one CPU):
//    peak: closed-loop clients as fast as answers come back;
//    1000 req/min: an open-loop request every 60 ms (the service layer's scaling target), p50/p95.
// Every request is the same photo-like 640x480 JPEG of ~40 kB to POST /api/v2/classify.
// The figures go to apps/ml-api/benchmarks/capacity.json (read by the service layer's sizing and the
// cost model; its fields are a contract) and the run's detail to dist/bench/results.json.
//
//   npx nx run ml-api:bench
//   BENCH_SECONDS=60 npx nx run ml-api:bench
//
// Env: BENCH_SECONDS (peak phase, default 20), BENCH_RATE_SECONDS (1000 req/min phase, default 20),
// BENCH_RAW_SECONDS (each raw-model phase, default 8), BENCH_WARMUP_SECONDS (default 5),
// BENCH_CONCURRENCY (closed-loop clients in the peak phase, default 4), BENCH_PIN (default 1: pin
// the service and the raw model to CPU 0 with taskset when the machine has more than one CPU),
// BENCH_CAPACITY_OUT, BENCH_OUT (file paths), BENCH_NODE_OPTIONS (NODE_OPTIONS for the service only).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { photoJpegOfSize } from "../tests/support/images";
import { startServer } from "../tests/support/server-process";
import { builtModelManifest, startStores } from "../tests/support/services";

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const PEAK_SECONDS = num("BENCH_SECONDS", 20);
const RATE_SECONDS = num("BENCH_RATE_SECONDS", 20);
const RAW_SECONDS = num("BENCH_RAW_SECONDS", 8);
const WARMUP = num("BENCH_WARMUP_SECONDS", 5);
const CLIENTS = num("BENCH_CONCURRENCY", 4);
const ROUTE = "/api/v2/classify";
const RATE_PER_MIN = 1000; // the service layer's ALBRequestCountPerTarget target
const IMAGE_BYTES = 40_000;
const APP = join(__dirname, "..");
const CAPACITY_OUT = process.env.BENCH_CAPACITY_OUT ?? join(APP, "benchmarks", "capacity.json");
const OUT = process.env.BENCH_OUT ?? join(APP, "dist", "bench", "results.json");

/** What apps/ml-api/benchmarks/capacity.json holds. Figures are per worker thread on one CPU. */
interface Capacity {
  measuredAt: string;
  node: string;
  cpuModel: string;
  workers: number;
  coresPinned: number;
  image: { format: "jpeg"; bytes: number; width: number; height: number };
  rawModel: { inferencesPerSecond: number };
  api: { route: string; peakRequestsPerSecond: number; p95MsAt1000Rpm: number; p50MsAt1000Rpm: number };
  ratio: number;
}

interface Phase {
  requests: number;
  /** CPU time of the service process (all threads) per answered request, ms. */
  cpuMsPerRequest: number;
  /** The same by thread name (threads that exited during the phase are missing). */
  cpuMsPerRequestByThread: Record<string, number>;
  errors: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Server-side stage medians (latencyMs in the v2 answers). */
  stagesMsP50: Record<string, number>;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
const r1 = (n: number) => Math.round(n * 10) / 10;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rawModel(pin: string | undefined): { inferencesPerSecond: number; cpuMsPerInference: number } {
  const args = [
    process.execPath,
    "--import",
    "tsx",
    join(__dirname, "raw-model.ts"),
    builtModelManifest(),
    String(RAW_SECONDS),
  ];
  const [cmd, ...rest] = pin ? ["taskset", "-c", pin, ...args] : args;
  const out = execFileSync(cmd, rest, {
    encoding: "utf8",
    cwd: join(APP, "..", ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
    inferencesPerSecond: number;
    cpuMsPerInference: number;
  };
}

/** One POST; resolves with the client-side latency and the server's stage timings, or undefined on error. */
async function classify(
  url: string,
  image: Buffer,
): Promise<{ ms: number; stages: Record<string, number> } | undefined> {
  const started = performance.now();
  try {
    const res = await fetch(url + ROUTE, { method: "POST", body: image, headers: { "content-type": "image/jpeg" } });
    const body = (await res.json()) as { latencyMs?: Record<string, number> };
    return res.status === 200 ? { ms: performance.now() - started, stages: body.latencyMs ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a Linux process (all its threads), ms. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * CPU ms of each of the process's threads, summed by thread name (the main thread is "main"; Node
 * names the others: "libuv-worker" runs sharp, the worker thread's own name shows as "node" too
 * but is not the main thread). Where a request's CPU goes, without a profiler's sampling bias.
 */
function cpuMsByThread(pid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = tid === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[name] = (out[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    }
  } catch {
    // the process is gone: no breakdown
  }
  return out;
}
const perRequest = (before: Record<string, number>, after: Record<string, number>, n: number) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, r1((v - (before[k] ?? 0)) / n)] as const)
      .filter(([, v]) => v > 0),
  );

function summarise(
  samples: Array<{ ms: number; stages: Record<string, number> }>,
  errors: number,
  seconds: number,
  cpu: number,
  byThread: Record<string, number>,
): Phase {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const stagesMsP50: Record<string, number> = {};
  for (const key of Object.keys(samples[0]?.stages ?? {})) {
    stagesMsP50[key] = r1(
      pct(
        samples.map((s) => s.stages[key]).sort((a, b) => a - b),
        50,
      ),
    );
  }
  return {
    requests: samples.length,
    cpuMsPerRequest: r1(cpu / samples.length),
    cpuMsPerRequestByThread: byThread,
    errors,
    seconds: r1(seconds),
    perSecond: r1(samples.length / seconds),
    latencyMs: { p50: r1(pct(ms, 50)), p95: r1(pct(ms, 95)), p99: r1(pct(ms, 99)), max: r1(ms.at(-1) ?? NaN) },
    stagesMsP50,
  };
}

/** Closed loop: CLIENTS clients, each sending its next request when the previous answer arrives. */
async function peak(url: string, image: Buffer, pid: number | undefined): Promise<Phase> {
  const samples: Array<{ ms: number; stages: Record<string, number> }> = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const r = await classify(url, image);
      if (!measuring) continue;
      if (r) samples.push(r);
      else errors++;
    }
  };
  const running = Array.from({ length: CLIENTS }, client);
  await sleep(WARMUP * 1000);
  measuring = true;
  const t0 = performance.now();
  const cpu0 = cpuMs(pid);
  const threads0 = cpuMsByThread(pid);
  await sleep(PEAK_SECONDS * 1000);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs(pid) - cpu0;
  const byThread = perRequest(threads0, cpuMsByThread(pid), samples.length);
  stop = true;
  await Promise.all(running);
  return summarise(samples, errors, seconds, cpu, byThread);
}

/** Open loop: one request every 60000/RATE_PER_MIN ms whatever the answers do. */
async function atRate(url: string, image: Buffer, pid: number | undefined): Promise<Phase> {
  const samples: Array<{ ms: number; stages: Record<string, number> }> = [];
  let errors = 0;
  const interval = 60_000 / RATE_PER_MIN;
  const count = Math.round((RATE_SECONDS * 1000) / interval);
  const t0 = performance.now();
  const cpu0 = cpuMs(pid);
  const threads0 = cpuMsByThread(pid);
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(classify(url, image).then((r) => void (r ? samples.push(r) : errors++)));
  }
  await Promise.all(pending);
  const byThread = perRequest(threads0, cpuMsByThread(pid), samples.length);
  return summarise(samples, errors, (performance.now() - t0) / 1000, cpuMs(pid) - cpu0, byThread);
}

async function main(): Promise<void> {
  const image = await photoJpegOfSize(IMAGE_BYTES);
  const meta = await sharp(image).metadata();
  const pin =
    process.env.BENCH_PIN !== "0" && availableParallelism() > 1 && spawnSync("taskset", ["-V"]).status === 0
      ? "0"
      : undefined;

  const rawBefore = rawModel(pin);
  const { pg, ddb } = await startStores();
  let peakPhase: Phase;
  let ratePhase: Phase;
  try {
    // BENCH_NODE_OPTIONS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the service's CPU goes under load
    const env: Record<string, string> = { WORKER_THREADS: "1", LOG_LEVEL: "warn", MAX_QUEUE: "1000" };
    if (process.env.BENCH_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS;
    const srv = await startServer(pg, ddb, env, pin);
    try {
      await srv.waitForHealthy(120_000);
      peakPhase = await peak(srv.url, image, srv.child.pid);
      ratePhase = await atRate(srv.url, image, srv.child.pid);
    } finally {
      await srv.stop();
    }
  } finally {
    await ddb.stop();
    pg.stop();
  }
  const rawAfter = rawModel(pin);
  const raw = r1((rawBefore.inferencesPerSecond + rawAfter.inferencesPerSecond) / 2);
  const rawCpuMs = (rawBefore.cpuMsPerInference + rawAfter.cpuMsPerInference) / 2;

  const capacity: Capacity = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus()[0]?.model ?? "unknown",
    workers: 1,
    coresPinned: 1,
    image: { format: "jpeg", bytes: image.length, width: meta.width ?? 0, height: meta.height ?? 0 },
    rawModel: { inferencesPerSecond: raw },
    api: {
      route: ROUTE,
      peakRequestsPerSecond: peakPhase.perSecond,
      p95MsAt1000Rpm: ratePhase.latencyMs.p95,
      p50MsAt1000Rpm: ratePhase.latencyMs.p50,
    },
    ratio: r3(peakPhase.perSecond / raw),
  };
  mkdirSync(dirname(CAPACITY_OUT), { recursive: true });
  writeFileSync(CAPACITY_OUT, JSON.stringify(capacity, null, 2) + "\n");
  // CPU-time view, robust to other processes on the pinned core: what the ratio would be on an idle one
  const cpuRatio = r3(rawCpuMs / peakPhase.cpuMsPerRequest);
  const detail = {
    capacity,
    pinnedTo: pin ?? "all",
    loadAvg1m: r1(loadavg()[0]),
    clients: CLIENTS,
    rawModel: { before: rawBefore, after: rawAfter },
    peak: peakPhase,
    at1000Rpm: ratePhase,
    cpuRatio,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(detail, null, 2) + "\n");

  console.log(
    `\nML API benchmark: ${ROUTE}, one worker thread, CPU ${pin ?? "unpinned"}, ${image.length}-byte ${meta.width}x${meta.height} JPEG`,
  );
  console.log(
    `machine: ${availableParallelism()} CPUs (${capacity.cpuModel}), load average ${detail.loadAvg1m}, node ${capacity.node}\n`,
  );
  console.log(
    "| raw model inf/s (before, after) | API peak req/s | ratio | p50 ms @1000/min | p95 ms @1000/min | errors |",
  );
  console.log("|---|---|---|---|---|---|");
  console.log(
    `| ${raw} (${rawBefore.inferencesPerSecond}, ${rawAfter.inferencesPerSecond}) | ${peakPhase.perSecond} | ${capacity.ratio} | ${ratePhase.latencyMs.p50} | ${ratePhase.latencyMs.p95} | ${peakPhase.errors + ratePhase.errors} |`,
  );
  console.log(`\nserver stage medians at peak (ms): ${JSON.stringify(peakPhase.stagesMsP50)}`);
  console.log(
    `CPU per inference (raw) ${r1(rawCpuMs)} ms, per request (API, all threads) ${peakPhase.cpuMsPerRequest} ms: ` +
      `CPU ratio ${cpuRatio} (the throughput ratio on a core nothing else uses)`,
  );
  console.log(`CPU ms per request at peak by thread: ${JSON.stringify(peakPhase.cpuMsPerRequestByThread)}`);
  // The raw limit is measured before and after the API: when the two disagree, something else took
  // the pinned core during the run and the wall-clock ratio says more about the neighbours than the API.
  const rawSpread = Math.abs(rawBefore.inferencesPerSecond - rawAfter.inferencesPerSecond) / raw;
  if (rawSpread > 0.1)
    console.log(
      `WARNING: the raw model's before and after differ by ${Math.round(rawSpread * 100)} %: the core was shared ` +
        `(load average ${detail.loadAvg1m}); trust the CPU ratio, and re-run before committing capacity.json`,
    );
  console.log(`one worker/vCPU carries ~${Math.round(peakPhase.perSecond * 60)} req/min at peak`);
  console.log(`\ncapacity written to ${CAPACITY_OUT}\ndetail written to ${OUT}`);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
