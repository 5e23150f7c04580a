// Deploy and teardown orchestration against the fake `pulumi` on PATH, through nx as users run it and
// through the tool itself (in this process; one case as a process): asserts the exact pulumi calls,
// their order, arguments and working folder.
import { dependentsOf, DESTROY_ORDER } from "../src/layers";
import { EXIT_REFUSED, EXIT_USAGE, main } from "../src/pulumi-layer";
import { allDeployed, FakePulumi } from "./fake-pulumi";

const REFUSAL = [
  "Refusing to destroy data (stack dev): these stacks read its outputs and still have resources:",
  "  mlapi-edge/dev (edge, 5 resources)",
  "  mlapi-service/dev (service, 5 resources)",
  "Tear them down first:  nx run-many -t destroy --projects=edge,service --stack dev",
  "or in one go:          nx run data:destroy --stack dev --cascade",
  "(--force destroys data anyway and leaves edge, service pointing at deleted resources.)",
].join("\n");

const CASCADE_CALLS = [
  "edge: stack export --stack dev",
  "service: stack export --stack dev",
  "edge: destroy --yes --stack dev",
  "service: destroy --yes --stack dev",
  "data: destroy --yes --stack dev",
];

let fake: FakePulumi;
afterEach(() => fake?.dispose());

describe("layer order", () => {
  it.each([
    ["network", ["edge", "service", "data"]],
    ["data", ["edge", "service"]],
    ["service", ["edge"]],
    ["edge", []],
  ])("destroying %s first needs %j gone, in that order", (layer, dependents) => {
    expect(dependentsOf(layer as "network")).toEqual(dependents);
  });

  it("destroys in the reverse of deploy order", () => {
    expect(DESTROY_ORDER).toEqual(["edge", "service", "data", "network"]);
  });
});

