import { one, renderProgram } from "@mlapi/testing";
import { bodyRuleOverrides, imageUploadException } from "../waf";
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

  it("puts the image-upload exception around the common rule set and the per-IP limit last", async () => {
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
});
