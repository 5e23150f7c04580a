import { BODY_RULES, bodyRuleOverrides, IMAGE_UPLOAD, imageUploadException } from "./image-upload-exception";

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

  it("labels a POST to a classify path with an image or multipart content type, and does nothing else to it", () => {
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
                regexString: "^/api/v[12]/classify(/batch)?$",
                textTransformations: [{ priority: 0, type: "NONE" }],
              },
            },
            {
              regexMatchStatement: {
                fieldToMatch: { singleHeader: { name: "content-type" } },
                regexString: "^(image/(jpeg|png|webp)|multipart/form-data) *(;|$)",
                textTransformations: [{ priority: 0, type: "LOWERCASE" }],
              },
            },
          ],
        },
      },
      visibilityConfig: visibility("acl-dev-label-image-uploads"),
    });
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

  // The patterns as WAF applies them (uriPath without the query string; content type lower-cased first).
  const path = new RegExp(IMAGE_UPLOAD.pathPattern);
  const contentType = new RegExp(IMAGE_UPLOAD.contentTypePattern);
  describe.each<[string, boolean]>([
    ["/api/v1/classify", true],
    ["/api/v2/classify", true],
    ["/api/v2/classify/batch", true],
    ["/api/v3/classify", false],
    ["/api/v2/classify/", false],
    ["/api/v2/classify/other", false],
    ["/api/v2/classifyx", false],
    ["/x/api/v2/classify", false],
    ["/health", false],
  ])("path %s", (value, spared) => {
    it(spared ? "is an upload path" : "keeps the full rule set", () => expect(path.test(value)).toBe(spared));
  });
  describe.each<[string, boolean]>([
    ["image/jpeg", true],
    ["image/png", true],
    ["image/webp", true],
    ["multipart/form-data; boundary=x", true],
    ["image/png;charset=binary", true],
    ["image/gif", false],
    ["image/svg+xml", false],
    ["text/html", false],
    ["application/json", false],
    ["image/jpegx", false],
    ["text/html; image/png", false],
  ])("content type %s", (value, spared) => {
    it(spared ? "is an upload type" : "keeps the full rule set", () =>
      expect(contentType.test(value.toLowerCase())).toBe(spared),
    );
  });
});
