import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sessionAnswer, settle, WARNINGS, type Warning } from "./answers";
import { BATCH_PATH, classifyBatch, multipartBoundary } from "./batch";
import type { Health } from "./health";
import type { Admission } from "./http/admission";
import { closeAfterAnswer, ConnectionTracker } from "./http/connection";
import { HttpError } from "./http/errors";
import { callerRequestId, predictionId } from "./http/request-id";
import { checkContentType, inspectImage } from "./image";
import type { InferenceResult } from "./inference/pool";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import { modelVersionTag, topK, type ModelManifest } from "./model/manifest";
import { OPENAPI_PATH, openApiDocument } from "./openapi";
import { modelsBody, runningLimits } from "./routes/models";
import type { PredictionRecord } from "./stores/predictions";
import { validateSessionId, type Session } from "./stores/sessions";

/** What the HTTP layer needs; main.ts wires the real pool and stores, unit tests wire fakes. */
export interface AppDeps {
  manifest: ModelManifest;
  limits: { maxImageBytes: number; maxImagePixels: number; maxTopK: number };
  /** Decodes and classifies an image whose header `inspectImage` accepted; a corrupt one rejects with 400. */
  infer: (image: Uint8Array) => Promise<InferenceResult>;
  /** A rejection other than a 4xx HttpError answers v2 without a session (the classification is the product). */
  sessions: { touchOrCreate(requested: string | undefined): Promise<Session> };
  /** Resolves true when the row was written, false when it was buffered for a later retry. */
  recordPrediction: (p: PredictionRecord) => Promise<boolean>;
  /** Prediction rows waiting for the store, and rows dropped since start (reported by /health). */
  predictionBacklog: () => { buffered: number; dropped: number };
  /** Bounds classification requests before their bodies are read. */
  admission: Admission;
  health: Health;
  workers: () => { size: number; busy: number; queued: number };
  log: Logger;
  /** Request counts and stage latencies (Prometheus + EMF); absent in tests that do not look. */
  metrics?: Metrics;
  /** node:http timeouts, ms; tests shorten them. */
  timeouts?: Partial<Timeouts>;
}

export interface Timeouts {
  /** Whole request received (headers and body), else 408. */
  requestMs: number;
  /** Request headers received. */
  headersMs: number;
  /** How often node:http checks the two above. */
  checkIntervalMs: number;
  /**
   * An admitted request's body stalls (no byte) this long, else 408 `body_timeout`: a stalled upload
   * holds an admission slot, and without this it would hold it until `requestMs`.
   */
  bodyIdleMs: number;
}
const DEFAULT_TIMEOUTS: Timeouts = { requestMs: 30_000, headersMs: 66_000, checkIntervalMs: 5_000, bodyIdleMs: 10_000 };
/** After an answer sent before the body was read: how long the rest of the body is drained before the socket closes. */
const LINGER_MS = 2_000;

export const DEFAULT_TOP_K = 3;
// No OPTIONS and no CORS, on purpose: the API is for server-to-server use and has no authentication,
// so `Access-Control-Allow-Origin: *` would let any website spend its visitors' IPs against the
// per-IP rate limit. OPTIONS gets 405 with Allow.
export const ROUTES: Record<string, string[]> = {
  "/health": ["GET", "HEAD"],
  "/api/v1/classify": ["POST"],
  "/api/v2/classify": ["POST"],
  [BATCH_PATH]: ["POST"],
  "/api/v2/models": ["GET", "HEAD"],
  [OPENAPI_PATH]: ["GET", "HEAD"],
};

export interface App {
  server: Server;
  /** Requests being handled right now (what a graceful shutdown waits for). */
  inFlight(): number;
}

/** The bodies of the GET routes that depend only on the configuration, built once. */
interface Served {
  models: unknown;
  openapi: unknown;
}

