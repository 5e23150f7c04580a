import { one, renderProgram } from "@mlapi/testing";
import type { CloudFrontWebAclArgs } from "./cloudfront-web-acl";
import { CloudFrontWebAcl } from "./cloudfront-web-acl";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const render = (args: Partial<CloudFrontWebAclArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const acl = new CloudFrontWebAcl("waf", { name: "mlapi-edge-dev", logGroupName: "aws-waf-logs-mlapi-edge-dev", kmsKeyArn: KEY_ARN, ...args });
      return { arn: acl.arn, metricName: acl.metricName };
    },
  });

type Rule = { name: string; statement: Record<string, Record<string, unknown>> };
const rules = async (args: Partial<CloudFrontWebAclArgs>) => one(await render(args), "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];

describe("CloudFrontWebAcl", () => {
  it("refuses a log group WAF would not write to", async () => {
    await expect(render({ logGroupName: "/mlapi/waf-dev" })).rejects.toThrow('CloudFrontWebAcl waf: WAF only logs to groups named aws-waf-logs-…, got "/mlapi/waf-dev"');
  });

  it("exposes the metric name its CloudWatch metrics carry as the WebACL dimension", async () => {
    const r = await render();
    expect(r.outputs.metricName).toBe("mlapi-edge-dev");
    expect(one(r, "aws:wafv2/webAcl:WebAcl").inputs.visibilityConfig).toEqual({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "mlapi-edge-dev" });
  });

  it("blocks on every common rule when no rule is set to count", async () => {
    const common = (await rules({ countOnlyCommonRules: [] })).find((r) => r.name === "aws-common-rule-set");
    expect(common?.statement.managedRuleGroupStatement).toEqual({ vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" });
  });

  it("takes the rate limit and its window", async () => {
    const rate = (await rules({ rateLimit: 100, rateLimitWindowSeconds: 60 })).find((r) => r.name === "per-ip-rate-limit");
    expect(rate?.statement.rateBasedStatement).toEqual({ aggregateKeyType: "IP", limit: 100, evaluationWindowSec: 60 });
  });
});
