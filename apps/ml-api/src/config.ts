import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

/** Everything the service reads from its environment (set by the service layer's task definition). */
export interface AppConfig {
  /** HTTP port. env PORT, default 8080. */
  port: number;
  /** Prometheus /metrics port, not routed by the ALB; 0 turns it off. env METRICS_PORT, default 9464. */
  metricsPort: number;
  /** `service` dimension of the EMF metrics (the ECS service name), keeping environments apart. env METRICS_SERVICE, default none (`route` only). */
  metricsService?: string;
  /** AWS region for DynamoDB (and Secrets Manager). env AWS_REGION (set by ECS), required. */
  region: string;
  /** DynamoDB sessions table. env SESSIONS_TABLE_NAME, required. */
  sessionsTable: string;
  /** Partition key attribute (string) of the sessions table. env SESSIONS_TABLE_KEY, default sessionId. */
  sessionsKey: string;
  /** Session lifetime in seconds, written as the expiresAt TTL attribute. env SESSION_TTL_SECONDS, default 3600. */
  sessionTtlSeconds: number;
  /** Local DynamoDB endpoint (tests, dynalite). env DYNAMODB_ENDPOINT, default unset = AWS. */
  dynamodbEndpoint?: string;
  db: {
    /** env DB_HOST, required (the cluster's writer endpoint). */
    host: string;
    /** env DB_PORT, default 5432. */
    port: number;
    /** env DB_NAME, required. */
    database: string;
    /** `verify-full` (TLS, CA-verified, host name checked) or `disable` (local tests only). env DB_SSL, default verify-full. */
    ssl: "verify-full" | "disable";
    /** PEM bundle that signs the server certificate (the RDS CA bundle baked into the image). env DB_CA_PATH. */
    caPath: string;
    /** Initial credentials: the RDS-managed secret's JSON ({"username","password",...}). env DB_SECRET, required. */
    secretJson: string;
    /** ARN of that secret; when set, credentials are re-read from Secrets Manager after an auth failure (rotation). env DB_SECRET_ARN. */
    secretArn?: string;
    /** Connections per task. env DB_POOL_SIZE, default 5. */
    poolSize: number;
  };
  /** model.json of the classifier to serve. env MODEL_MANIFEST, default the built model (apps/ml-api/dist/model/model.json). */
  modelManifest: string;
  /** Inference worker threads; env WORKER_THREADS, default = CPUs of the container (cgroup quota), at least 1. */
  workerThreads: number;
  /** Requests waiting for a worker beyond which the service answers 503 (load shedding). env MAX_QUEUE, default 64. */
  maxQueue: number;
  /** Classification requests admitted at once (body read, decode, inference). env MAX_IN_FLIGHT, default 4/worker. */
  maxInFlight: number;
  /** Requests waiting for admission (bodies unread) before 503 `overloaded`. env MAX_WAITING, default 4/worker. */
  maxWaiting: number;
  /** Prediction rows kept in memory while PostgreSQL fails (then the oldest drops). env PREDICTION_BUFFER_SIZE, default 10000. */
  predictionBufferSize: number;
  /** Largest accepted request body in bytes. env MAX_IMAGE_BYTES, default 5 MiB. */
  maxImageBytes: number;
  /** Largest decoded image (width x height) accepted: the decompression-bomb guard. env MAX_IMAGE_PIXELS, default 25 000 000. */
  maxImagePixels: number;
  /** Largest top-k a v2 caller may ask for (also capped by the label count). env MAX_TOP_K, default 5. */
  maxTopK: number;
  /** Time allowed to drain in-flight requests after SIGTERM, ms. env SHUTDOWN_TIMEOUT_MS, default 25000 (ECS stopTimeout is 30 s by default). */
  shutdownTimeoutMs: number;
  /** Seconds a load balancer should keep waiting after /health turns 503 before connections close. env DRAIN_DELAY_MS, default 0. */
  drainDelayMs: number;
  /** debug | info | warn | error. env LOG_LEVEL, default info. */
  logLevel: "debug" | "info" | "warn" | "error";
}

export class ConfigError extends Error {}