export function createApp(deps: AppDeps): App {
  let inFlight = 0;
  const limits = runningLimits(deps.manifest, deps.limits);
  const served: Served = { models: modelsBody(deps.manifest, limits), openapi: openApiDocument(limits.maxTopK) };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs }, (req, res) => {
    inFlight++;
    const started = performance.now();
    const callerId = callerRequestId(headerValue(req, "x-request-id"));
    const requestId = callerId ?? randomUUID();
    const fields: Record<string, unknown> = {};
    res.setHeader("X-Request-Id", requestId);
    if (deps.health.draining) res.setHeader("Connection", "close");
    connections.track(req, res);
    const closed = new Promise((resolve) => res.once("close", resolve));
    let answeredError: string | undefined;
    const handled = handle(deps, served, req, res, fields, callerId)
      .catch((err: unknown) => {
        if (err instanceof HttpError) answeredError = err.code;
        sendError(req, res, err, deps, requestId);
      })
      .finally(() => inFlight--);
    // Logged once the handler is done and the response closed: an answer that never reached the client
    // (disconnect, timeout) is logged, and counted in the metrics, as such, not as the status the handler chose.
    void Promise.all([handled, closed]).then(() => {
      const path = (req.url ?? "").split("?")[0].slice(0, 256);
      const outcome = connections.outcome(req, res);
      const { status } = outcome;
      // what the connection says (the client went away, a timeout) wins over the code the handler chose
      const error = outcome.error ?? (res.writableFinished ? answeredError : undefined);
      // One line per request; health checks only at debug level so the ALB's polling does not drown the log.
      const log = path === "/health" && status < 500 ? deps.log.debug : deps.log.info;
      const latencyMs = round(performance.now() - started);
      const { stagesMs, ...rest } = fields as { stagesMs?: Record<string, number> };
      const emf = deps.metrics?.observe({
        route: deps.metrics.route(path),
        method: req.method ?? "",
        status,
        error,
        totalMs: latencyMs,
        stagesMs,
      });
      log("request", {
        requestId,
        method: req.method,
        path,
        status,
        ...(error && { error }),
        latencyMs,
        ...rest,
        ...emf,
      });
    });
  });
  // a client error before any request was parsed (431, 400 bad_request, 408 on headers) is counted too
  const connections = new ConnectionTracker(server, deps.log, (status) =>
    deps.metrics ? deps.metrics.observe({ route: "other", method: "", status, totalMs: 0 }) : {},
  );
  // ALB keeps idle connections for 60 s: the server must keep them longer, or a request can race a
  // close and surface as a 502 at the load balancer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  return { server, inFlight: () => inFlight };
}

async function handle(
  deps: AppDeps,
  served: Served,
  req: IncomingMessage,
  res: ServerResponse,
  fields: Record<string, unknown>,
  /** The caller's X-Request-Id: prediction ids derive from it (idempotent retries). */
  callerId: string | undefined,
): Promise<void> {
  const url = requestUrl(req);
  const allowed = ROUTES[url.pathname];
  if (!allowed) throw new HttpError(404, "not_found", `no route for ${url.pathname}`);
  if (!allowed.includes(req.method ?? ""))
    throw new HttpError(405, "method_not_allowed", `${url.pathname} accepts ${allowed.join(", ")}`, {
      Allow: allowed.join(", "),
    });
  const headOnly = req.method === "HEAD";

  if (url.pathname === "/health") {
    const { status, stores } = deps.health.report();
    const body = {
      status,
      model: { name: deps.manifest.name, version: deps.manifest.version, ready: deps.health.modelReady },
      stores,
      workers: deps.workers(),
      requests: { inFlight: deps.admission.inFlight, waiting: deps.admission.queued },
      predictions: deps.predictionBacklog(),
    };
    return sendJson(res, deps.health.ready ? 200 : 503, body, headOnly);
  }

  if (url.pathname === "/api/v2/models") return sendJson(res, 200, served.models, headOnly);
  if (url.pathname === OPENAPI_PATH) return sendJson(res, 200, served.openapi, headOnly);

  const v2 = url.pathname !== "/api/v1/classify";
  if (!deps.health.modelReady)
    throw new HttpError(503, "not_ready", "the model is still loading", { "Retry-After": "5" });
  // Cheap checks first, before a byte of the body is read.
  const contentType = req.headers["content-type"];
  const media =
    url.pathname === BATCH_PATH
      ? { boundary: multipartBoundary(contentType) }
      : { format: checkContentType(contentType) };
  const k = v2
    ? parseTopK(url.searchParams.get("top_k"), Math.min(deps.limits.maxTopK, deps.manifest.labels.length))
    : 1;
  const requestedSession = v2 ? headerValue(req, "x-session-id") : undefined;
  if (requestedSession !== undefined) validateSessionId(requestedSession);

  // Admission before a byte of the body is read (a batch too): an overloaded task refuses in microseconds.
  const release = await deps.admission.acquire((cb) => res.once("close", cb));
  const bodyIdleMs = deps.timeouts?.bodyIdleMs ?? DEFAULT_TIMEOUTS.bodyIdleMs;
  const read = (max: number) => readBody(req, max, bodyIdleMs);
  try {
    if (media.boundary !== undefined) {
      const batch = {
        boundary: media.boundary,
        k,
        requestedSession,
        callerId,
        readBody: read,
      };
      const { body, sessionId } = await classifyBatch(deps, batch, fields);
      res.setHeader("X-Model-Version", modelVersionTag(deps.manifest));
      if (sessionId) res.setHeader("X-Session-Id", sessionId);
      return sendJson(res, 200, body);
    }
    return await classify(deps, res, fields, read, { v2, format: media.format, k, requestedSession, callerId });
  } finally {
    release();
  }
}

interface ClassifyRequest {
  v2: boolean;
  format: ReturnType<typeof checkContentType>;
  k: number;
  requestedSession?: string;
  callerId?: string;
}

