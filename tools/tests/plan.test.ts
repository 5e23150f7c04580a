// The offline plan: its document shape (pure), and the CLI: in this process where it fails before any
// resource is declared, and as a subprocess for a whole plan and for an error thrown inside an apply
// (a missing upstream output), which only a process shows as a user sees it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { main, parsePlanArgs, summarizeAll, upstreamOutputs } from "../src/plan";
import type { PlanDocument } from "../src/plan-document";
import { toPlanDocument, writePlan } from "../src/plan-document";
import { UNLOADED_MODULES } from "../src/unloaded-modules";
import type { RunResult } from "./fake-pulumi";
import { FakePulumi } from "./fake-pulumi";

let fake: FakePulumi | undefined;
afterEach(() => fake?.dispose());

/** Runs the plan CLI with the fake `pulumi` first on PATH, so a test can also see that it never calls it. */
function plan(args: string[], env: Record<string, string> = {}): RunResult {
  fake = new FakePulumi({}, env);
  return fake.tool("plan.ts", args);
}

/** The plan CLI's main in this process, with the environment `plan` gives the subprocess. */
function planHere(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  fake = new FakePulumi({}, env);
  return fake.inProcess(main, args);
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
const read = (dir: string, layer: string): PlanDocument =>
  JSON.parse(fs.readFileSync(path.join(dir, `${layer}.json`), "utf8")) as PlanDocument;

/** An upstream plan file with only the given outputs, as the brief of every layer describes it. */
function writeUpstream(dir: string, layer: string, outputs: Record<string, unknown>): void {
  fs.writeFileSync(
    path.join(dir, `${layer}.json`),
    JSON.stringify({ layer, project: `mlapi-${layer}`, stack: "example", steps: [], outputs, secretOutputNames: [] }),
  );
}

/** A recorded resource with defaults for everything a test does not care about. */
const resource = (r: Partial<PlannedResource> & Pick<PlannedResource, "type" | "name">): PlannedResource => ({
  dependsOn: [],
  dependencies: [],
  custom: false,
  id: "",
  inputs: {},
  state: {},
  protect: false,
  retainOnDelete: false,
  ignoreChanges: [],
  replaceOnChanges: [],
  ...r,
});

describe("plan document", () => {
  const result: RenderResult = {
    resources: [
      resource({ type: "pulumi:pulumi:Stack", name: "mlapi-data-dev" }),
      resource({ type: "mlapi:data:Sessions", name: "sessions" }),
      resource({
        type: "aws:dynamodb/table:Table",
        name: "sessions-table",
        parent: "mlapi:data:Sessions::sessions",
        dependsOn: ["aws:kms/key:Key::data-key"],
        dependencies: ["aws:kms/key:Key::data-key"],
        custom: true,
        id: "mlapi-sessions-dev",
        inputs: { name: "mlapi-sessions-dev", billingMode: "PAY_PER_REQUEST" },
        state: { name: "mlapi-sessions-dev", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/mlapi-sessions-dev" },
      }),
      resource({ type: "aws:kms/key:Key", name: "data-key", custom: true, id: "0e3b2f0c-key" }),
    ],
    outputs: { sessionsTableName: "mlapi-sessions-dev", token: "s3cr3t" },
    secretOutputNames: ["token"],
  };
  const doc = toPlanDocument("data", "mlapi-data", "dev", result);
  const table = doc.steps[2];

  it("names each resource by a preview-style URN with its parent chain", () => {
    expect(table.urn).toBe(
      "urn:pulumi:dev::mlapi-data::pulumi:pulumi:Stack$mlapi:data:Sessions$aws:dynamodb/table:Table::sessions-table",
    );
    expect(table.newState.parent).toBe("urn:pulumi:dev::mlapi-data::pulumi:pulumi:Stack$mlapi:data:Sessions::sessions");
  });

  it("turns the dependencies the engine waits for into URNs", () => {
    expect(table.newState.dependencies).toEqual([
      "urn:pulumi:dev::mlapi-data::pulumi:pulumi:Stack$aws:kms/key:Key::data-key",
    ]);
  });

  it("records the logical and the physical name, falling back to the id", () => {
    expect([table.name, table.physicalName]).toEqual(["sessions-table", "mlapi-sessions-dev"]);
    expect(doc.steps[3].physicalName).toBe("0e3b2f0c-key");
  });

  it("keeps inputs apart from the engine's outputs", () => {
    expect(table.newState.inputs).toEqual({ name: "mlapi-sessions-dev", billingMode: "PAY_PER_REQUEST" });
    expect(table.newState.outputs.arn).toBe("arn:aws:dynamodb:us-east-1:123456789012:table/mlapi-sessions-dev");
  });

  it("writes secret inputs as [secret], like pulumi preview --json, and keeps the layer's outputs readable", () => {
    const envelope = { [specialSigKey]: specialSecretSig, value: [{ password: "hunter2" }] };
    const withSecret: RenderResult = {
      ...result,
      resources: [
        ...result.resources,
        resource({
          type: "docker-build:index:Image",
          name: "api",
          custom: true,
          inputs: { push: true, registries: envelope },
        }),
      ],
    };
    const dir = tmp();
    try {
      const text = fs.readFileSync(writePlan(toPlanDocument("data", "mlapi-data", "dev", withSecret), dir), "utf8");
      expect(text).not.toContain("hunter2");
      const written = read(dir, "data");
      expect(written.steps[4].newState.inputs).toEqual({ push: true, registries: "[secret]" });
      expect(written.outputs).toEqual({ sessionsTableName: "mlapi-sessions-dev", token: "s3cr3t" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("summarizes resources per type and the required outputs (R20), marking missing ones", () => {
    expect(summarizeAll([doc]).split("\n")).toEqual([
      "data (mlapi-data): 2 resources",
      "  aws:dynamodb/table:Table   1",
      "  aws:kms/key:Key            1",
      "required outputs (R20):",
      "  rdsClusterEndpoint       = (missing)",
      "  rdsClusterReaderEndpoint = (missing)",
      '  sessionsTableName        = "mlapi-sessions-dev"',
      "total: 2 resources in 1 layer (stack dev)",
    ]);
  });
});

describe("plan CLI", () => {
  jest.setTimeout(120_000);

  it("plans all four layers in order, each layer's outputs feeding the next and passing the policies", () => {
    const out = tmp();
    const r = plan(["--all", "--out", out]);
    expect(r.stderr).not.toContain("plan failed");
    expect(r.status).toBe(0);
    expect(fake?.calls()).toEqual([]);
    const progress = r.stdout.split("\n").filter((l) => /^\[\d\/4\]/.test(l));
    expect(progress.map((l) => l.split(":")[0])).toEqual([
      "[1/4] network",
      "[2/4] data",
      "[3/4] service",
      "[4/4] edge",
    ]);
    const [network, data, service, edge] = ["network", "data", "service", "edge"].map((l) => read(out, l));
    // The upstream values a layer read are exactly what the layer before it exported.
    const subnetGroup = data.steps.find((s) => s.newState.type === "aws:rds/subnetGroup:SubnetGroup");
    expect(subnetGroup?.newState.inputs.subnetIds).toEqual(network.outputs.privateSubnetIds);
    const service_ = service.steps.find((s) => s.newState.type === "aws:ecs/service:Service");
    expect((service_?.newState.inputs.networkConfiguration as { subnets: string[] }).subnets).toEqual(
      network.outputs.privateSubnetIds,
    );
    expect(JSON.stringify(edge.steps)).toContain(String(service.outputs.albDnsName));
    for (const key of ["vpcId", "rdsClusterEndpoint", "albDnsName", "cloudFrontUrl"])
      expect(r.stdout).toMatch(new RegExp(`^  ${key} +=`, "m"));
    // Each layer passed the platform policies (libs/policies): the CLI words it on the progress line.
    for (const layer of ["network", "data", "service", "edge"])
      expect(r.stdout).toMatch(
        new RegExp(`^\\[\\d/4\\] ${layer}: .*, (policies ok|\\d+ advisory policy findings?) `, "m"),
      );
  });

  it("stops at a layer whose upstream output is missing, reporting it once with exit 1", () => {
    const out = tmp();
    writeUpstream(out, "network", { vpcId: "vpc-0123456789abcdef0" });
    const r = plan(["data", "--out", out]);
    expect(r.status).toBe(1);
    const failures = r.stderr.split("\n").filter((l) => l.startsWith("plan failed"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^plan failed at data: .*Stack "organization\/mlapi-network\/example" has no output "\w+"\. Deploy or update the network layer first/,
    );
    expect(fs.existsSync(path.join(out, "data.json"))).toBe(false);
  });

  it("stops with the config error of a layer and writes nothing for it", async () => {
    const out = tmp();
    const r = await planHere(["network", "--out", out], { ENVIRONMENT_SUFFIX: "qa" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'plan failed at network: Invalid configuration: mlapi-network:environmentSuffix = "example": is pinned in the stack config',
    );
    expect(fs.existsSync(path.join(out, "network.json"))).toBe(false);
  });

  it("warns that a stack file's ESC environments are not resolved offline", async () => {
    const stack = `esc-${process.pid}`;
    const file = path.join(__dirname, "..", "..", "projects", "network", `Pulumi.${stack}.yaml`);
    const example = fs.readFileSync(path.join(path.dirname(file), "Pulumi.example.yaml"), "utf8");
    fs.writeFileSync(
      file,
      `environment:\n  - platform/aws-dev\n${example.replace("environmentSuffix: example", `environmentSuffix: ${stack}`)}`,
    );
    try {
      const r = await planHere(["network", "--stack", stack, "--out", tmp()]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(
        `network: projects/network/Pulumi.${stack}.yaml imports the Pulumi ESC environment platform/aws-dev; the offline plan does not resolve them`,
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("says which upstream plan to make first when its file is missing or of another stack", () => {
    const out = tmp();
    expect(() => upstreamOutputs("data", "example", out)).toThrow(
      /^data reads the network layer, but .*network\.json does not exist: plan network first \(npm run plan -- network\)\.$/,
    );
    writeUpstream(out, "network", {});
    expect(() => upstreamOutputs("data", "dev", out)).toThrow(
      /network\.json is a plan of stack "example", not "dev": plan network with --stack dev first\.$/,
    );
  });

  it("leaves unloaded the modules @pulumi/pulumi would load only to serialize functions or run its Automation API", () => {
    // Loads the CLI without running it, then asks for them as @pulumi/pulumi would.
    const probe = [
      `require(${JSON.stringify(path.join(__dirname, "..", "src", "plan.ts"))});`,
      'const asPulumi = require("node:module").createRequire(require.resolve("@pulumi/pulumi"));',
      `const uses = ${JSON.stringify(UNLOADED_MODULES)}.map((id) => { try { return asPulumi(id).version; } catch (e) { return e.message; } });`,
      "process.stdout.write(JSON.stringify(uses));",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", probe], {
      cwd: path.join(__dirname, "..", ".."),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(UNLOADED_MODULES).toEqual([
      "typescript",
      "@npmcli/arborist",
      "normalize-package-data",
      "execa",
      "tmp",
      "@logdna/tail-file",
    ]);
    expect(JSON.parse(r.stdout)).toEqual(
      UNLOADED_MODULES.map(() => expect.stringContaining('"version" read from a stand-in')),
    );
  });

  it("reads the stack file the user names", async () => {
    const r = await planHere(["network", "--stack", "nosuchstack", "--out", tmp()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "No stack file projects/network/Pulumi.nosuchstack.yaml: create the stack with `nx run network:stack-init --stack nosuchstack`",
    );
  });
});

describe("plan command line", () => {
  it.each([
    [[], ["network", "data", "service", "edge"]],
    [["--all"], ["network", "data", "service", "edge"]],
    [
      ["edge", "network"],
      ["network", "data", "service", "edge"],
    ],
    [["service"], ["network", "data", "service"]],
  ])("%j plans %j in deploy order (upstream layers without a plan first)", (argv, layers) => {
    expect(parsePlanArgs([...argv, "--out", tmp()])).toMatchObject({ layers, stack: "example" });
  });

  it("plans only the named layer when the upstream plans of its stack are there", () => {
    const out = tmp();
    writeUpstream(out, "network", {});
    expect(parsePlanArgs(["data", "--out", out])).toMatchObject({ layers: ["data"] });
    expect(parsePlanArgs(["data", "--out", out, "--stack", "dev"])).toMatchObject({ layers: ["network", "data"] });
  });

  it.each([
    [["--all", "network"], "Pass --all or layer names, not both."],
    [["vpc", "cdn"], "Unknown layers: vpc, cdn"],
  ])("rejects %j with exit 2: %s", (argv, message) => {
    const result = parsePlanArgs(argv) as { exitCode: number; message: string };
    expect(result.exitCode).toBe(2);
    expect(result.message.split("\n")[0]).toBe(message);
    expect(result.message).toContain("Usage: npm run plan -- [<layer>...]");
  });
});
