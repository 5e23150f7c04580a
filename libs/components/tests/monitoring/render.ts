import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { programLoader, renderProgram } from "@mlapi/testing";

/** Config namespace of the test program. */
export const PROJECT = "mlapi-test";
/** Not us-east-1, so that edge resources on the us-east-1 provider are told apart from regional ones. */
export const STACK_REGION = "eu-west-1";

const load = programLoader(path.join(__dirname, "monitoring.program.ts"));

/** Renders the monitoring test program; `config` keys without a namespace get the project's. */
export function renderMonitoring(config: Record<string, unknown> = {}): Promise<RenderResult> {
  const qualified = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, v]),
  );
  return renderProgram({ project: PROJECT, stack: "test", config: { "aws:region": STACK_REGION, ...qualified }, load });
}
