// The profile switch (`profile: throwaway | production`): what production changes in this layer.
import * as path from "node:path";
import { evaluate, resourcesFromPlan } from "@mlapi/policies";
import { asPlan, ofType, programLoader, renderProgram } from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}) =>
  renderProgram({ project: "mlapi-network", stack: "prod", config: { "aws:region": "us-east-1", ...config }, load });

describe("network layer profiles", () => {
  it("shares one NAT gateway in a throwaway stack (the default)", async () => {
    expect(ofType(await render(), "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  });

  it("puts one NAT gateway in each zone with profile production, and passes the policy pack", async () => {
    const r = await render({ "mlapi-network:profile": "production" });
    expect(ofType(r, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    const violations = evaluate(resourcesFromPlan(asPlan(r, "mlapi-network", "prod")), { environmentSuffix: "prod", profile: "production" });
    expect(violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });

  it("refuses a single NAT gateway, or an unknown profile, before any resource", async () => {
    await expect(render({ "mlapi-network:profile": "production", "mlapi-network:natGateways": 1 })).rejects.toThrow(
      'Invalid configuration: mlapi-network:natGateways = 1: must be 3 with profile production (one NAT gateway per zone)',
    );
    await expect(render({ "mlapi-network:profile": "prod" })).rejects.toThrow(
      'Invalid configuration: mlapi-network:profile = "prod": must be one of throwaway, production',
    );
  });
});
