import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BATCH_PATH, classifyBatch } from "./batch";
import type { Health } from "./health";
import { HttpError } from "./http/errors";
import { checkContentType, decodeImage, inspectImage, type Pixels } from "./image";
import type { InferenceResult } from "./inference/pool";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import { topK, type ModelManifest } from "./model/manifest";
import { OPENAPI_PATH, openApiDocument } from "./openapi";
import { modelsBody } from "./routes/models";
import type { PredictionRecord } from "./stores/predictions";
import type { Session } from "./stores/sessions";

/** What the HTTP layer needs; main.ts wires the real pool and stores, unit tests wire fakes. */
export interface AppDeps {
  manifest: ModelManifest;
  limits: { maxImageBytes: number; maxImagePixels: number; maxTopK: number };
  infer: (pixels: Pixels) => Promise<InferenceResult>;
  sessions: { touchOrCreate(requested: string | undefined): Promise<Session> };
  recordPrediction: (p: PredictionRecord) => Promise<void>;
  health: Health;
  workers: () => { size: number; busy: number; queued: number };
  log: Logger;
  /** Request counts and stage latencies (Prometheus + EMF); absent in tests that do not look. */
  metrics?: Metrics;
}

export const DEFAULT_TOP_K = 3;
export const ROUTES: Record<string, string[]> = {
  "/health": ["GET", "HEAD"],
  "/api/v1/classify": ["POST"],
  "/api/v2/classify": ["POST"],
  [BATCH_PATH]: ["POST"],
  "/api/v2/models": ["GET"],
  [OPENAPI_PATH]: ["GET"],
};

export interface App {
  server: Server;
  /** Requests being handled right now (what a graceful shutdown waits for). */
  inFlight(): number;
}

export function createApp(deps: AppDeps): App {
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    const requestId = headerValue(req, "x-request-id") ?? randomUUID();
    const fields: Record<string, unknown> = {};
    res.setHeader("X-Request-Id", requestId);
    if (deps.health.draining) res.setHeader("Connection", "close");
    handle(deps, req, res, fields)
      .catch((err: unknown) => sendError(res, err, deps.log, requestId))
      .finally(() => {
        inFlight--;
        const path = (req.url ?? "").split("?")[0];
        // One line per request; health checks only at debug level so the ALB's polling does not drown the log.
        const log = path === "/health" && res.statusCode < 500 ? deps.log.debug : deps.log.info;
        const latencyMs = round(performance.now() - started);
        const { stagesMs, ...rest } = fields as { stagesMs?: Record<string, number> };
        const emf = deps.metrics?.observe({ route: deps.metrics.route(path), method: req.method ?? "", status: res.statusCode, totalMs: latencyMs, stagesMs });
        log("request", { requestId, method: req.method, path, status: res.statusCode, latencyMs, ...rest, ...emf });
      });
  });
  // ALB keeps idle connections for 60 s: the server must keep them longer, or a request can race a
  // close and surface as a 502 at the load balancer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return { server, inFlight: () => inFlight };
}