describe("pulumi-layer.ts", () => {
  const run = (args: string[]) => fake.inProcess(main, args);

  it("deploys one layer with pulumi up in its folder", async () => {
    fake = new FakePulumi();
    expect((await run(["deploy", "network", "--stack", "dev"])).status).toBe(0);
    expect(fake.calls()).toEqual(["network: up --yes --skip-preview --stack dev"]);
  });

  it("takes the stack of preview from MLAPI_STACK", async () => {
    fake = new FakePulumi({}, { MLAPI_STACK: "qa" });
    expect((await run(["preview", "service"])).status).toBe(0);
    expect(fake.calls()).toEqual(["service: preview --diff --stack qa"]);
  });

  it("refuses to destroy a layer whose dependents still have resources, naming them and the command", async () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = await run(["destroy", "data", "--stack", "dev"]);
    expect(r.status).toBe(EXIT_REFUSED);
    expect(r.stderr.trim()).toBe(REFUSAL);
    expect(fake.calls()).toEqual(["edge: stack export --stack dev", "service: stack export --stack dev"]);
  });

  it("destroys a layer whose dependents are empty or were never created", async () => {
    fake = new FakePulumi({ "mlapi-data/dev": { resources: 9 }, "mlapi-service/dev": { resources: 0 } });
    expect((await run(["destroy", "data", "--stack", "dev"])).status).toBe(0);
    expect(fake.calls()).toEqual(["edge: stack export --stack dev", "service: stack export --stack dev", "data: destroy --yes --stack dev"]);
  });

  it("with --cascade destroys the live dependents first, in destroy order", async () => {
    fake = new FakePulumi(allDeployed("dev"));
    expect((await run(["destroy", "data", "--stack", "dev", "--cascade"])).status).toBe(0);
    expect(fake.calls()).toEqual(CASCADE_CALLS);
    expect(fake.resources("mlapi-network/dev")).toBe(5);
  });

  it("with --cascade skips dependents that have nothing left", async () => {
    fake = new FakePulumi({ ...allDeployed("dev"), "mlapi-edge/dev": { resources: 0 } });
    expect((await run(["destroy", "network", "--stack", "dev", "--cascade"])).status).toBe(0);
    expect(fake.calls()).toEqual([
      "edge: stack export --stack dev",
      "service: stack export --stack dev",
      "data: stack export --stack dev",
      "service: destroy --yes --stack dev",
      "data: destroy --yes --stack dev",
      "network: destroy --yes --stack dev",
    ]);
  });

  it("stops the cascade at the first failed destroy without touching the layer", async () => {
    fake = new FakePulumi(allDeployed("dev"), { FAKE_PULUMI_FAIL: "destroy mlapi-edge/dev" });
    const r = await run(["destroy", "data", "--stack", "dev", "--cascade"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("data: destroying dependent edge failed (exit 1); data was not touched.");
    expect(fake.calls()).toEqual(CASCADE_CALLS.slice(0, 3));
  });

  it("with --force destroys the layer without asking its dependents", async () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = await run(["destroy", "data", "--stack", "dev", "--force"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("data: --force: destroying without checking edge, service.");
    expect(fake.calls()).toEqual(["data: destroy --yes --stack dev"]);
  });

  it("run as a process, fails with exit 1 and the reason, without destroying, when a dependent's state cannot be read", () => {
    fake = new FakePulumi(allDeployed("dev"), { FAKE_PULUMI_FAIL: "stack export mlapi-edge/dev" });
    const r = fake.tool("pulumi-layer.ts", ["destroy", "service", "--stack", "dev"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Could not read stack dev of edge (pulumi stack export): error: fake failure of stack export on mlapi-edge/dev");
    expect(fake.calls()).toEqual(["edge: stack export --stack dev"]);
  });

  describe("command line", () => {
    it.each([
      [["destroy", "data"], "destroy needs the stack on the command line"],
      [["destroy", "data", "--stack", "dev", "--cascade", "--force"], "Pass --cascade or --force, not both."],
      [["deploy", "data", "--stack", "dev", "--cascade"], "--cascade and --force apply to destroy only."],
      [["deploy", "nolayer", "--stack", "dev"], "Usage: tsx tools/src/pulumi-layer.ts"],
      [["deploy", "data"], "No stack given: pass --stack <name> or set MLAPI_STACK."],
    ])("rejects %j with exit 2 and no pulumi call", async (args, message) => {
      fake = new FakePulumi(allDeployed("dev"));
      const r = await run(args);
      expect(r.status).toBe(EXIT_USAGE);
      expect(r.stderr).toContain(message);
      expect(fake.calls()).toEqual([]);
    });

    it("treats an argument-less destroy under nx as an ordering step and does nothing", async () => {
      fake = new FakePulumi(allDeployed("dev"), { NX_TASK_TARGET_TARGET: "destroy" });
      const r = await run(["destroy", "edge"]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe("edge: destroy skipped: no --stack (an ordering step of another layer's destroy; pass --stack to destroy edge).");
      expect(fake.calls()).toEqual([]);
    });
  });
});

// nx computes the project graph on each run (a few seconds on a busy machine): one run per case.
// nx hands the tool every flag it is given, as --stack shows; --cascade and --force have cases of
// the tool's own.
describe("through nx", () => {
  jest.setTimeout(120_000);

  it("nx run-many -t deploy deploys network -> data -> service -> edge", () => {
    fake = new FakePulumi();
    const r = fake.nx(["run-many", "-t", "deploy", "--stack", "dev"]);
    expect(r.status).toBe(0);
    expect(fake.calls()).toEqual(["network", "data", "service", "edge"].map((l) => `${l}: up --yes --skip-preview --stack dev`));
  });

  it("nx run-many -t destroy destroys edge -> service -> data -> network without a refusal", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = fake.nx(["run-many", "-t", "destroy", "--stack", "dev"]);
    expect(r.status).toBe(0);
    // Each layer first asks its dependents (in their folders) whether anything is left.
    expect(fake.calls()).toEqual([
      "edge: destroy --yes --stack dev",
      "edge: stack export --stack dev",
      "service: destroy --yes --stack dev",
      "edge: stack export --stack dev",
      "service: stack export --stack dev",
      "data: destroy --yes --stack dev",
      "edge: stack export --stack dev",
      "service: stack export --stack dev",
      "data: stack export --stack dev",
      "network: destroy --yes --stack dev",
    ]);
  });

  it("nx run data:destroy refuses exactly like the tool: the dependents' destroys it orders first get no stack", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const refused = fake.nx(["run", "data:destroy", "--stack", "dev"]);
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain("Tear them down first:  nx run-many -t destroy --projects=edge,service --stack dev");
    expect(fake.calls()).toEqual(["edge: stack export --stack dev", "service: stack export --stack dev"]);
  });
});
