import { randomUUID } from "node:crypto";

/** Longest caller-supplied request id echoed and logged (an ALB trace id is ~70 characters). */
export const MAX_REQUEST_ID_LENGTH = 128;
// Characters of UUIDs, ULIDs and AWS trace ids (`Root=1-…;Parent=…;Sampled=1`); nothing that
// could break a log line, a header or a shell.
const UNSAFE = /[^A-Za-z0-9._:;=+/@-]/g;

/**
 * The request id to echo and log: the caller's `X-Request-Id` with every character outside a safe
 * set removed and cut to MAX_REQUEST_ID_LENGTH, or a new UUID when nothing usable is left.
 */
export function requestIdFrom(header: string | undefined): string {
  const cleaned = (header ?? "")
    .slice(0, 4 * MAX_REQUEST_ID_LENGTH)
    .replace(UNSAFE, "")
    .slice(0, MAX_REQUEST_ID_LENGTH);
  return cleaned || randomUUID();
}
