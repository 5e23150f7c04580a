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
    expect(batch).toMatchObject({ priority: 7, action: { block: {} } });
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
