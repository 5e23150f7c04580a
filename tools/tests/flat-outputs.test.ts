// flat-outputs against the fake `pulumi`: which calls it makes, what it writes, and when it refuses;
// run in this process, and as a process where its exit matters, as its nx target runs it.
import * as fs from "node:fs";
import * as path from "node:path";
import { flatten, main } from "../src/flat-outputs";
import type { FakeStack } from "./fake-pulumi";
import { FakePulumi, ROOT, toolArgs } from "./fake-pulumi";

const deployed = (stack: string, extra: Record<string, FakeStack> = {}): Record<string, FakeStack> => ({
  [`mlapi-network/${stack}`]: { resources: 40, outputs: { vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-1", "subnet-2", "subnet-3"], appPort: 8080 } },
  [`mlapi-data/${stack}`]: {
    resources: 11,
    outputs: { rdsClusterEndpoint: "mlapi-db-dev.cluster-abc.us-east-1.rds.amazonaws.com", sessionsTableName: "mlapi-sessions-dev", dbToken: "hunter2" },
    secrets: ["dbToken"],
  },
  [`mlapi-service/${stack}`]: { resources: 30, outputs: { albDnsName: "mlapi-alb-dev-1.us-east-1.elb.amazonaws.com", ecsClusterName: "mlapi-cluster-dev" } },
  [`mlapi-edge/${stack}`]: { resources: 20, outputs: { cloudFrontUrl: "https://d111111abcdef8.cloudfront.net", cloudFrontDistributionId: "E2QWRUHEXAMPLE" } },
  ...extra,
});

let fake: FakePulumi;
afterEach(() => fake?.dispose());
const outFile = () => path.join(fake.dir, "cfn-outputs", "flat-outputs.json");
const written = () => JSON.parse(fs.readFileSync(outFile(), "utf8")) as Record<string, unknown>;

describe("flat-outputs", () => {
  jest.setTimeout(60_000);

  it("reads each layer's outputs in its folder, in deploy order, and writes one flat object with the keys unchanged", async () => {
    fake = new FakePulumi(deployed("dev"));
    const r = await fake.inProcess(main, ["--stack", "dev", "--out", outFile()]);
    expect(r.status).toBe(0);
    expect(fake.calls()).toEqual(["network", "data", "service", "edge"].map((l) => `${l}: stack output --json --stack dev`));
    expect(written()).toEqual({
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-1", "subnet-2", "subnet-3"],
      appPort: 8080,
      rdsClusterEndpoint: "mlapi-db-dev.cluster-abc.us-east-1.rds.amazonaws.com",
      sessionsTableName: "mlapi-sessions-dev",
      albDnsName: "mlapi-alb-dev-1.us-east-1.elb.amazonaws.com",
      ecsClusterName: "mlapi-cluster-dev",
      cloudFrontUrl: "https://d111111abcdef8.cloudfront.net",
      cloudFrontDistributionId: "E2QWRUHEXAMPLE",
    });
    expect(r.stdout).toContain("left out 1 secret output(s): data.dbToken (--show-secrets includes them)");
  });

  it("includes secret outputs only with --show-secrets", async () => {
    fake = new FakePulumi(deployed("dev"));
    const r = await fake.inProcess(main, ["--stack", "dev", "--show-secrets", "--out", outFile()]);
    expect(r.status).toBe(0);
    expect(fake.calls()[1]).toBe("data: stack output --json --stack dev --show-secrets");
    expect(written().dbToken).toBe("hunter2");
  });

  it("run as a process, refuses a key exported by two layers with exit 1 and writes nothing", () => {
    fake = new FakePulumi(deployed("dev", { "mlapi-edge/dev": { outputs: { cloudFrontUrl: "https://x", vpcId: "vpc-other" } } }));
    const r = fake.tool("flat-outputs.ts", ["--stack", "dev", "--out", outFile()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('flat-outputs failed: Output names clash between layers, so one flat object cannot hold them: "vpcId" is exported by both network and edge.');
    expect(fs.existsSync(outFile())).toBe(false);
  });

  it("names the layer stack that is not deployed", async () => {
    const stacks = deployed("dev");
    delete stacks["mlapi-service/dev"];
    fake = new FakePulumi(stacks);
    await expect(fake.inProcess(main, ["--stack", "dev", "--out", outFile()])).rejects.toThrow(
      "Could not read the outputs of mlapi-service/dev (pulumi stack output --json --stack dev in projects/service): error: no stack named 'dev' found\n" +
        "Deploy it first (nx run service:deploy --stack dev), or check `pulumi login`.",
    );
    expect(fs.existsSync(outFile())).toBe(false);
  });

  // nx hands a run-commands target every flag it is given (the layers' deploy cases run through nx
  // show it), so the target is exactly the command the process case above runs.
  it("is the nx target tools:flat-outputs: that command, from the workspace root, never cached", () => {
    const project = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "project.json"), "utf8")) as { targets: Record<string, { cache?: boolean; executor?: string; options?: { command?: string; cwd?: string } }> };
    const target = project.targets["flat-outputs"];
    expect([target.executor, target.cache, target.options?.cwd]).toEqual(["nx:run-commands", false, undefined]);
    const [node, ...args] = target.options?.command?.split(" ") ?? [];
    expect([node, ...args.slice(0, -1), path.resolve(ROOT, args.at(-1) ?? "")]).toEqual(["node", ...toolArgs("flat-outputs.ts")]);
  });
});

describe("flatten", () => {
  it("leaves out values the CLI masked as [secret]", () => {
    expect(flatten([["network", { vpcId: "vpc-1" }], ["data", { dbToken: "[secret]", sessionsTableName: "t" }]], false)).toEqual({
      outputs: { vpcId: "vpc-1", sessionsTableName: "t" },
      omittedSecrets: ["data.dbToken"],
    });
  });

  it("keeps every value when secrets were asked for", () => {
    expect(flatten([["data", { dbToken: "hunter2" }]], true)).toEqual({ outputs: { dbToken: "hunter2" }, omittedSecrets: [] });
  });

  it("names every clash at once", () => {
    expect(() => flatten([["network", { a: 1, b: 2 }], ["data", { a: 1 }], ["edge", { b: 3 }]], false)).toThrow(
      'Output names clash between layers, so one flat object cannot hold them: "a" is exported by both network and data; "b" is exported by both network and edge. Rename one of each pair in its layer.',
    );
  });
});