async function handle(deps: AppDeps, req: IncomingMessage, res: ServerResponse, fields: Record<string, unknown>): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const allowed = ROUTES[url.pathname];
  if (!allowed) throw new HttpError(404, "not_found", `no route for ${url.pathname}`);
  if (!allowed.includes(req.method ?? "")) throw new HttpError(405, "method_not_allowed", `${url.pathname} accepts ${allowed.join(", ")}`, { Allow: allowed.join(", ") });

  if (url.pathname === "/health") {
    const { status, stores } = deps.health.report();
    const body = { status, model: { name: deps.manifest.name, version: deps.manifest.version, ready: deps.health.modelReady }, stores, workers: deps.workers() };
    return sendJson(res, deps.health.ready ? 200 : 503, body, req.method === "HEAD");
  }

  if (url.pathname === "/api/v2/models") return sendJson(res, 200, modelsBody(deps.manifest));
  if (url.pathname === OPENAPI_PATH) return sendJson(res, 200, openApiDocument());

  const v2 = url.pathname !== "/api/v1/classify";
  if (!deps.health.modelReady) throw new HttpError(503, "not_ready", "the model is still loading", { "Retry-After": "5" });
  // Cheap checks first, before a byte of the body is read.
  const batch = url.pathname === BATCH_PATH;
  const format = batch ? undefined : checkContentType(req.headers["content-type"]);
  const k = v2 ? parseTopK(url.searchParams.get("top_k"), Math.min(deps.limits.maxTopK, deps.manifest.labels.length)) : 1;
  const requestedSession = v2 ? headerValue(req, "x-session-id") : undefined;
  if (!format) return sendJson(res, 200, await classifyBatch(deps, req, k, requestedSession, (max) => readBody(req, res, max), fields));

  const t0 = performance.now();
  const body = await readBody(req, res, deps.limits.maxImageBytes);
  const tRead = performance.now();
  const info = await inspectImage(body, format, deps.limits.maxImagePixels);
  const tDecode = performance.now();
  // The session does not depend on the pixels: touch it while the image is decoded and classified
  // (after the header checks, so that rejected uploads create no sessions).
  const sessionP = v2 ? timed(deps.sessions.touchOrCreate(requestedSession)) : undefined;
  sessionP?.catch(() => undefined); // awaited below; avoid an unhandled rejection if decoding fails first
  const pixels = await decodeImage(body, deps.limits.maxImagePixels);
  const tPre = performance.now();
  const result = await deps.infer(pixels);
  const tInfer = performance.now();
  const predictions = topK(result.scores, deps.manifest.labels, k);
  const session = sessionP ? await sessionP : undefined;
  const tSession = performance.now();

  const id = randomUUID();
  const sha256 = createHash("sha256").update(body).digest("hex");
  const top = predictions[0];
  await deps.recordPrediction({
    id,
    apiVersion: v2 ? 2 : 1,
    sessionId: session?.value.sessionId,
    modelName: deps.manifest.name,
    modelVersion: deps.manifest.version,
    label: top.label,
    score: top.score,
    latencyMs: round(tInfer - t0),
    imageSha256: sha256,
    imageBytes: body.length,
    imageWidth: info.width,
    imageHeight: info.height,
    imageFormat: info.format,
  });
  const tStore = performance.now();
  Object.assign(fields, { label: top.label, score: top.score, imageBytes: body.length, sessionId: session?.value.sessionId });
  const stagesMs = {
    read: round(tRead - t0),
    decode: round(tDecode - tRead),
    preprocess: round(tPre - tDecode),
    queue: round(result.queueMs),
    inference: round(result.inferenceMs),
    ...(session ? { session: round(session.ms) } : {}),
    store: round(tStore - tSession),
    total: round(tStore - t0),
  };
  fields.stagesMs = stagesMs; // for the metrics (server's request hook), not logged as such

  if (!session) return sendJson(res, 200, { label: top.label, score: top.score }); // v1
  const s = session.value;
  res.setHeader("X-Session-Id", s.sessionId);
  return sendJson(res, 200, {
    predictionId: id,
    predictions,
    model: { name: deps.manifest.name, version: deps.manifest.version },
    session: { id: s.sessionId, created: s.created, expiresAt: s.expiresAt, requestCount: s.requestCount },
    image: { format: info.format, width: info.width, height: info.height, bytes: body.length, sha256 },
    // sessionWait: waiting for the session beyond the image work (normally 0: it ran in parallel)
    latencyMs: { ...stagesMs, sessionWait: round(tSession - tInfer) },
  });
}

/** `top_k`: an integer 1..max; absent = min(DEFAULT_TOP_K, max). */
export function parseTopK(raw: string | null, max: number): number {
  if (raw === null || raw === "") return Math.min(DEFAULT_TOP_K, max);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new HttpError(400, "invalid_top_k", `top_k must be an integer from 1 to ${max} (got "${raw.slice(0, 20)}")`);
  }
  return Number(raw);
}

/** Reads the body up to `max` bytes; larger bodies are refused without buffering them. */
function readBody(req: IncomingMessage, res: ServerResponse, max: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, "payload_too_large", `image exceeds the ${max}-byte limit`, { Connection: "close" });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    discard(req, res, max);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        discard(req, res, max);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

// Let the client finish sending (so it can read the 413) but stop a client that keeps going.
function discard(req: IncomingMessage, res: ServerResponse, max: number): void {
  let extra = 0;
  req.on("data", (c: Buffer) => {
    extra += c.length;
    if (extra > 4 * max) req.destroy();
  });
  req.resume();
  res.on("finish", () => req.destroy());
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(headOnly ? undefined : text);
}

function sendError(res: ServerResponse, err: unknown, log: Logger, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    return sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  }
  log.error("request failed", { requestId, err });
  sendJson(res, 500, { error: { code: "internal", message: "internal error; see the service log for request " + requestId } });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
