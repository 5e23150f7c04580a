import { posix } from "node:path";
import {
  BODY_RULES,
  bodyRuleOverrides,
  IMAGE_UPLOAD,
  imageUploadException,
  imageUploadStatement,
} from "./image-upload-exception";

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

describe("imageUploadException", () => {
  const { marker, reblocks } = imageUploadException({ aclName: "acl-dev", markerPriority: 4, reblockPriority: 7 });

  it("counts exactly the three body rules of the common rule set, whose labels AWS documents", () => {
    expect(bodyRuleOverrides()).toEqual([
      { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
      { name: "CrossSiteScripting_BODY", actionToUse: { count: {} } },
      { name: "GenericLFI_BODY", actionToUse: { count: {} } },
    ]);
    expect(BODY_RULES.map((b) => b.label)).toEqual([
      "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
      "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
      "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
    ]);
  });

  it("labels a POST to a classify path (decoded, normalized), whatever its content type, and does nothing else to it", () => {
    expect(marker).toEqual({
      name: "label-image-uploads",
      priority: 4,
      action: { count: {} },
      ruleLabels: [{ name: "mlapi:image-upload" }],
      statement: {
        andStatement: {
          statements: [
            {
              byteMatchStatement: {
                fieldToMatch: { method: {} },
                positionalConstraint: "EXACTLY",
                searchString: "POST",
                textTransformations: [{ priority: 0, type: "NONE" }],
              },
            },
            {
              regexMatchStatement: {
                fieldToMatch: { uriPath: {} },
                regexString: "^/api/v(1/classify|2/classify(/batch)?)$",
                textTransformations: [
                  { priority: 0, type: "URL_DECODE" },
                  { priority: 1, type: "NORMALIZE_PATH" },
                ],
              },
            },
          ],
        },
      },
      visibilityConfig: visibility("acl-dev-label-image-uploads"),
    });
  });

  it("reads no header: an upload of any type (image/jpg, octet-stream, HEIC, none) reaches the API, which answers 415 itself", () => {
    expect(JSON.stringify(imageUploadStatement())).not.toMatch(/singleHeader|headers|content-type/i);
  });

  it("blocks again, in order, every request a body rule labelled unless it is an image upload", () => {
    expect(reblocks).toEqual(
      BODY_RULES.map(({ rule, label }, i) => ({
        name: `${rule}-except-image-uploads`,
        priority: 7 + i,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { labelMatchStatement: { scope: "LABEL", key: label } },
              { notStatement: { statement: { labelMatchStatement: { scope: "LABEL", key: "mlapi:image-upload" } } } },
            ],
          },
        },
        visibilityConfig: visibility(`acl-dev-${rule}-except-image-uploads`),
      })),
    );
  });

  // The pattern as WAF applies it: to the URI path without the query string, after URL_DECODE and
  // NORMALIZE_PATH (so the spellings below are already decoded and normalized).
  const path = new RegExp(IMAGE_UPLOAD.pathPattern);
  it("matches exactly the listed classify paths", () => {
    expect(IMAGE_UPLOAD.paths).toEqual(["/api/v1/classify", "/api/v2/classify", "/api/v2/classify/batch"]);
    for (const p of IMAGE_UPLOAD.paths) expect(path.test(p)).toBe(true);
  });
  // WAF's URL_DECODE then NORMALIZE_PATH, approximated; the app routes on WHATWG URL's pathname.
  const wafPath = (raw: string) => posix.normalize(decodeURIComponent(raw));
  const appPath = (raw: string) => new URL(raw, "http://localhost").pathname;
  it.each(["/api/v2/./classify", "/api/v2/%2e/classify", "/api/v2/x/../classify", "/api/v1/./classify"])(
    "spares %s, a spelling the app routes to a classify path",
    (raw) => {
      expect(IMAGE_UPLOAD.paths).toContain(appPath(raw));
      expect(path.test(wafPath(raw))).toBe(true);
    },
  );
  describe.each<[string, boolean]>([
    ["/api/v1/classify", true],
    ["/api/v2/classify", true],
    ["/api/v2/classify/batch", true],
    ["/api/v1/classify/batch", false],
    ["/api/v3/classify", false],
    ["/api/v2/classify/", false],
    ["/api/v2/classify/other", false],
    ["/api/v2/classifyx", false],
    ["/api/v2/Classify", false],
    ["/x/api/v2/classify", false],
    ["/api/v2/models", false],
    ["/health", false],
  ])("path %s", (value, spared) => {
    it(spared ? "is an upload path" : "keeps the full rule set", () => expect(path.test(value)).toBe(spared));
  });
});
