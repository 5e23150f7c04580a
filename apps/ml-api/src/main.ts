// ML API entry point: config from the environment -> HTTP server (answers /health with 503
// at once) -> model workers + stores in parallel -> ready. SIGTERM drains and exits.
import { existsSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import sharp from "sharp";
import { ConfigError, loadConfig, parseDbSecret, type AppConfig } from "./config";
import { FatalProbeError, Health, withTimeout } from "./health";
import { Admission } from "./http/admission";
import { HttpError } from "./http/errors";
import { InferencePool } from "./inference/pool";
import { awsSdkLogger, createLogger, routeProcessWarnings, type Logger } from "./log";
import { Metrics, startEmfGauges, startMetricsServer } from "./metrics";
import { loadManifest } from "./model/manifest";
import { createApp, ROUTES } from "./server";
import { Db } from "./stores/db";
import { PredictionBuffer } from "./stores/prediction-buffer";
import { insertPredictions, migrate } from "./stores/predictions";
import { getSecretString } from "./stores/secrets-manager";
import { SessionStore } from "./stores/sessions";

// How long a v2 request waits for DynamoDB before answering without a session.
const SESSION_TIMEOUT_MS = 3000;
// How long shutdown tries to write prediction rows still buffered (within SHUTDOWN_TIMEOUT_MS's budget).
const BUFFER_FLUSH_AT_SHUTDOWN_MS = 3000;

async function main(): Promise<void> {
  const bootLog = createLogger("info");
  routeProcessWarnings(bootLog);
  let cfg: AppConfig;
  try {
    cfg = loadConfig();
  } catch (err) {
    bootLog.error(err instanceof ConfigError ? err.message : "configuration failed", { err });
    process.exit(78); // EX_CONFIG: ECS shows the stopped reason; the log line says what to fix
  }
  const log = createLogger(cfg.logLevel);
  routeProcessWarnings(log);
  if (cfg.db.ssl === "verify-full" && !existsSync(cfg.db.caPath)) {
    log.error(
      `DB_CA_PATH ${cfg.db.caPath} does not exist: the image must carry the RDS CA bundle (apps/ml-api/README.md, "The RDS CA bundle") or DB_CA_PATH must point at it`,
    );
    process.exit(78);
  }
  // libvips would otherwise start one thread per core per image on top of the inference workers.
  sharp.concurrency(1);
  sharp.cache(false);

  const manifest = loadManifest(cfg.modelManifest);
  // Bounded calls: an unreachable endpoint fails within seconds instead of the SDK's unbounded
  // default (without throwOnRequestTimeout the handler only warns). Its warnings go to the JSON log.
  const sdkLog = awsSdkLogger(log);
  const ddb = new DynamoDBClient({
    region: cfg.region,
    endpoint: cfg.dynamodbEndpoint,
    maxAttempts: 3,
    logger: sdkLog,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true, logger: sdkLog },
  });
  const sessions = new SessionStore({
    table: cfg.sessionsTable,
    key: cfg.sessionsKey,
    ttlSeconds: cfg.sessionTtlSeconds,
    client: ddb,
  });

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
          if (Db.isAuthFailure(err))
            throw new FatalProbeError(`database rejects the credentials: ${(err as Error).message}`);
          throw err;
        }
      },
      dynamodb: () => sessions.ping(),
    },
    log,
  );
  let pool: InferencePool | undefined;
  // A row that cannot be written now (PostgreSQL down, or not migrated yet) is retried from memory.
  const predictions = new PredictionBuffer({
    capacity: cfg.predictionBufferSize,
    write: (rows) => (db ? insertPredictions(db, rows) : Promise.reject(new Error("database not connected yet"))),
    log,
  });
  const admission = new Admission({ maxInFlight: cfg.maxInFlight, maxWaiting: cfg.maxWaiting });
  const metrics = new Metrics(Object.keys(ROUTES), cfg.metricsService);
  metrics.gauge("mlapi_inference_queue_depth", "Images waiting for a free inference worker.", () => pool?.queued ?? 0);
  metrics.gauge("mlapi_workers_busy", "Inference workers running a batch now.", () => pool?.busy ?? 0);
  metrics.gauge("mlapi_workers", "Inference workers.", () => pool?.size ?? 0);
  metrics.counter(
    "mlapi_worker_busy_seconds",
    "Worker-seconds spent on inference since start (utilisation = rate / mlapi_workers).",
    () => (pool?.busyMs ?? 0) / 1000,
  );
  metrics.gauge(
    "mlapi_requests_in_flight",
    "Classification requests admitted and not yet answered.",
    () => admission.inFlight,
  );
  metrics.gauge(
    "mlapi_requests_waiting",
    "Classification requests waiting for admission (bodies unread).",
    () => admission.queued,
  );
  metrics.counter(
    "mlapi_requests_refused_total",
    "Classification requests refused as overloaded (503) since start.",
    () => admission.refused,
  );
  metrics.gauge(
    "mlapi_store_buffer_size",
    "Prediction rows held in memory while PostgreSQL fails.",
    () => predictions.size,
  );
  metrics.counter(
    "mlapi_store_buffer_dropped_total",
    "Prediction rows dropped (buffer full, never written) since start.",
    () => predictions.dropped,
  );
  const metricsServer = cfg.metricsPort ? startMetricsServer(metrics, cfg.metricsPort, log) : undefined;
  startEmfGauges(metrics, log);

  const app = createApp({
    manifest,
    limits: { maxImageBytes: cfg.maxImageBytes, maxImagePixels: cfg.maxImagePixels, maxTopK: cfg.maxTopK },
    infer: (image) =>
      pool
        ? pool.run(image, cfg.maxImagePixels)
        : Promise.reject(new HttpError(503, "not_ready", "the model is still loading")),
    sessions: {
      touchOrCreate: (id) =>
        withTimeout(
          sessions.touchOrCreate(id),
          SESSION_TIMEOUT_MS,
          `DynamoDB did not answer within ${SESSION_TIMEOUT_MS} ms`,
        ),
    },
    recordPrediction: (p) => predictions.record(p),
    predictionBacklog: () => ({ buffered: predictions.size, dropped: predictions.dropped }),
    admission,
    health,
    workers: () => ({ size: pool?.size ?? 0, busy: pool?.busy ?? 0, queued: pool?.queued ?? 0 }),
    log,
    metrics,
  });
  // A burst of new connections beyond the accept queue has its SYNs dropped and retried after 1 s,
  // 3 s, …: a deeper queue (capped by net.core.somaxconn) lets admission control refuse them at once.
  await new Promise<void>((resolve) => app.server.listen({ port: cfg.port, backlog: 4096 }, resolve));
  log.info("listening", {
    port: cfg.port,
    metricsPort: cfg.metricsPort || undefined,
    model: manifest.name,
    modelVersion: manifest.version,
    workerThreads: cfg.workerThreads,
    maxInFlight: cfg.maxInFlight,
    maxWaiting: cfg.maxWaiting,
  });

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
    await Promise.allSettled([pool?.close(), predictions.close(BUFFER_FLUSH_AT_SHUTDOWN_MS)]);
    await db?.close().catch(() => undefined);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: Error) => {
  createLogger("info").error("fatal start-up error", { err });
  process.exit(1);
});
