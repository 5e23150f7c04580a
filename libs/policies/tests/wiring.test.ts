// Proves the offline plan really enforces the pack: a program is rendered and turned into a plan
// document by the plan's own code (tools/src/plan.ts), then gated by enforcePolicies, the call the plan
// makes; and the plan CLI itself gates every real layer.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { programLoader, renderProgram } from "@mlapi/testing";
import type { PlanLike } from "../src";
import { enforcePolicies, PolicyViolationError } from "../src";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// tools is not a lib (and imports this one), so its plan module is loaded by path rather than imported.
interface PlanModule {
  toPlanDocument(layer: string, project: string, stack: string, result: RenderResult): PlanLike;
}
const loadPlanModule = async (): Promise<PlanModule> => (await import(path.join(ROOT, "tools", "src", "plan.ts"))) as PlanModule;

async function planOf(retentionInDays: number): Promise<PlanLike> {
  const result = await renderProgram({
    project: "mlapi-network",
    stack: "wiring",
    config: { "aws:region": "us-east-1", "mlapi-network:retentionInDays": retentionInDays },
    load: programLoader(path.join(__dirname, "fixtures", "log-group-program.ts")),
  });
  return (await loadPlanModule()).toPlanDocument("network", "mlapi-network", "wiring", result);
}

describe("the offline plan's policy gate", () => {
  it("fails a plan with a 14-day log group, naming the policy, the resource and the rule", async () => {
    const plan = await planOf(14);
    let error: unknown;
    try {
      enforcePolicies(plan, {}, () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolationError);
    const violations = (error as PolicyViolationError).violations;
    expect(violations.map((v) => [v.enforcementLevel, v.policy, v.resource, v.message])).toEqual([
      ["mandatory", "log-group-retention-kms", "app-logs (aws:cloudwatch/logGroup:LogGroup)", "retentionInDays is 14; every log group keeps exactly 30 days (use EncryptedLogGroup)."],
    ]);
    expect((error as Error).message).toMatch(/mandatory\s+log-group-retention-kms\s+app-logs \(aws:cloudwatch\/logGroup:LogGroup\)\s+retentionInDays is 14/);
    expect((error as Error).message).toContain("policies: 24 checked, 1 mandatory violation, 0 advisory");
  });

  it("passes the same program with 30 days and prints the summary", async () => {
    const plan = await planOf(30);
    const printed: string[] = [];
    expect(enforcePolicies(plan, {}, (line) => printed.push(line))).toEqual([]);
    expect(printed).toEqual(["policies: 24 checked, 0 mandatory violations, 0 advisory"]);
  });

  it("runs in the plan CLI: every real layer plans with zero mandatory violations", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "policies-plan-"));
    try {
      const stdout = execFileSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools", "src", "plan.ts"), "--all", "--out", out], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
      // The CLI words a pass its own way ("policies ok" or advisory findings on each layer's progress line).
      for (const layer of ["network", "data", "service", "edge"]) expect(stdout).toMatch(new RegExp(`${layer}: .*(policies ok|advisory finding)`));
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      throw new Error(`plan --all failed:\n${stderr ?? ""}${stdout ?? ""}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 240000);
});
