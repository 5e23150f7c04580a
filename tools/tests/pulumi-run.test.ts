// Each layer starts under `pulumi preview` / `pulumi up` as Pulumi itself compiles it: ts-node
// registered by @pulumi/pulumi's run module from the Pulumi.yaml runtime options (pulumi-run/
// plan-layer.js), transpile-only, then planned under mocks with each upstream layer's plan. A layer
// that only works under the offline plan's tsx, or that Pulumi would type check at every start,
// fails here.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const PLAN_LAYER = path.join(__dirname, "pulumi-run", "plan-layer.js");

describe("layers compiled by Pulumi's ts-node registration", () => {
  jest.setTimeout(120_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-run-"));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  // In deploy order: each layer reads the plan of the ones before it.
  it.each(["network", "data", "service", "edge"])("%s compiles transpile-only and renders", (layer) => {
    // Without the override Pulumi also honours, so that the layer's own settings decide.
    const env = { ...process.env };
    delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
    const r = spawnSync(process.execPath, [PLAN_LAYER, layer, out], { cwd: ROOT, encoding: "utf8", env });
    // stderr carries the program's own warnings (pulumi.log.warn); a failure names itself there.
    const outcome = JSON.parse(r.stdout.trim().split("\n").pop() || "{}") as Record<string, unknown>;
    expect({ ...outcome, failure: r.status === 0 ? undefined : r.stderr }).toEqual({
      transpileOnly: true,
      exitCode: 0,
    });
    const plan = JSON.parse(fs.readFileSync(path.join(out, `${layer}.json`), "utf8")) as { steps: unknown[] };
    expect(plan.steps.length).toBeGreaterThan(10);
  });
});
