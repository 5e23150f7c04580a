// The network layer under both profiles (issue 26 §4): production egresses through one NAT gateway
// per zone (no zone loses egress with another's) and may keep its flow logs longer.
import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { ofType, programLoader, renderProgram } from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}) =>
  renderProgram({ project: "mlapi-network", stack: "prod", config: { "aws:region": "eu-west-1", ...config }, load });

/** Each private route table's default route → the NAT gateway's subnet's zone. */
const egress = (r: RenderResult) => {
  const nats = ofType(r, "aws:ec2/natGateway:NatGateway");
  const subnets = ofType(r, "aws:ec2/subnet:Subnet");
  const zoneOf = (subnetId: unknown) => subnets.find((s) => s.id === subnetId)?.inputs.availabilityZone;
  return ofType(r, "aws:ec2/route:Route")
    .filter((rt) => rt.inputs.natGatewayId !== undefined)
    .map((rt) => zoneOf(nats.find((n) => n.id === rt.inputs.natGatewayId)?.inputs.subnetId));
};

describe("network layer, by profile", () => {
  it("throwaway (default): one shared NAT gateway, 30-day flow logs, tagged throwaway", async () => {
    const r = await render();
    expect(egress(r)).toEqual(["eu-west-1a", "eu-west-1a", "eu-west-1a"]);
    expect(ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays)).toEqual([30]);
    expect((ofType(r, "aws:ec2/vpc:Vpc")[0].inputs.tags as Record<string, string>).Profile).toBe("throwaway");
  });

  it("production: one NAT gateway per zone, each private subnet leaving through its own zone's, flow logs as configured", async () => {
    const r = await render({ "mlapi-network:profile": "production", "mlapi-network:logRetentionDays": "90" });
    expect(ofType(r, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    expect(egress(r)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays)).toEqual([90]);
    expect((ofType(r, "aws:ec2/vpc:Vpc")[0].inputs.tags as Record<string, string>).Profile).toBe("production");
  });

  it("production refuses a single NAT gateway", async () => {
    await expect(render({ "mlapi-network:profile": "production", "mlapi-network:natGateways": 1 })).rejects.toThrow(
      "mlapi-network:natGateways = 1: a production stack has one NAT gateway per zone (3); remove the key or set mlapi-network:profile: throwaway",
    );
  });
});
