// The service layer under both profiles (issue 26 §4): production protects the ALB from deletion and
// may keep its logs longer and keeps one task on demand; the destroyability, log-retention and
// on-demand-base rules accept exactly that.
import * as path from "node:path";
import { destroyable, ecsProductionOnDemandBase, evaluate, logGroupRetentionAndKey } from "@mlapi/policies";
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
  evaluate(asPolicyResources(r), { environmentSuffix: "dev" }, [
    destroyable,
    logGroupRetentionAndKey,
    ecsProductionOnDemandBase,
  ]).map((v) => `${v.resource}: ${v.message}`);

const summary = (r: RenderResult) => ({
  strategy: one(r, "aws:ecs/service:Service").inputs.capacityProviderStrategies,
  albDeletionProtection: one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
  albProfile: (one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.tags as Record<string, string>).Profile,
  logRetention: ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => [g.inputs.name, g.inputs.retentionInDays]),
});

describe("service layer, by profile", () => {
  it("throwaway (default): the ALB is deletable and every log group keeps 30 days", async () => {
    const r = await render();
    expect(summary(r)).toEqual({
      strategy: [
        { capacityProvider: "FARGATE_SPOT", weight: 7 },
        { capacityProvider: "FARGATE", weight: 3 },
      ],
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

  it("production: one task always on demand, the ALB is deletion-protected and the log groups keep logRetentionDays; the rules accept it", async () => {
    const r = await render({ "mlapi-service:profile": "production", "mlapi-service:logRetentionDays": 731 });
    expect(summary(r)).toEqual({
      strategy: [
        { capacityProvider: "FARGATE_SPOT", weight: 7 },
        { capacityProvider: "FARGATE", weight: 3, base: 1 },
      ],
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

  it("production refuses a stack whose tasks may all be on Spot", async () => {
    await expect(render({ "mlapi-service:profile": "production", "mlapi-service:onDemandBase": 0 })).rejects.toThrow(
      "mlapi-service:onDemandBase = 0: a production stack keeps at least 1 task on FARGATE (on demand): with every task on Spot one capacity reclaim can stop them all at once; remove the key or set mlapi-service:profile: throwaway",
    );
  });

  it("the policy pack flags a production service with no on-demand base", async () => {
    const r = await render({ "mlapi-service:profile": "production" });
    const service = one(r, "aws:ecs/service:Service");
    const strategies = service.inputs.capacityProviderStrategies as Array<Record<string, unknown>>;
    service.inputs.capacityProviderStrategies = strategies.map(({ base: _base, ...s }) => s);
    expect(
      evaluate(asPolicyResources(r), { environmentSuffix: "dev" }, [ecsProductionOnDemandBase]).map((v) => v.message),
    ).toEqual([
      "a production service on FARGATE_SPOT has no FARGATE base of at least 1 (onDemandBase): every task may be on Spot.",
    ]);
  });
});
