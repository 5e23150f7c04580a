// The profile switch (`profile: throwaway | production`): production protects the ALB from deletion.
import * as path from "node:path";
import { evaluate, resourcesFromPlan } from "@mlapi/policies";
import type { RenderResult } from "@mlapi/testing";
import { asPlan, one, programLoader, renderProgram } from "@mlapi/testing";
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
const destroyability = (r: RenderResult, profile?: string) =>
  evaluate(resourcesFromPlan(asPlan(r, "mlapi-service", "dev")), { environmentSuffix: "dev", profile })
    .filter((v) => v.policy === "destroyable")
    .map((v) => `${v.resource}: ${v.message}`);

describe("service layer profiles", () => {
  it("leaves the ALB unprotected in a throwaway stack (the default)", async () => {
    const r = await render();
    expect(one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).toBe(false);
    expect(destroyability(r)).toEqual([]);
  });

  it("protects the ALB from deletion with profile production, which only that profile's policy accepts", async () => {
    const r = await render({ "mlapi-service:profile": "production" });
    expect(one(r, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).toBe(true);
    expect(destroyability(r, "production")).toEqual([]);
    expect(destroyability(r, "throwaway")).toEqual(["api-lb-alb (aws:lb/loadBalancer:LoadBalancer): enableDeletionProtection must be false."]);
  });
});
