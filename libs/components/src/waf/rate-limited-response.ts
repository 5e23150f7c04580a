import type * as aws from "../aws";

type RuleAction = aws.types.input.wafv2.WebAclRuleAction;
type CustomResponseBody = aws.types.input.wafv2.WebAclCustomResponseBody;

/** Status and error code of a rate-limited request: what apps/ml-api's clients branch on for "slow down". */
export const RATE_LIMITED = { status: 429, code: "rate_limited" } as const;

/**
 * Seconds a rate-limited client is told to wait (`Retry-After`) for an evaluation window. WAF looks
 * back over the whole window each time it checks (every few seconds), and notices a rate that fell
 * below the limit only after a delay, usually under 30 s (AWS WAF guide, "Rate-based rule caveats").
 * A client that stops is unblocked once enough of its requests have slid out of the window: for a
 * client just over the limit that is a small part of the window, so a fifth of it (60 s of 300 s)
 * lets most clients back in on their first retry without asking all of them to sit out the whole
 * window; never below 30 s, the detection delay, before which a retry is blocked again anyway.
 * A client still over the limit then gets another 429 with the same advice.
 */
export function retryAfterSecondsFor(windowSeconds: number): number {
  return Math.max(30, Math.round(windowSeconds / 5));
}

/**
 * A web ACL `customResponseBodies` entry in the API's error shape (`{"error":{"code","message"}}`,
 * as apps/ml-api answers), served as application/json. `key` must match `^[\w-]+$`.
 */
export function rateLimitedBody(key: string, message: string): CustomResponseBody {
  return {
    key,
    contentType: "APPLICATION_JSON",
    content: JSON.stringify({ error: { code: RATE_LIMITED.code, message } }),
  };
}

/**
 * The action of a rate rule: block, but answer 429 with `Retry-After` and the body `bodyKey` (declared
 * with {@link rateLimitedBody} on the same web ACL) instead of WAF's default 403, so a client can tell
 * "slow down" from "refused" and back off. `Cache-Control: no-store` like every API answer. A
 * custom-response block is still a block: it counts in BlockedRequests like any other.
 */
export function rateLimitedAction(bodyKey: string, retryAfterSeconds: number): RuleAction {
  return {
    block: {
      customResponse: {
        responseCode: RATE_LIMITED.status,
        customResponseBodyKey: bodyKey,
        responseHeaders: [
          { name: "Retry-After", value: String(retryAfterSeconds) },
          { name: "Cache-Control", value: "no-store" },
        ],
      },
    },
  };
}
