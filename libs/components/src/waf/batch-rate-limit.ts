import type * as aws from "../aws";

type Statement = aws.types.input.wafv2.WebAclRuleStatement;

/**
 * apps/ml-api's batch endpoint (`BATCH_PATH` and `MAX_BATCH_IMAGES` in apps/ml-api/src/batch.ts):
 * one request carries up to 16 images, so it costs a task up to 16 single-image requests.
 */
export const BATCH_UPLOAD = {
  path: "/api/v2/classify/batch",
  maxImages: 16,
} as const;

/**
 * The per-IP limit for batch requests that a general per-IP `rateLimit` implies: the same images per
 * window (a full batch is `maxImages` images), and never below WAF's minimum of 10.
 */
export function batchRateLimitFor(rateLimit: number): number {
  return Math.max(10, Math.floor(rateLimit / BATCH_UPLOAD.maxImages));
}

/**
 * Text transformations that turn a URI path into the path the app routes: URL-decoded, then
 * normalized (`%2e`, `./`, `../`, `//`), as the app's URL parser would before it routes, so a
 * spelling the app still serves as one of its paths is matched as that path.
 */
export const ROUTED_PATH_TRANSFORMATIONS = [
  { priority: 0, type: "URL_DECODE" },
  { priority: 1, type: "NORMALIZE_PATH" },
] as const;

/**
 * The scope-down statement of the batch rate limit: the URI path, decoded and normalized
 * ({@link ROUTED_PATH_TRANSFORMATIONS}), is the batch path, so no spelling of it slips past the count.
 */
export function batchPathStatement(): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: "EXACTLY",
      searchString: BATCH_UPLOAD.path,
      textTransformations: [...ROUTED_PATH_TRANSFORMATIONS],
    },
  };
}
