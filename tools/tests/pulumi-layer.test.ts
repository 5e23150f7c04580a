// Deploy and teardown orchestration against the fake `pulumi` on PATH, through nx as users run it and
// through the tool itself (in this process; one case as a process): asserts the exact pulumi calls,
// their order, arguments and working folder.
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerName } from "@mlapi/core/layers";
import { LAYERS } from "@mlapi/core/layers";
import { dependentsOf, DESTROY_AFTER, DESTROY_ORDER, destroyWaves } from "../src/layers";
import { EXIT_PRECONDITION, EXIT_REFUSED, EXIT_USAGE, main, parseCommandLine } from "../src/pulumi-layer";
import { allDeployed, contractOutputs, FakePulumi, ROOT } from "./fake-pulumi";

const PACK = "--policy-pack ../../libs/policies/pack";
const up = (layer: string, stack = "dev", extra = "") => `${layer}: up --yes ${PACK} --stack ${stack}${extra}`;
const output = (layer: string, stack = "dev") => `${layer}: stack output --json --stack ${stack}`;
const exported = (layer: string) => `${layer}: stack export --stack dev`;
const destroyed = (layer: string) => `${layer}: destroy --yes --stack dev`;

const REFUSAL = [
  "Refusing to destroy data (stack dev): these stacks read its outputs and still have resources:",
  "  mlapi-edge/dev (edge, 5 resources)",
  "  mlapi-service/dev (service, 5 resources)",
  "Tear them down first:  nx run-many -t destroy --projects=edge,service --stack dev",
  "or in one go:          nx run data:destroy --stack dev --cascade",
  "(--force destroys data anyway and leaves edge, service pointing at deleted resources.)",
].join("\n");

let fake: FakePulumi;
afterEach(() => fake?.dispose());

/** The calls, with each run of calls that may happen in any order (a parallel wave) sorted. */
const waves = (calls: string[], ...ranges: [number, number][]): string[] => {
  const out = [...calls];
  for (const [from, to] of ranges) out.splice(from, to - from, ...out.slice(from, to).sort());
  return out;
};

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

  it.each([
    // The edge's VPC origin points at the service's ALB: AWS refuses to delete the ALB before it.
    [
      ["edge", "service", "data"],
      [["edge", "data"], ["service"]],
    ],
    [
      ["edge", "service"],
      [["edge"], ["service"]],
    ],
    [["service", "data"], [["service", "data"]]],
    [["edge"], [["edge"]]],
    [
      ["network", "data", "service", "edge"],
      [["edge", "data"], ["service"], ["network"]],
    ],
  ])("a teardown of %j goes down in the waves %j", (layers, expected) => {
    expect(destroyWaves(layers as LayerName[])).toEqual(expected);
  });

  // nx orders `run-many -t destroy` by these; the tool's --cascade by DESTROY_AFTER: one order.
  it.each(LAYERS)("%s's destroy target depends on the destroy of exactly the layers DESTROY_AFTER names", (layer) => {
    const project = JSON.parse(fs.readFileSync(path.join(ROOT, "projects", layer, "project.json"), "utf8")) as {
      targets: { destroy: { dependsOn?: { target: string; projects: string[]; options?: string }[] } };
    };
    const dependsOn = project.targets.destroy.dependsOn ?? [];
    expect(dependsOn.every((d) => d.target === "destroy" && d.options === "forward")).toBe(true);
    expect(dependsOn.flatMap((d) => d.projects).sort()).toEqual([...DESTROY_AFTER[layer]].sort());
  });
});

