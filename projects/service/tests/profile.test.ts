// The service layer under both profiles (issue 26 §4): production protects the ALB from deletion and
// may keep its logs longer; the destroyability and log-retention rules accept exactly that.
import * as path from "node:path";
import { destroyable, evaluate, logGroupRetentionAndKey } from "@mlapi/policies";
import type { RenderResult } from "@mlapi/testing";
import { asPolicyResources, ofType, one, programLoader, renderProgram } from "@mlapi/testing";
import { PREBUILT_IMAGE, REGION, upstream } from "./fixtures";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}) =>
  renderProgram({
    project: "mlapi-service",
    stack: "dev",
    config: { "aws:region": REGION, "mlapi-service:image": PREBUILT_IMAGE, ...config },
    stackOutputs: upstream("dev"),
    load,
  });

const findings = (r: RenderResult) =>
  evaluate(asPolicyResources(r), { environmentSuffix: "dev" }, [destroyable, logGroupRetentionAndKey]).map(
    (v) => `${v.resource}: ${v.message}`,
  );

const summary = (r: RenderResult) => ({
  albDeletionProtection: one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
  albProfile: (one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.tags as Record<string, string>).Profile,
  logRetention: ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => [g.inputs.name, g.inputs.retentionInDays]),
});

describe("service layer, by profile", () => {
  it("throwaway (default): the ALB is deletable and every log group keeps 30 days", async () => {
    const r = await render();
    expect(summary(r)).toEqual({
      albDeletionProtection: false,
      albProfile: "throwaway",
      logRetention: [
        ["/mlapi/api-dev", 30],
        ["aws-waf-logs-mlapi-alb-dev", 30],
        ["/aws/ecs/containerinsights/mlapi-cluster-dev/performance", 30],
      ],
    });
    expect(findings(r)).toEqual([]);
  });

  it("production: the ALB is deletion-protected and the log groups keep logRetentionDays; the rules accept it", async () => {
    const r = await render({ "mlapi-service:profile": "production", "mlapi-service:logRetentionDays": 731 });
    expect(summary(r)).toEqual({
      albDeletionProtection: true,
      albProfile: "production",
      logRetention: [
        ["/mlapi/api-dev", 731],
        ["aws-waf-logs-mlapi-alb-dev", 731],
        ["/aws/ecs/containerinsights/mlapi-cluster-dev/performance", 731],
      ],
    });
    expect(findings(r)).toEqual([]);
  });
});