/** Reads the config from `env`, collecting every problem into one ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const required = (key: string): string => {
    const v = env[key];
    if (v === undefined || v.trim() === "") {
      problems.push(`${key} is required`);
      return "";
    }
    return v.trim();
  };
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === "") return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}=${raw} must be an integer in ${min}..${max}`);
      return def;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, def: T, allowed: readonly T[]): T => {
    const raw = env[key] ?? def;
    if (!allowed.includes(raw as T)) {
      problems.push(`${key}=${raw} must be one of ${allowed.join(", ")}`);
      return def;
    }
    return raw as T;
  };

  let workers = 1; // read in key order (problems are reported in that order); the admission defaults scale with it
  const cfg: AppConfig = {
    port: int("PORT", 8080, 1, 65535),
    metricsPort: int("METRICS_PORT", 9464, 0, 65535),
    metricsService: env.METRICS_SERVICE?.trim() || undefined,
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || required("AWS_REGION"),
    sessionsTable: required("SESSIONS_TABLE_NAME"),
    sessionsKey: env.SESSIONS_TABLE_KEY?.trim() || "sessionId",
    sessionTtlSeconds: int("SESSION_TTL_SECONDS", 3600, 1, 30 * 24 * 3600),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined,
    db: {
      host: required("DB_HOST"),
      port: int("DB_PORT", 5432, 1, 65535),
      database: required("DB_NAME"),
      ssl: oneOf("DB_SSL", "verify-full", ["verify-full", "disable"] as const),
      caPath: env.DB_CA_PATH?.trim() || "/app/certs/rds-global-bundle.pem",
      secretJson: required("DB_SECRET"),
      secretArn: env.DB_SECRET_ARN?.trim() || undefined,
      poolSize: int("DB_POOL_SIZE", 5, 1, 100),
    },
    modelManifest: env.MODEL_MANIFEST?.trim() || defaultManifest(),
    workerThreads: (workers = int("WORKER_THREADS", containerCpus(), 1, 64)),
    maxQueue: int("MAX_QUEUE", 64, 0, 10000),
    maxInFlight: int("MAX_IN_FLIGHT", 4 * workers, 1, 10000),
    maxWaiting: int("MAX_WAITING", 4 * workers, 0, 10000),
    predictionBufferSize: int("PREDICTION_BUFFER_SIZE", 10_000, 1, 1_000_000),
    maxImageBytes: int("MAX_IMAGE_BYTES", 5 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    maxImagePixels: int("MAX_IMAGE_PIXELS", 25_000_000, 64, 268_402_689),
    maxTopK: int("MAX_TOP_K", 5, 1, 1000),
    shutdownTimeoutMs: int("SHUTDOWN_TIMEOUT_MS", 25_000, 0, 120_000),
    drainDelayMs: int("DRAIN_DELAY_MS", 0, 0, 120_000),
    logLevel: oneOf("LOG_LEVEL", "info", ["debug", "info", "warn", "error"] as const),
  };
  if (cfg.db.secretJson) {
    try {
      parseDbSecret(cfg.db.secretJson);
    } catch (err) {
      problems.push(`DB_SECRET ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  return cfg;
}

/** build-model's output seen from src/ (tsx) or from dist/src/ (compiled); the image sets MODEL_MANIFEST. */
function defaultManifest(): string {
  const candidates = [
    join(__dirname, "..", "dist", "model", "model.json"),
    join(__dirname, "..", "model", "model.json"),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

export interface DbCredentials {
  username: string;
  password: string;
}

/** Parses the RDS-managed secret's JSON; the error never echoes the value. */
export function parseDbSecret(json: string): DbCredentials {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new Error("is not valid JSON");
  }
  const o = v as Partial<DbCredentials>;
  if (!o || typeof o.username !== "string" || typeof o.password !== "string" || !o.username || !o.password) {
    throw new Error('must be a JSON object with string "username" and "password"');
  }
  return { username: o.username, password: o.password };
}

/**
 * CPUs this container may use: the cgroup v2 quota (cpu.max "200000 100000" = 2 CPUs) when one
 * is set, else the CPUs the OS reports. A Fargate task of 1 vCPU can see more host CPUs than it
 * may use; sizing workers by quota avoids oversubscribing it.
 */
export function containerCpus(cpuMaxPath = "/sys/fs/cgroup/cpu.max"): number {
  const os = availableParallelism();
  try {
    const [quota, period] = readFileSync(cpuMaxPath, "utf8").trim().split(/\s+/);
    if (quota !== "max" && Number(quota) > 0 && Number(period) > 0)
      return Math.max(1, Math.min(os, Math.round(Number(quota) / Number(period))));
  } catch {
    // no cgroup v2 limit visible: fall through
  }
  return Math.max(1, os);
}