async function classify(
  deps: AppDeps,
  res: ServerResponse,
  fields: Record<string, unknown>,
  readBody: (max: number) => Promise<Buffer>,
  c: ClassifyRequest,
): Promise<void> {
  const { v2, format, k, requestedSession, callerId } = c;
  const t0 = performance.now();
  const body = await readBody(deps.limits.maxImageBytes);
  const tRead = performance.now();
  const info = await inspectImage(body, format, deps.limits.maxImagePixels);
  const tDecode = performance.now();
  // The session does not depend on the pixels: touch it while the image is decoded and classified
  // (after the header checks, so that rejected uploads create no sessions).
  const sessionP = v2 ? settle(deps.sessions.touchOrCreate(requestedSession)) : undefined;
  // decoded in the inference worker: only the upload's bytes leave this thread
  const result = await deps.infer(body);
  const tInfer = performance.now();
  const predictions = topK(result.scores, deps.manifest.labels, k);
  const sessionResult = sessionP ? await sessionP : undefined;
  if (sessionResult?.error instanceof HttpError && sessionResult.error.status < 500) throw sessionResult.error;
  const session = sessionResult?.value;
  const tSession = performance.now();

  const sha256 = createHash("sha256").update(body).digest("hex");
  const id = predictionId(callerId, v2 ? "v2" : "v1", sha256);
  const top = predictions[0];
  const stored = await deps.recordPrediction({
    id,
    apiVersion: v2 ? 2 : 1,
    sessionId: session?.sessionId,
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
  const warnings: Warning[] = [];
  if (!stored) warnings.push(WARNINGS.predictionNotStored);
  if (sessionResult?.error) warnings.push(WARNINGS.sessionUnavailable);
  Object.assign(fields, { label: top.label, score: top.score, imageBytes: body.length, sessionId: session?.sessionId });
  if (!stored) fields.stored = false;
  if (sessionResult?.error) Object.assign(fields, { sessionError: (sessionResult.error as Error).message });
  const stagesMs = {
    read: round(tRead - t0),
    decode: round(tDecode - tRead),
    preprocess: round(result.decodeMs),
    queue: round(result.queueMs),
    inference: round(result.inferenceMs),
    ...(sessionResult ? { session: round(sessionResult.ms) } : {}),
    store: round(tStore - tSession),
    total: round(tStore - t0),
  };
  fields.stagesMs = stagesMs; // for the metrics (server's request hook), not logged as such

  // Which model answered, and the record's id, on v1 too (whose body cannot grow without breaking clients).
  res.setHeader("X-Model-Version", modelVersionTag(deps.manifest));
  res.setHeader("X-Prediction-Id", id);
  // v1 keeps its two fields; `stored: false` is added only when the record could not be written.
  if (!v2) return sendJson(res, 200, { label: top.label, score: top.score, ...(!stored && { stored }) });
  if (session) res.setHeader("X-Session-Id", session.sessionId);
  return sendJson(res, 200, {
    predictionId: id,
    predictions,
    model: { name: deps.manifest.name, version: deps.manifest.version },
    session: sessionAnswer(session),
    stored,
    ...(warnings.length > 0 && { warnings }),
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

/**
 * Reads the body up to `max` bytes; larger bodies are refused without buffering them. A body
 * with no byte for `idleMs` is refused with 408 `body_timeout`, so that a stalled upload frees its
 * admission slot in seconds (the answer then closes the connection: see sendError).
 */
function readBody(req: IncomingMessage, max: number, idleMs: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, "payload_too_large", `image exceeds the ${max}-byte limit`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(idle);
      req.off("data", onData);
    };
    const fail = (err: Error) => {
      stop();
      reject(err);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        req.pause();
        fail(new HttpError(408, "body_timeout", `no byte of the body arrived for ${idleMs / 1000} s`));
      }, idleMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.pause();
        fail(tooLarge());
        return;
      }
      chunks.push(chunk);
      armIdle();
    };
    armIdle();
    req.on("data", onData);
    req.on("end", () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    });
    req.on("error", fail);
    // a request destroyed without an error (client gone) would otherwise never settle
    req.on("close", () => fail(new Error("request closed before its body was read")));
  });
}

/** The request target as a URL; an absolute target with an invalid host or port is the client's error. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    throw new HttpError(400, "invalid_url", "the request target is not a valid URL");
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(headOnly ? undefined : text);
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, deps: AppDeps, requestId: string): void {
  // The client disconnected or timed out: nobody to answer, and not a server error (the log line says which).
  if (res.headersSent || req.socket.destroyed) {
    res.destroy();
    return;
  }
  // Answered before the whole body was read: close the connection rather than read an unlimited body.
  closeAfterAnswer(req, res, 2 * deps.limits.maxImageBytes, LINGER_MS);
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    return sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  }
  deps.log.error("request failed", { requestId, err });
  sendJson(res, 500, {
    error: { code: "internal", message: "internal error; see the service log for request " + requestId },
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