describe("pulumi-layer.ts", () => {
  const run = (args: string[]) => fake.inProcess(main, args);

  describe("deploy and preview", () => {
    it("deploys one layer with pulumi up and the policy pack, which prints the preview before any change", async () => {
      fake = new FakePulumi();
      expect((await run(["deploy", "network", "--stack", "dev"])).status).toBe(0);
      expect(fake.calls()).toEqual([up("network")]);
    });

    it("checks that the upstream stacks exist and export what the layer reads, then deploys that layer only", async () => {
      fake = new FakePulumi(allDeployed("dev", 5, ["network", "data"]));
      expect((await run(["deploy", "service", "--stack", "dev"])).status).toBe(0);
      expect(fake.calls()).toEqual([output("network"), output("data"), up("service")]);
    });

    it("refuses to deploy when an upstream stack does not exist, saying what to deploy first", async () => {
      fake = new FakePulumi(allDeployed("dev", 5, ["network"]));
      const r = await run(["deploy", "service", "--stack", "dev"]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr.trim()).toBe(
        "service reads data, but stack mlapi-data/dev does not exist: deploy data first: nx run data:deploy --stack dev.",
      );
      expect(fake.calls()).toEqual([output("network"), output("data")]);
    });

    it("refuses to deploy when an upstream stack lacks an output the layer reads", async () => {
      const outputs = Object.fromEntries(
        Object.entries(contractOutputs("network")).filter(([name]) => name !== "vpcId"),
      );
      fake = new FakePulumi({ "mlapi-network/dev": { resources: 5, outputs } });
      const r = await run(["deploy", "data", "--stack", "dev"]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr.trim()).toBe(
        "data reads vpcId from mlapi-network/dev, which does not export them: deploy network first: nx run network:deploy --stack dev.",
      );
      expect(fake.calls()).toEqual([output("network")]);
    });

    it("passes Pulumi's own flags through unchanged, after its own", async () => {
      fake = new FakePulumi();
      const flags = [
        "--target",
        "urn:pulumi:dev::mlapi-network::aws:ec2/vpc:Vpc::vpc",
        "--refresh",
        "--diff",
        "--expect-no-changes",
        "--parallel",
        "4",
        "--policy-pack",
        "../../extra",
      ];
      expect((await run(["deploy", "network", "--stack", "dev", ...flags])).status).toBe(0);
      expect(fake.calls()).toEqual([up("network", "dev", ` ${flags.join(" ")}`)]);
    });

    it("previews with the policy pack, for the stack in MLAPI_STACK, after the upstream check", async () => {
      fake = new FakePulumi(allDeployed("qa", 5, ["service"]), { MLAPI_STACK: "qa" });
      expect((await run(["preview", "edge"])).status).toBe(0);
      expect(fake.calls()).toEqual([output("service", "qa"), `edge: preview --diff ${PACK} --stack qa`]);
    });
  });

  describe("environment suffix", () => {
    it("refuses an ENVIRONMENT_SUFFIX that differs from the suffix pinned in the stack's config", async () => {
      fake = new FakePulumi({}, { ENVIRONMENT_SUFFIX: "qa" });
      const r = await run(["deploy", "network", "--stack", "example"]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr).toContain(
        'ENVIRONMENT_SUFFIX is "qa", but stack example of network is pinned to "example" (mlapi-network:environmentSuffix in projects/network/Pulumi.example.yaml).',
      );
      expect(fake.calls()).toEqual([]);
    });

    it("refuses an ENVIRONMENT_SUFFIX for a stack that pins none, since it would rename on this run only", async () => {
      fake = new FakePulumi({}, { ENVIRONMENT_SUFFIX: "qa" });
      const r = await run(["preview", "network", "--stack", "nosuchfile"]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr).toContain(
        'ENVIRONMENT_SUFFIX is "qa", but stack nosuchfile of network pins no suffix (mlapi-network:environmentSuffix)',
      );
      expect(fake.calls()).toEqual([]);
    });

    it("accepts an ENVIRONMENT_SUFFIX equal to the pinned one", async () => {
      fake = new FakePulumi({}, { ENVIRONMENT_SUFFIX: "example" });
      expect((await run(["deploy", "network", "--stack", "example"])).status).toBe(0);
      expect(fake.calls()).toEqual([up("network", "example")]);
    });
  });

  it("refuses a secure: value for a setting of the layer, which no setting is", async () => {
    const stack = `secure-${process.pid}`;
    const file = path.join(ROOT, "projects", "network", `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, "config:\n  mlapi-network:appPort:\n    secure: v1:abc\n");
    try {
      fake = new FakePulumi();
      const r = await run(["deploy", "network", "--stack", stack]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr.trim()).toBe(
        `mlapi-network:appPort is a secret (secure: in projects/network/Pulumi.${stack}.yaml), but no setting of this layer is: ` +
          `set it in plain text (pulumi config set appPort <value> --stack ${stack}). Secrets the API needs stay in Secrets Manager; ` +
          "list their names in mlapi-data:appSecretNames.",
      );
      expect(fake.calls()).toEqual([]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  describe("stack-init", () => {
    it("creates the stack, then pins its suffix and copies the example settings through pulumi config set-all", async () => {
      fake = new FakePulumi();
      const r = await run(["stack-init", "network", "--stack", "dev", "--secrets-provider", "passphrase"]);
      expect(r.status).toBe(0);
      expect(fake.calls()).toEqual([
        "network: stack init dev --secrets-provider passphrase",
        "network: config set-all --stack dev --plaintext mlapi-network:environmentSuffix=dev --plaintext aws:region=us-east-1 " +
          "--plaintext mlapi-network:natGateways=1 --plaintext mlapi-network:vpcCidr=10.0.0.0/16 --plaintext mlapi-network:appPort=8080",
      ]);
      expect(fake.resources("mlapi-network/dev")).toBe(0);
    });

    it("pins the suffix from --suffix, else ENVIRONMENT_SUFFIX", async () => {
      fake = new FakePulumi({}, { ENVIRONMENT_SUFFIX: "pr-12" });
      expect((await run(["stack-init", "edge", "--stack", "ci"])).status).toBe(0);
      expect(fake.calls()[1]).toContain("--plaintext mlapi-edge:environmentSuffix=pr-12 ");
    });

    it.each([
      [
        ["stack-init", "network", "--stack", "dev", "--suffix", "Bad_One"],
        EXIT_USAGE,
        'Environment suffix "Bad_One" (from --suffix) must match',
      ],
      [
        ["stack-init", "network", "--stack", "example"],
        EXIT_PRECONDITION,
        "projects/network/Pulumi.example.yaml exists: stack example of network was created already",
      ],
    ])("refuses %j without calling pulumi", async (args, status, message) => {
      fake = new FakePulumi();
      const r = await run(args);
      expect(r.status).toBe(status);
      expect(r.stderr).toContain(message);
      expect(fake.calls()).toEqual([]);
    });
  });

  describe("destroy", () => {
    it("refuses to destroy a layer whose dependents still have resources, naming them and the command", async () => {
      fake = new FakePulumi(allDeployed("dev"));
      const r = await run(["destroy", "data", "--stack", "dev"]);
      expect(r.status).toBe(EXIT_REFUSED);
      expect(r.stderr.trim()).toBe(REFUSAL);
      expect(fake.calls()).toEqual([exported("edge"), exported("service")]);
    });

    it("destroys a layer whose dependents are empty or were never created", async () => {
      fake = new FakePulumi({ "mlapi-data/dev": { resources: 9 }, "mlapi-service/dev": { resources: 0 } });
      expect((await run(["destroy", "data", "--stack", "dev"])).status).toBe(0);
      expect(fake.calls()).toEqual([exported("edge"), exported("service"), destroyed("data")]);
    });

    it("with --cascade destroys the live dependents side by side, the service after the edge, then the layer", async () => {
      fake = new FakePulumi(allDeployed("dev"));
      const r = await run(["destroy", "network", "--stack", "dev", "--cascade"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(
        "network: --cascade: destroying edge (5 resources) and data (5 resources), then service (5 resources) first",
      );
      const calls = fake.calls();
      expect(waves(calls, [3, 5])).toEqual([
        exported("edge"),
        exported("service"),
        exported("data"),
        destroyed("data"),
        destroyed("edge"),
        destroyed("service"),
        destroyed("network"),
      ]);
      expect(
        ["mlapi-edge/dev", "mlapi-service/dev", "mlapi-data/dev", "mlapi-network/dev"].map((k) => fake.resources(k)),
      ).toEqual([0, 0, 0, 0]);
    });

    it("with --cascade skips dependents that have nothing left", async () => {
      fake = new FakePulumi({ ...allDeployed("dev"), "mlapi-edge/dev": { resources: 0 } });
      expect((await run(["destroy", "data", "--stack", "dev", "--cascade"])).status).toBe(0);
      expect(fake.calls()).toEqual([exported("edge"), exported("service"), destroyed("service"), destroyed("data")]);
      expect(fake.resources("mlapi-network/dev")).toBe(5);
    });

    it("does not touch the layer when a dependent's destroy fails, and says which", async () => {
      fake = new FakePulumi(allDeployed("dev"), { FAKE_PULUMI_FAIL: "destroy mlapi-edge/dev" });
      const r = await run(["destroy", "data", "--stack", "dev", "--cascade"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("data: destroying edge failed; data was not touched.");
      // The service waits for the edge (its VPC origin points at the ALB), so it is not touched either.
      expect(fake.calls()).toEqual([exported("edge"), exported("service"), destroyed("edge")]);
    });

    it("with --force destroys the layer without asking its dependents", async () => {
      fake = new FakePulumi(allDeployed("dev"));
      const r = await run(["destroy", "data", "--stack", "dev", "--force"]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("data: --force: destroying without checking edge, service.");
      expect(fake.calls()).toEqual([destroyed("data")]);
    });

    it("run as a process, fails with exit 1 and the reason, without destroying, when a dependent's state cannot be read", () => {
      fake = new FakePulumi(allDeployed("dev"), { FAKE_PULUMI_FAIL: "stack export mlapi-edge/dev" });
      const r = fake.tool("pulumi-layer.ts", ["destroy", "service", "--stack", "dev"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "Could not read stack dev of edge (pulumi stack export): error: fake failure of stack export on mlapi-edge/dev",
      );
      expect(fake.calls()).toEqual([exported("edge")]);
    });
  });

  // The production guard (issue 26 §4): a stack file that says <project>:profile: production.
  describe("destroy of a production stack", () => {
    const stack = `prod${process.pid}`;
    const files: string[] = [];
    const production = (...layers: string[]) => {
      for (const layer of layers) {
        const file = path.join(ROOT, "projects", layer, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(
          file,
          `config:\n  mlapi-${layer}:environmentSuffix: ${stack}\n  mlapi-${layer}:profile: production\n`,
        );
        files.push(file);
      }
    };
    afterEach(() => files.splice(0).forEach((f) => fs.rmSync(f, { force: true })));
    const refusal = (layer: string, stacks: string) =>
      [
        `Refusing to destroy ${layer} (stack ${stack}): ${stacks} (<project>:profile: production in the stack file).`,
        "In production the ALB (service), the Aurora cluster and the sessions table (data) are deletion-protected and Aurora",
        'takes a final snapshot. To tear it down, lift the protection first (docs/operations.md, "Destroying a production',
        'stack"), then run the same command with --allow-production.',
      ].join("\n");

    it("refuses without --allow-production, before asking Pulumi anything", async () => {
      production("data");
      fake = new FakePulumi({ [`mlapi-data/${stack}`]: { resources: 9 } });
      for (const flags of [[], ["--force"], ["--cascade"]]) {
        const r = await run(["destroy", "data", "--stack", stack, ...flags]);
        expect([r.status, r.stderr.trim()]).toEqual([
          EXIT_REFUSED,
          refusal("data", `mlapi-data/${stack} is a production stack`),
        ]);
      }
      expect(fake.calls()).toEqual([]);
      expect(fake.resources(`mlapi-data/${stack}`)).toBe(9);
    });

    it("destroys it with --allow-production, saying so", async () => {
      production("data");
      fake = new FakePulumi({ [`mlapi-data/${stack}`]: { resources: 9 } });
      const r = await run(["destroy", "data", "--stack", stack, "--allow-production"]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("data: --allow-production: destroying production stack data.");
      expect(fake.calls()).toEqual([
        `edge: stack export --stack ${stack}`,
        `service: stack export --stack ${stack}`,
        `data: destroy --yes --stack ${stack}`,
      ]);
      expect(fake.resources(`mlapi-data/${stack}`)).toBe(0);
    });

    it("refuses a --cascade that would take production dependents down, and destroys nothing", async () => {
      production("edge", "service");
      fake = new FakePulumi(allDeployed(stack));
      const r = await run(["destroy", "data", "--stack", stack, "--cascade"]);
      expect([r.status, r.stderr.trim()]).toEqual([
        EXIT_REFUSED,
        refusal("data", `mlapi-edge/${stack}, mlapi-service/${stack} are production stacks`),
      ]);
      expect(fake.calls()).toEqual([`edge: stack export --stack ${stack}`, `service: stack export --stack ${stack}`]);
    });

    it("takes --allow-production for destroy only", async () => {
      fake = new FakePulumi();
      const r = await run(["deploy", "network", "--stack", "dev", "--allow-production"]);
      expect(r.status).toBe(EXIT_USAGE);
      expect(r.stderr).toContain("--allow-production applies to destroy only.");
    });
  });

  // What a task does that nx added only to order another (nx runs it with that task's command).
  describe("ordering steps under nx", () => {
    const nxTask = (project: string, target: string) => ({
      NX_TASK_TARGET_PROJECT: project,
      NX_TASK_TARGET_TARGET: target,
    });

    it("an upstream layer's deploy task checks its stack for the layer asked for and changes nothing", async () => {
      fake = new FakePulumi(allDeployed("dev", 5, ["network"]), nxTask("network", "deploy"));
      const r = await run(["deploy", "data", "--stack", "dev"]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(
        "network: not deployed (nx added this task to order data:deploy): stack mlapi-network/dev exports the 11 outputs data reads.",
      );
      expect(fake.calls()).toEqual([output("network")]);
    });

    it("fails when the upstream stack is missing, so the layer asked for does not run", async () => {
      fake = new FakePulumi({}, nxTask("network", "deploy"));
      const r = await run(["deploy", "data", "--stack", "dev"]);
      expect(r.status).toBe(EXIT_PRECONDITION);
      expect(r.stderr).toContain("data reads network, but stack mlapi-network/dev does not exist");
    });

    it("the deploy asked for leaves the upstream check to those tasks", async () => {
      fake = new FakePulumi({}, nxTask("data", "deploy"));
      expect((await run(["deploy", "data", "--stack", "dev"])).status).toBe(0);
      expect(fake.calls()).toEqual([up("data")]);
    });

    it("a dependent's destroy task refuses while it has resources, and reports them under --cascade", async () => {
      fake = new FakePulumi(allDeployed("dev"), nxTask("edge", "destroy"));
      const refused = await run(["destroy", "service", "--stack", "dev"]);
      expect(refused.status).toBe(EXIT_REFUSED);
      expect(refused.stderr.trim()).toBe(
        "Refusing to destroy service (stack dev) in this run: mlapi-edge/dev (edge, 5 resources) reads it.\n" +
          "Tear edge down first (nx run edge:destroy --stack dev), or destroy both in one go with --cascade.",
      );
      const cascade = await run(["destroy", "service", "--stack", "dev", "--cascade"]);
      expect(cascade.status).toBe(0);
      expect(cascade.stdout).toContain(
        "stack mlapi-edge/dev has 5 resources; the --cascade of the destroy asked for takes them down.",
      );
      expect(fake.calls()).toEqual([exported("edge"), exported("edge")]);
    });
  });

  describe("command line", () => {
    it.each([
      [
        ["destroy", "data"],
        "destroy needs the stack on the command line: --stack <name> (MLAPI_STACK is not used for destroy).",
      ],
      [["destroy", "data", "--stack", "dev", "--cascade", "--force"], "Pass --cascade or --force, not both."],
      [["deploy", "data", "--stack", "dev", "--cascade"], "--cascade and --force apply to destroy only."],
      [["deploy", "data", "--stack", "dev", "--suffix", "qa"], "--suffix applies to stack-init only."],
      [["deploy", "nolayer", "--stack", "dev"], "Usage: nx run <layer>:<command>"],
      [["deploy", "data"], "No stack given: pass --stack <name> or set MLAPI_STACK."],
      [["stack-init", "data"], "stack-init needs the stack on the command line"],
    ])("rejects %j with exit 2 and no pulumi call", async (args, message) => {
      fake = new FakePulumi(allDeployed("dev"));
      const r = await run(args);
      expect(r.status).toBe(EXIT_USAGE);
      expect(r.stderr).toContain(message);
      expect(fake.calls()).toEqual([]);
    });

    it("reads nx's --key=value and --flag=true forms and keeps everything after -- for Pulumi", () => {
      expect(
        parseCommandLine([
          "destroy",
          "data",
          "--stack=dev",
          "--cascade=true",
          "--allow-production=true",
          "--",
          "--target",
          "urn:x",
        ]),
      ).toEqual({
        command: "destroy",
        layer: "data",
        stack: "dev",
        cascade: true,
        force: false,
        allowProduction: true,
        help: false,
        pulumi: ["--target", "urn:x"],
      });
    });
  });
});

// nx computes the project graph on each run (a few seconds on a busy machine): one run per case.
describe("through nx", () => {
  jest.setTimeout(120_000);
  const nx = (args: string[]) => {
    const r = fake.nx(args);
    return { ...r, text: `${r.stdout}${r.stderr}` };
  };

  it("nx run-many -t deploy deploys network -> data -> service -> edge, each once", () => {
    fake = new FakePulumi(allDeployed("dev", 0));
    const r = nx(["run-many", "-t", "deploy", "--stack", "dev"]);
    expect(r.status).toBe(0);
    expect(fake.calls()).toEqual(["network", "data", "service", "edge"].map((l) => up(l)));
  });

  it("nx run service:deploy deploys service only, after its upstream stacks were checked, passing Pulumi's flags", () => {
    fake = new FakePulumi(allDeployed("dev", 5, ["network", "data"]));
    const r = nx(["run", "service:deploy", "--stack", "dev", "--refresh", "--diff"]);
    expect(r.status).toBe(0);
    expect(waves(fake.calls(), [0, 2])).toEqual([
      output("data"),
      output("network"),
      up("service", "dev", " --refresh --diff"),
    ]);
  });

  // nx reads --target itself, and nx:run-commands has a boolean option `parallel`: Pulumi's -p says it.
  it("nx run takes every flag after --, --target included", () => {
    fake = new FakePulumi(allDeployed("dev", 5, ["network"]));
    const r = nx([
      "run",
      "network:deploy",
      "--",
      "--stack",
      "dev",
      "--target",
      "urn:x",
      "-p",
      "4",
      "--policy-pack",
      "../../extra",
    ]);
    expect(r.status).toBe(0);
    expect(fake.calls()).toEqual([up("network", "dev", " --target urn:x -p 4 --policy-pack ../../extra")]);
  });

  // The layers nx affected selects (issue 24's project graph decides which); the tasks are these.
  it("deploying some layers (as nx affected does) deploys those, in order, and only checks the others", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run-many", "-t", "deploy", "--projects=edge,service", "--stack", "dev"]);
    expect(r.status).toBe(0);
    expect(waves(fake.calls(), [0, 2])).toEqual([output("data"), output("network"), up("service"), up("edge")]);
  });

  it("nx run-many -t destroy takes edge and data down side by side, then service, then network, asking no guard", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run-many", "-t", "destroy", "--stack", "dev"]);
    expect(r.status).toBe(0);
    // Every dependent of a layer is destroyed by its own task of this run: nothing to ask first.
    expect(waves(fake.calls(), [0, 2])).toEqual(["data", "edge", "service", "network"].map(destroyed));
    expect(r.text).toContain("data: edge, service are destroyed in this same nx run.");
  });

  it("nx run-many -t destroy of some layers guards against a reader outside the run: nothing is destroyed", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run-many", "-t", "destroy", "--projects=data,service", "--stack", "dev"]);
    expect(r.status).not.toBe(0);
    // data waits for no service (in the run) but refuses over edge (not in it); service's edge check refuses too.
    expect(r.text).toContain(
      "Refusing to destroy data (stack dev): these stacks read its outputs and still have resources:",
    );
    expect(r.text).toContain(
      "Refusing to destroy service (stack dev) in this run: mlapi-edge/dev (edge, 5 resources) reads it.",
    );
    expect(fake.calls()).toEqual([exported("edge"), exported("edge")]);
  });

  it("nx run data:destroy refuses, non-zero, without destroying anything", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run", "data:destroy", "--stack", "dev"]);
    expect(r.status).not.toBe(0);
    for (const line of REFUSAL.split("\n")) expect(r.text).toContain(line);
    expect(fake.calls()).toEqual([exported("edge"), exported("service")]);
  });

  it("nx run network:destroy --cascade takes edge and data down side by side, then service, then the network", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run", "network:destroy", "--stack", "dev", "--cascade"]);
    expect(r.status).toBe(0);
    const calls = fake.calls();
    // The ordering steps (edge and data at once, service after edge), then network's own cascade.
    expect(waves(calls, [0, 3], [6, 8])).toEqual([
      ...["data", "edge", "service"].map(exported),
      ...["edge", "service", "data"].map(exported),
      ...["data", "edge"].map(destroyed),
      destroyed("service"),
      destroyed("network"),
    ]);
  });

  it("nx run-many -t destroy without --stack fails and says why", () => {
    fake = new FakePulumi(allDeployed("dev"));
    const r = nx(["run-many", "-t", "destroy"]);
    expect(r.status).not.toBe(0);
    expect(r.text).toContain("destroy needs the stack on the command line");
    expect(fake.calls()).toEqual([]);
  });
});
