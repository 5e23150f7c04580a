import * as fs from "node:fs";
import * as path from "node:path";
import { BATCH_UPLOAD, batchPathStatement, batchRateLimitFor } from "./batch-rate-limit";

describe("BATCH_UPLOAD", () => {
  it("is apps/ml-api's batch path and image cap", () => {
    const source = fs.readFileSync(
      path.resolve(__dirname, "..", "..", "..", "..", "apps", "ml-api", "src", "batch.ts"),
      "utf8",
    );
    expect(source).toContain(`export const BATCH_PATH = "${BATCH_UPLOAD.path}";`);
    expect(source).toContain(`export const MAX_BATCH_IMAGES = ${BATCH_UPLOAD.maxImages};`);
  });
});

describe("batchRateLimitFor", () => {
  it("allows the images per window of the general limit, in full batches", () => {
    expect(batchRateLimitFor(2000)).toBe(125);
    expect(batchRateLimitFor(500)).toBe(31);
  });

  it("never goes below WAF's minimum limit of 10", () => {
    expect(batchRateLimitFor(100)).toBe(10);
    expect(batchRateLimitFor(10)).toBe(10);
  });
});

describe("batchPathStatement", () => {
  it("matches exactly the batch path after URL-decoding and path normalization", () => {
    expect(batchPathStatement()).toEqual({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "EXACTLY",
        searchString: "/api/v2/classify/batch",
        textTransformations: [
          { priority: 0, type: "URL_DECODE" },
          { priority: 1, type: "NORMALIZE_PATH" },
        ],
      },
    });
  });
});
