// ML API entry point: config from the environment -> HTTP server (answers /health with 503
// at once) -> model workers + stores in parallel -> ready. SIGTERM drains and exits.
import { existsSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import sharp from "sharp";
import { ConfigError, loadConfig, parseDbSecret, type AppConfig } from "./config";
import { FatalProbeError, Health } from "./health";
import { HttpError } from "./http/errors";
import { InferencePool } from "./inference/pool";
import { createLogger, type Logger } from "./log";
import { Metrics, startEmfGauges, startMetricsServer } from "./metrics";
import { loadManifest } from "./model/manifest";
import { createApp, ROUTES } from "./server";
import { Db } from "./stores/db";
import { insertPrediction, migrate } from "./stores/predictions";
import { getSecretString } from "./stores/secrets-manager";
import { SessionStore } from "./stores/sessions";

async function main(): Promise<void> {
  const bootLog = createLogger("info");
  let cfg: AppConfig;
  try {
    cfg = loadConfig();
  } catch (err) {
    bootLog.error(err instanceof ConfigError ? err.message : "configuration failed", { err });
    process.exit(78); // EX_CONFIG: ECS shows the stopped reason; the log line says what to fix
  }
  const log = createLogger(cfg.logLevel);
  if (cfg.db.ssl === "verify-full" && !existsSync(cfg.db.caPath)) {
    log.error(`DB_CA_PATH ${cfg.db.caPath} does not exist: the image must carry the RDS CA bundle (apps/ml-api/README.md, "The RDS CA bundle") or DB_CA_PATH must point at it`);
    process.exit(78);
  }
  // libvips would otherwise start one thread per core per image on top of the inference workers.
  sharp.concurrency(1);
  sharp.cache(false);

  const manifest = loadManifest(cfg.modelManifest);
  const ddb = new DynamoDBClient({ region: cfg.region, endpoint: cfg.dynamodbEndpoint, maxAttempts: 3 });
  const sessions = new SessionStore({ table: cfg.sessionsTable, key: cfg.sessionsKey, ttlSeconds: cfg.sessionTtlSeconds, client: ddb });

  // Credentials: the secret JSON ECS injected at start; after rotation, the live value from
  // Secrets Manager when the ARN is configured (else the task keeps failing health and ECS
  // replaces it with a task that gets the new value injected).
  let firstLoad = true;
  const credentials = async () => {
    if (firstLoad || !cfg.db.secretArn) {
      firstLoad = false;
      return parseDbSecret(process.env.DB_SECRET ?? cfg.db.secretJson);
    }
    return parseDbSecret(await getSecretString(cfg.db.secretArn, cfg.region, ddb.config.credentials));
  };
  let db: Db | undefined;
  const health = new Health(
    {
      postgres: async () => {
        db ??= await Db.connect({ ...cfg.db, credentials, log });
        try {
          await db.query("SELECT 1");
        } catch (err) {
          // still rejected after a reload: only a task started with the current secret recovers
          if (Db.isAuthFailure(err)) throw new FatalProbeError(`database rejects the credentials: ${(err as Error).message}`);
          throw err;
        }
      },
      dynamodb: () => sessions.ping(),
    },
    log,
  );
  let pool: InferencePool | undefined;
  const metrics = new Metrics(Object.keys(ROUTES));
  metrics.gauge("mlapi_inference_queue_depth", "Images waiting for a free inference worker.", () => pool?.queued ?? 0);
  metrics.gauge("mlapi_workers_busy", "Inference workers running a batch now.", () => pool?.busy ?? 0);
  metrics.gauge("mlapi_workers", "Inference workers.", () => pool?.size ?? 0);
  metrics.gauge("mlapi_worker_busy_seconds", "Worker-seconds spent on inference since start (utilisation = rate / mlapi_workers).", () => (pool?.busyMs ?? 0) / 1000);
  const metricsServer = cfg.metricsPort ? startMetricsServer(metrics, cfg.metricsPort, log) : undefined;
  startEmfGauges(metrics, log);

  const app = createApp({
    manifest,
    limits: { maxImageBytes: cfg.maxImageBytes, maxImagePixels: cfg.maxImagePixels, maxTopK: cfg.maxTopK },
    infer: (pixels) => (pool ? pool.run(pixels) : Promise.reject(new HttpError(503, "not_ready", "the model is still loading"))),
    sessions: { touchOrCreate: (id) => unavailableOnError("sessions", sessions.touchOrCreate(id), log) },
    recordPrediction: (p) => unavailableOnError("predictions", db ? insertPrediction(db, p) : Promise.reject(new Error("database not connected yet")), log),
    health,
    workers: () => ({ size: pool?.size ?? 0, busy: pool?.busy ?? 0, queued: pool?.queued ?? 0 }),
    log,
    metrics,
  });
  await new Promise<void>((resolve) => app.server.listen(cfg.port, resolve));
  log.info("listening", { port: cfg.port, metricsPort: cfg.metricsPort || undefined, model: manifest.name, modelVersion: manifest.version, workerThreads: cfg.workerThreads });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    health.draining = true;
    log.info("draining", { signal, inFlight: app.inFlight() });
    // Give the load balancer time to see /health fail and stop routing here, then stop accepting.
    await sleep(cfg.drainDelayMs);
    app.server.close();
    app.server.closeIdleConnections();
    metricsServer?.close();
    const deadline = Date.now() + cfg.shutdownTimeoutMs;
    while (app.inFlight() > 0 && Date.now() < deadline) await sleep(50);
    if (app.inFlight() > 0) log.warn("shutdown timeout: abandoning in-flight requests", { inFlight: app.inFlight() });
    health.stop();
    await Promise.allSettled([pool?.close(), db?.close()]);
    ddb.destroy();
    log.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const started = Date.now();
  await Promise.all([
    InferencePool.start(manifest, cfg.workerThreads, cfg.maxQueue, log).then((p) => {
      pool = p;
      health.modelReady = true;
      log.info("model loaded", { workers: p.size, ms: Date.now() - started });
    }),
    waitForStores(health, () => db, log),
  ]);
  health.startPolling(15_000);
  log.info("ready", { ms: Date.now() - started });
}

/** Retries until every store answers, then applies the schema migrations (idempotent). */
async function waitForStores(health: Health, getDb: () => Db | undefined, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await health.check()) {
      try {
        const db = getDb();
        if (!db) throw new Error("database not connected");
        const applied = await migrate(db);
        log.info("schema up to date", { applied });
        return;
      } catch (err) {
        log.error("migration failed; retrying", { err, attempt });
      }
    }
    await sleep(Math.min(1000 * attempt, 10_000));
  }
}

async function unavailableOnError<T>(store: string, p: Promise<T>, log: Logger): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    log.error("store call failed", { store, err });
    throw new HttpError(503, "store_unavailable", `the ${store} store is unavailable; retry shortly`, { "Retry-After": "2" });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: Error) => {
  createLogger("info").error("fatal start-up error", { err });
  process.exit(1);
});
