import { createHash, randomUUID } from "node:crypto";

/** Longest caller-supplied request id echoed and logged (an ALB trace id is ~70 characters). */
export const MAX_REQUEST_ID_LENGTH = 128;
// Characters of UUIDs, ULIDs and AWS trace ids (`Root=1-…;Parent=…;Sampled=1`); nothing that
// could break a log line, a header or a shell.
const UNSAFE = /[^A-Za-z0-9._:;=+/@-]/g;

/**
 * The caller's `X-Request-Id` with every character outside a safe set removed and cut to
 * MAX_REQUEST_ID_LENGTH, or undefined when nothing usable is left (the server then uses a new UUID).
 */
export function callerRequestId(header: string | undefined): string | undefined {
  const cleaned = (header ?? "")
    .slice(0, 4 * MAX_REQUEST_ID_LENGTH)
    .replace(UNSAFE, "")
    .slice(0, MAX_REQUEST_ID_LENGTH);
  return cleaned || undefined;
}

// Fixed UUIDv5 namespace of this service's prediction ids (any constant UUID would do; never change it:
// a retry across a deploy must still map to the same id).
const PREDICTION_NAMESPACE = Buffer.from("5b0a6f0e8c3d4f7a9e21c4d7b8a90f13", "hex");

/**
 * The prediction record's id. With the caller's X-Request-Id it is a UUIDv5 (RFC 9562: SHA-1 of a
 * namespace and a name) of the request id, the route (`scope`, with the batch part's index) and the
 * image's SHA-256: a retried request gets the same id, and the insert (ON CONFLICT (id) DO NOTHING)
 * keeps one record. A different image under a reused request id gets a different id. Without a
 * request id there is nothing to tie a retry to: random.
 */
export function predictionId(requestId: string | undefined, scope: string, imageSha256: string): string {
  if (requestId === undefined) return randomUUID();
  const b = createHash("sha1")
    .update(PREDICTION_NAMESPACE)
    .update(`${scope}\n${requestId}\n${imageSha256}`)
    .digest()
    .subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
