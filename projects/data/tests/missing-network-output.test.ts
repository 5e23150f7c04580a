// A missing upstream output fails inside an apply, which jest cannot observe in-process (it surfaces
// as an unhandled rejection), so this runs the offline plan as a subprocess, like a user would.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NetworkOutputs } from "@mlapi/core";
import { NETWORK } from "@mlapi/core";
import { NETWORK_OUTPUTS } from "./fixtures";

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

describe("data layer without a network output it needs", () => {
  it("stops with an error naming the network stack and the missing output", () => {
    const withoutDbGroup: Partial<NetworkOutputs> = { ...NETWORK_OUTPUTS };
    delete withoutDbGroup.dbSecurityGroupId;
    const { status, stderr } = planDataWithNetworkOutputs(withoutDbGroup);
    expect(status).not.toBe(0);
    expect(stderr).toContain('Stack "organization/mlapi-network/example" has no output "dbSecurityGroupId". Deploy or update the network layer first');
  });

  it("plans when the network outputs are complete (the check above fails for the right reason)", () => {
    const { status, stderr } = planDataWithNetworkOutputs(NETWORK_OUTPUTS);
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
