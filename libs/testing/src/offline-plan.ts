import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const WORKSPACE_ROOT = path.resolve(__dirname, "..", "..", "..");

/** One upstream layer's plan document, as `tools/src/plan.ts` reads it from `<out>/<layer>.json`. */
export interface UpstreamPlan {
  layer: string;
  /** Pulumi project, e.g. `mlapi-network`. */
  project: string;
  outputs: unknown;
}

export interface OfflinePlanRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the offline plan of `layer` in a subprocess against the given upstream outputs, the way a user
 * would. Errors thrown inside an apply (a missing upstream output) cannot be asserted in-process under
 * jest (they surface as unhandled rejections), but they do fail this run with the message on stderr.
 */
export function planLayerInSubprocess(layer: string, upstream: UpstreamPlan[], stack = "example"): OfflinePlanRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlapi-${layer}-plan-`));
  try {
    for (const u of upstream) {
      const doc = { layer: u.layer, project: u.project, stack, steps: [], outputs: u.outputs, secretOutputNames: [] };
      fs.writeFileSync(path.join(dir, `${u.layer}.json`), JSON.stringify(doc));
    }
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "tools/src/plan.ts", layer, "--stack", stack, "--out", dir], {
      cwd: WORKSPACE_ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
