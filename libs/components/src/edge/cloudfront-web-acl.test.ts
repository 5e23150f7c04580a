import { one, renderProgram } from "@mlapi/testing";
import { batchPathStatement, bodyRuleOverrides, imageUploadException } from "../waf";
import type { CloudFrontWebAclArgs } from "./cloudfront-web-acl";
import { CloudFrontWebAcl } from "./cloudfront-web-acl";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const render = (args: Partial<CloudFrontWebAclArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const acl = new CloudFrontWebAcl("waf", {
        name: "mlapi-edge-dev",
        logGroupName: "aws-waf-logs-mlapi-edge-dev",
        kmsKeyArn: KEY_ARN,
        ...args,
      });
      return { arn: acl.arn, metricName: acl.metricName };
    },
  });

type Rule = { name: string; priority: number; statement: Record<string, Record<string, unknown>> };
const rules = async (args: Partial<CloudFrontWebAclArgs>) =>
  one(await render(args), "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];

describe("CloudFrontWebAcl", () => {
  it("refuses a log group WAF would not write to", async () => {
    await expect(render({ logGroupName: "/mlapi/waf-dev" })).rejects.toThrow(
      'CloudFrontWebAcl waf: WAF only logs to groups named aws-waf-logs-…, got "/mlapi/waf-dev"',
    );
  });

  it("exposes the metric name its CloudWatch metrics carry as the WebACL dimension", async () => {
    const r = await render();
    expect(r.outputs.metricName).toBe("mlapi-edge-dev");
    expect(one(r, "aws:wafv2/webAcl:WebAcl").inputs.visibilityConfig).toEqual({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: "mlapi-edge-dev",
    });
  });

  it("puts the image-upload exception around the common rule set and the per-IP limits last", async () => {
    const all = await rules({});
    const uploads = imageUploadException({ aclName: "mlapi-edge-dev", markerPriority: 1, reblockPriority: 3 });
    expect(all.map((r) => [r.name, r.priority])).toEqual([
      ["aws-ip-reputation", 0],
      ["label-image-uploads", 1],
      ["aws-common-rule-set", 2],
      ["SizeRestrictions_BODY-except-image-uploads", 3],
      ["CrossSiteScripting_BODY-except-image-uploads", 4],
      ["GenericLFI_BODY-except-image-uploads", 5],
      ["per-ip-rate-limit", 6],
      ["per-ip-batch-rate-limit", 7],
    ]);
    expect(all[1]).toEqual(uploads.marker);
    expect(all.slice(3, 6)).toEqual(uploads.reblocks);
    expect(all[2].statement.managedRuleGroupStatement).toEqual({
      vendorName: "AWS",
      name: "AWSManagedRulesCommonRuleSet",
      ruleActionOverrides: bodyRuleOverrides(),
    });
  });

  it("takes the rate limit and its window", async () => {
    const rate = (await rules({ rateLimit: 100, rateLimitWindowSeconds: 60 })).find(
      (r) => r.name === "per-ip-rate-limit",
    );
    expect(rate?.statement.rateBasedStatement).toEqual({ aggregateKeyType: "IP", limit: 100, evaluationWindowSec: 60 });
  });

  it("blocks an IP over 125 batch requests per window (2000 / 16 images), counting only the batch path", async () => {
    const all = await rules({});
    const batch = all.find((r) => r.name === "per-ip-batch-rate-limit");
    expect(batch?.priority).toBe(7);
    expect(batch?.statement.rateBasedStatement).toEqual({
      aggregateKeyType: "IP",
      limit: 125,
      evaluationWindowSec: 300,
      scopeDownStatement: batchPathStatement(),
    });
    // the general limit keeps counting every request, batches included
    expect(all.find((r) => r.name === "per-ip-rate-limit")?.statement.rateBasedStatement).not.toHaveProperty(
      "scopeDownStatement",
    );
  });

  const customResponse = (rule: Rule | undefined) =>
    (rule as { action?: { block?: { customResponse?: unknown } } } | undefined)?.action?.block?.customResponse;
  const bodies = async (args: Partial<CloudFrontWebAclArgs>) =>
    one(await render(args), "aws:wafv2/webAcl:WebAcl").inputs.customResponseBodies as {
      key: string;
      contentType: string;
      content: string;
    }[];

  it("answers both rate limits 429 with Retry-After 60 (a fifth of the 300 s window), no-store and its own body", async () => {
    const all = await rules({});
    for (const [rule, bodyKey] of [
      ["per-ip-rate-limit", "rate-limited"],
      ["per-ip-batch-rate-limit", "batch-rate-limited"],
    ]) {
      expect(customResponse(all.find((r) => r.name === rule))).toEqual({
        responseCode: 429,
        customResponseBodyKey: bodyKey,
        responseHeaders: [
          { name: "Retry-After", value: "60" },
          { name: "Cache-Control", value: "no-store" },
        ],
      });
    }
  });

  it("declares each rate-limit body as JSON in the API's error shape, naming the limits it enforces", async () => {
    const declared = await bodies({});
    expect(declared.map((b) => [b.key, b.contentType])).toEqual([
      ["rate-limited", "APPLICATION_JSON"],
      ["batch-rate-limited", "APPLICATION_JSON"],
    ]);
    const [general, batch] = declared.map((b) => JSON.parse(b.content) as { error: { code: string; message: string } });
    expect(general).toEqual({
      error: { code: "rate_limited", message: expect.stringContaining("2000 requests per 300 seconds") },
    });
    expect(batch).toEqual({ error: { code: "rate_limited", message: expect.stringContaining("125 per 300 seconds") } });
    for (const b of declared) expect(b.content.length).toBeLessThanOrEqual(4096); // WAF's limit per body
  });

  it("scales Retry-After with the window and keeps the bodies true to the configured limits", async () => {
    const all = await rules({ rateLimit: 600, rateLimitWindowSeconds: 600 });
    expect(customResponse(all.find((r) => r.name === "per-ip-rate-limit"))).toMatchObject({
      responseHeaders: expect.arrayContaining([{ name: "Retry-After", value: "120" }]),
    });
    const [general] = await bodies({ rateLimit: 600, rateLimitWindowSeconds: 600 });
    expect(general?.content).toContain("600 requests per 600 seconds");
  });

  it("blocks with a custom response only in the rate rules: every other block stays WAF's 403 (the edge's error page)", async () => {
    const all = await rules({});
    const custom = all.filter((r) => customResponse(r) !== undefined).map((r) => r.name);
    expect(custom).toEqual(["per-ip-rate-limit", "per-ip-batch-rate-limit"]);
  });

  it("derives the batch limit from the general one and window unless given, and refuses one above it", async () => {
    const derived = (await rules({ rateLimit: 800, rateLimitWindowSeconds: 60 })).find(
      (r) => r.name === "per-ip-batch-rate-limit",
    );
    expect(derived?.statement.rateBasedStatement).toMatchObject({ limit: 50, evaluationWindowSec: 60 });
    const given = (await rules({ batchRateLimit: 40 })).find((r) => r.name === "per-ip-batch-rate-limit");
    expect(given?.statement.rateBasedStatement).toMatchObject({ limit: 40 });
    await expect(render({ rateLimit: 100, batchRateLimit: 200 })).rejects.toThrow(
      "CloudFrontWebAcl waf: batchRateLimit 200 exceeds rateLimit 100",
    );
  });
});
