// `nx affected` selects what a change can break, and nothing else: for one representative file of
// each kind, the exact projects `nx show projects --affected --files=<file>` names. The rules:
// a shared lib or a contract reaches every project that imports it; a layer reaches itself and tools
// (whose test plans the whole stack through the policy gate), never another layer; the plan and
// deploy scripts reach the layers whose targets run them (their inputs), not through the graph.
// Tests and READMEs are inside their project, so they mark it (and its dependents) affected too;
// the dependents' cached test results stay valid, since `production` inputs leave them out.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..", "..");
const NX = path.join(ROOT, "node_modules", ".bin", "nx");

const LAYERS = ["network", "data", "service", "edge"];
const EVERY_PROJECT = [
  "bootstrap",
  "components",
  "core",
  "integration",
  "ml-api",
  "policies",
  "testing",
  "tools",
  "workflows",
  ...LAYERS,
];
/** Every project importing @mlapi/core (libs/testing for its fixtures): all but the API and the integration tests. */
const CORE_USERS = ["bootstrap", "components", "core", "policies", "testing", "tools", "workflows", ...LAYERS];
/** libs/components and every project that imports it. */
const COMPONENT_USERS = ["bootstrap", "components", "tools", ...LAYERS];

const CASES: Array<[string, string, string[]]> = [
  ["the network program", "projects/network/index.ts", ["network", "tools"]],
  ["the data program", "projects/data/index.ts", ["data", "tools"]],
  ["the service program", "projects/service/index.ts", ["service", "tools"]],
  ["the edge program", "projects/edge/index.ts", ["edge", "tools"]],
  ["a layer's config", "projects/service/src/config.ts", ["service", "tools"]],
  ["a layer's test", "projects/edge/tests/edge.test.ts", ["edge", "tools"]],
  ["a cross-layer contract", "libs/core/src/contracts/network.ts", CORE_USERS],
  ["libs/core", "libs/core/src/naming.ts", CORE_USERS],
  ["libs/components", "libs/components/src/aws.ts", COMPONENT_USERS],
  [
    "libs/testing (imported by tests and the plan)",
    "libs/testing/src/render.ts",
    [...COMPONENT_USERS, "policies", "testing"],
  ],
  // The bootstrap CI roles' test checks them against the pack, so components (and what imports it) follow.
  [
    "libs/policies (imported by the plan and policy-checking tests)",
    "libs/policies/src/index.ts",
    [...COMPONENT_USERS, "policies"],
  ],
  ["the offline plan", "tools/src/plan.ts", [...COMPONENT_USERS, "policies"]],
  ["the deploy script", "tools/src/pulumi-layer.ts", ["tools", ...LAYERS]],
  ["the flat-outputs script", "tools/src/flat-outputs.ts", ["tools"]],
  ["the API (its image is built by the service layer)", "apps/ml-api/src/server.ts", ["ml-api", "service", "tools"]],
  ["the workspace config", "nx.json", EVERY_PROJECT],
];

async function affectedBy(file: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(NX, ["show", "projects", "--affected", `--files=${file}`, "--json"], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true", NX_TUI: "false" },
  });
  return (JSON.parse(stdout) as string[]).sort();
}

describe("nx affected", () => {
  jest.setTimeout(120_000);

  it.each(CASES)("a change to %s (%s) affects exactly %j", async (_kind, file, expected) => {
    expect(await affectedBy(file)).toEqual([...expected].sort());
  });
});
