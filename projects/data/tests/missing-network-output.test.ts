// A missing upstream output fails inside an apply, which jest cannot observe in-process (it surfaces
// as an unhandled rejection), so this runs the offline plan as a subprocess, like a user would.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NetworkOutputs } from "@mlapi/core";
import { NETWORK } from "@mlapi/core";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function planDataWithNetworkOutputs(outputs: Partial<NetworkOutputs>): { status: number | null; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-data-plan-"));
  try {
    const network = { layer: "network", project: NETWORK.project, stack: "example", steps: [], outputs, secretOutputNames: [] };
    fs.writeFileSync(path.join(dir, "network.json"), JSON.stringify(network));
    const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["tools/src/plan.ts", "data", "--stack", "example", "--out", dir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: run.status, stderr: run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const COMPLETE: NetworkOutputs = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  vpcCidr: "10.0.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  publicSubnetIds: ["subnet-0pub0a", "subnet-0pub0b", "subnet-0pub0c"],
  privateSubnetIds: ["subnet-0priv0a", "subnet-0priv0b", "subnet-0priv0c"],
  privateRouteTableIds: ["rtb-0a", "rtb-0b", "rtb-0c"],
  albSecurityGroupId: "sg-0alb",
  appSecurityGroupId: "sg-0app",
  dbSecurityGroupId: "sg-0db",
  appPort: 8080,
  natGatewayCount: 1,
};

describe("data layer without a network output it needs", () => {
  it("stops with an error naming the network stack and the missing output", () => {
    const withoutDbGroup: Partial<NetworkOutputs> = { ...COMPLETE };
    delete withoutDbGroup.dbSecurityGroupId;
    const { status, stderr } = planDataWithNetworkOutputs(withoutDbGroup);
    expect(status).not.toBe(0);
    expect(stderr).toContain('Stack "organization/mlapi-network/example" has no output "dbSecurityGroupId". Deploy or update the network layer first');
  });

  it("plans when the network outputs are complete (the check above fails for the right reason)", () => {
    const { status, stderr } = planDataWithNetworkOutputs(COMPLETE);
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
