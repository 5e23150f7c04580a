// POST /api/v2/classify/batch: several images in one multipart/form-data request. Each part is
// classified on its own (one bad image does not fail the others) and the images go through the
// workers together, so they share model calls (micro-batching). The parser is ~50 lines over a
// fully read, bounded body: no streaming parser dependency.
import { createHash } from "node:crypto";
import { sessionAnswer, settle, WARNINGS, type Warning } from "./answers";
import { HttpError } from "./http/errors";
import { predictionId } from "./http/request-id";
import { checkContentType, inspectImage } from "./image";
import { topK } from "./model/manifest";
import type { AppDeps } from "./server";
import type { PredictionRecord } from "./stores/predictions";

export const BATCH_PATH = "/api/v2/classify/batch";
/** Most images in one batch request. */
export const MAX_BATCH_IMAGES = 16;
/** Most bytes in one batch request body (each image is also held to MAX_IMAGE_BYTES). */
export const MAX_BATCH_BYTES = 20 * 1024 * 1024;

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** The boundary of a `multipart/form-data` Content-Type, or a 415. */
export function multipartBoundary(header: string | undefined): string {
  const [type, ...params] = (header ?? "").split(";").map((s) => s.trim());
  const boundary = params.map((p) => /^boundary="?([^";]{1,70})"?$/i.exec(p)?.[1]).find(Boolean);
  if (type.toLowerCase() !== "multipart/form-data" || !boundary) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `${BATCH_PATH} takes multipart/form-data with a boundary (got ${type ? `"${type.slice(0, 60)}"` : "none"})`,
    );
  }
  return boundary;
}

/** Splits a multipart/form-data body (RFC 7578) into its parts; 400 when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string, maxParts: number): Part[] {
  const bad = (why: string) => new HttpError(400, "invalid_multipart", `multipart body is malformed: ${why}`);
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad("no boundary delimiter");
  const parts: Part[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === "--") break; // close delimiter
    if (body.subarray(pos, pos + 2).toString() !== "\r\n") throw bad("delimiter not followed by CRLF");
    const headerEnd = body.indexOf("\r\n\r\n", pos + 2);
    if (headerEnd < 0) throw bad("part headers not terminated");
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw bad("no closing delimiter");
    if (parts.length === maxParts)
      throw new HttpError(413, "too_many_images", `a batch takes at most ${maxParts} images`);
    const headers = new Map<string, string>();
    for (const line of body
      .subarray(pos + 2, headerEnd)
      .toString("latin1")
      .split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get("content-disposition") ?? "";
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (!/^form-data/i.test(disposition) || name === undefined)
      throw bad("a part lacks Content-Disposition: form-data; name=…");
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({ name, filename, contentType: headers.get("content-type"), data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}

type ItemResult =
  | {
      index: number;
      name: string;
      filename?: string;
      predictionId: string;
      predictions: Array<{ label: string; score: number }>;
      /** False when the prediction row could not be written yet (kept in memory and retried). */
      stored?: boolean;
      image: Record<string, unknown>;
    }
  | { index: number; name: string; filename?: string; error: { status: number; code: string; message: string } };

/** A batch request whose headers passed the cheap checks (and admission). */
export interface BatchRequest {
  /** From the multipart Content-Type (multipartBoundary). */
  boundary: string;
  k: number;
  requestedSession?: string;
  /** The caller's X-Request-Id: each item's prediction id derives from it, the part's index and its bytes. */
  callerId?: string;
  /** The server's bounded body reader. */
  readBody: (max: number) => Promise<Buffer>;
}

/**
 * Handles a batch request once routing, readiness, Content-Type, `top_k`, the session id and
 * admission are checked. Answers 200 with one result or error per part, in order; as for a single
 * image, a failing session store leaves the answer without a session and a failing prediction
 * store marks the items `stored: false` (both with `warnings`). Returns the answer's body and the
 * session id for the X-Session-Id header.
 */
