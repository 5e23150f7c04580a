// Proves the offline plan really enforces the pack: a program is rendered and turned into a plan
// document by the plan's own code (tools/src/plan-document.ts), then gated by enforcePolicies, the call the plan
// makes. That the plan CLI gates every real layer is tools' test of the CLI (tools/tests/plan.test.ts).
import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { programLoader, renderProgram } from "@mlapi/testing";
import type { PlanLike } from "../src";
import { enforcePolicies, PolicyViolationError, RULES } from "../src";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// tools is not a lib (and imports this one), so its plan module is loaded by path rather than imported.
interface PlanModule {
  toPlanDocument(layer: string, project: string, stack: string, result: RenderResult): PlanLike;
}
const loadPlanModule = (): PlanModule => require(path.join(ROOT, "tools", "src", "plan-document.ts")) as PlanModule;

async function planOf(retentionInDays: number): Promise<PlanLike> {
  const result = await renderProgram({
    project: "mlapi-network",
    stack: "wiring",
    config: { "aws:region": "us-east-1", "mlapi-network:retentionInDays": retentionInDays },
    load: programLoader(path.join(__dirname, "fixtures", "log-group-program.ts")),
  });
  return loadPlanModule().toPlanDocument("network", "mlapi-network", "wiring", result);
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
      [
        "mandatory",
        "log-group-retention-kms",
        "app-logs (aws:cloudwatch/logGroup:LogGroup)",
        "retentionInDays is 14; every log group keeps exactly 30 days (use EncryptedLogGroup).",
      ],
    ]);
    expect((error as Error).message).toMatch(
      /mandatory\s+log-group-retention-kms\s+app-logs \(aws:cloudwatch\/logGroup:LogGroup\)\s+retentionInDays is 14/,
    );
    expect((error as Error).message).toContain(`policies: ${RULES.length} checked, 1 mandatory violation, 0 advisory`);
  });

  it("passes the same program with 30 days and prints the summary", async () => {
    const plan = await planOf(30);
    const printed: string[] = [];
    expect(enforcePolicies(plan, {}, (line) => printed.push(line))).toEqual([]);
    expect(printed).toEqual([`policies: ${RULES.length} checked, 0 mandatory violations, 0 advisory`]);
  });
});
