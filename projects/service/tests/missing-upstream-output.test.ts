// A missing upstream output fails inside an apply, which jest cannot observe in-process (it surfaces
// as an unhandled rejection), so this runs the offline plan as a subprocess, like a user would.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DataOutputs } from "@mlapi/core";
import { DATA, NETWORK } from "@mlapi/core";
import { dataOutputs, networkOutputs } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function planServiceWithDataOutputs(outputs: Partial<DataOutputs>): { status: number | null; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-service-plan-"));
  try {
    const doc = (layer: string, project: string, out: unknown) => JSON.stringify({ layer, project, stack: "example", steps: [], outputs: out, secretOutputNames: [] });
    fs.writeFileSync(path.join(dir, "network.json"), doc("network", NETWORK.project, networkOutputs()));
    fs.writeFileSync(path.join(dir, "data.json"), doc("data", DATA.project, outputs));
    const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["tools/src/plan.ts", "service", "--stack", "example", "--out", dir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: run.status, stderr: run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("service layer without a data output it needs", () => {
  it("stops with an error naming the data stack and the missing output", () => {
    const withoutTable: Partial<DataOutputs> = { ...dataOutputs("example") };
    delete withoutTable.sessionsTableArn;
    const { status, stderr } = planServiceWithDataOutputs(withoutTable);
    expect(status).not.toBe(0);
    expect(stderr).toContain('Stack "organization/mlapi-data/example" has no output "sessionsTableArn". Deploy or update the data layer first');
  });

  it("plans when the data outputs are complete (the check above fails for the right reason)", () => {
    const { status, stderr } = planServiceWithDataOutputs(dataOutputs("example"));
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