export async function classifyBatch(
  deps: AppDeps,
  r: BatchRequest,
  fields: Record<string, unknown>,
): Promise<{ body: unknown; sessionId?: string }> {
  const t0 = performance.now();
  const body = await r.readBody(MAX_BATCH_BYTES);
  const parts = parseMultipart(body, r.boundary, MAX_BATCH_IMAGES);
  if (!parts.length) throw new HttpError(400, "empty_body", "the batch holds no images");
  const tRead = performance.now();
  const sessionP = settle(deps.sessions.touchOrCreate(r.requestedSession));
  const items = await Promise.all(parts.map((part, index) => classifyPart(deps, part, index, r.k, r.callerId)));
  const sessionResult = await sessionP;
  if (sessionResult.error instanceof HttpError && sessionResult.error.status < 500) throw sessionResult.error;
  const session = sessionResult.value;
  // the metadata rows, once the session id is known (a new session's too)
  const results = await Promise.all(
    items.map(async ({ result, record }) => {
      if (!record) return result;
      const stored = await deps.recordPrediction({ ...record, sessionId: session?.sessionId });
      return { ...result, stored };
    }),
  );
  const notStored = results.filter((x) => "stored" in x && !x.stored).length;
  const warnings: Warning[] = [];
  if (notStored) warnings.push(WARNINGS.predictionNotStored);
  if (sessionResult.error) warnings.push(WARNINGS.sessionUnavailable);
  const batchFailed = results.filter((x) => "error" in x).length;
  Object.assign(fields, { batchImages: parts.length, batchFailed, sessionId: session?.sessionId });
  if (notStored) fields.notStored = notStored;
  if (sessionResult.error) fields.sessionError = (sessionResult.error as Error).message;
  // the session id goes in the X-Session-Id header too, as for a single image
  return {
    sessionId: session?.sessionId,
    body: {
      model: { name: deps.manifest.name, version: deps.manifest.version },
      session: sessionAnswer(session),
      ...(warnings.length > 0 && { warnings }),
      results,
      latencyMs: { read: round(tRead - t0), total: round(performance.now() - t0) },
    },
  };
}

async function classifyPart(
  deps: AppDeps,
  part: Part,
  index: number,
  k: number,
  callerId: string | undefined,
): Promise<{ result: ItemResult; record?: PredictionRecord }> {
  const named = { index, name: part.name, ...(part.filename !== undefined ? { filename: part.filename } : {}) };
  try {
    if (part.data.length > deps.limits.maxImageBytes)
      throw new HttpError(413, "payload_too_large", `image exceeds the ${deps.limits.maxImageBytes}-byte limit`);
    const format = checkContentType(part.contentType);
    const info = await inspectImage(part.data, format, deps.limits.maxImagePixels);
    const result = await deps.infer(part.data);
    const predictions = topK(result.scores, deps.manifest.labels, k);
    const sha256 = createHash("sha256").update(part.data).digest("hex");
    // the index keeps two identical images of one batch two records
    const id = predictionId(callerId, `batch:${index}`, sha256);
    const record: PredictionRecord = {
      id,
      apiVersion: 2,
      modelName: deps.manifest.name,
      modelVersion: deps.manifest.version,
      label: predictions[0].label,
      score: predictions[0].score,
      latencyMs: round(result.queueMs + result.decodeMs + result.inferenceMs),
      imageSha256: sha256,
      imageBytes: part.data.length,
      imageWidth: info.width,
      imageHeight: info.height,
      imageFormat: info.format,
    };
    return {
      result: {
        ...named,
        predictionId: id,
        predictions,
        image: { format: info.format, width: info.width, height: info.height, bytes: part.data.length, sha256 },
      },
      record,
    };
  } catch (err) {
    if (!(err instanceof HttpError)) deps.log.error("batch item failed", { index, err });
    const e = err instanceof HttpError ? err : new HttpError(500, "internal", "internal error classifying this image");
    return { result: { ...named, error: { status: e.status, code: e.code, message: e.message } } };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
