// flat-outputs against the fake `pulumi`: which calls it makes, what it writes, and when it refuses;
// run in this process, and as a process where its exit matters, as its nx target runs it.
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerName } from "@mlapi/core/layers";
import { flatten, main } from "../src/flat-outputs";
import { CONTRACTS, DEPLOY_ORDER } from "../src/layers";
import type { FakeStack } from "./fake-pulumi";
import { FakePulumi, ROOT, toolArgs } from "./fake-pulumi";

const deployed = (stack: string, extra: Record<string, FakeStack> = {}): Record<string, FakeStack> => ({
  [`mlapi-network/${stack}`]: {
    resources: 40,
    outputs: { vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-1", "subnet-2", "subnet-3"], appPort: 8080 },
  },
  [`mlapi-data/${stack}`]: {
    resources: 11,
    outputs: {
      rdsClusterEndpoint: "mlapi-db-dev.cluster-abc.us-east-1.rds.amazonaws.com",
      sessionsTableName: "mlapi-sessions-dev",
      dbToken: "hunter2",
    },
    secrets: ["dbToken"],
  },
  [`mlapi-service/${stack}`]: {
    resources: 30,
    outputs: { albDnsName: "mlapi-alb-dev-1.us-east-1.elb.amazonaws.com", ecsClusterName: "mlapi-cluster-dev" },
  },
  [`mlapi-edge/${stack}`]: {
    resources: 20,
    outputs: { cloudFrontUrl: "https://d111111abcdef8.cloudfront.net", cloudFrontDistributionId: "E2QWRUHEXAMPLE" },
  },
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
    expect(fake.calls()).toEqual(
      ["network", "data", "service", "edge"].map((l) => `${l}: stack output --json --stack dev`),
    );
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

  it("run as a process, writes a re-exported output once, and a differing one per layer too (a real stack's shape)", () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:mlapi-alarms-dev";
    const edgeTopic = "arn:aws:sns:us-east-1:123456789012:mlapi-edge-alarms-dev";
    fake = new FakePulumi(
      deployed("dev", {
        "mlapi-data/dev": {
          outputs: {
            sessionsTableName: "mlapi-sessions-dev",
            rdsClusterIdentifier: "mlapi-db-dev",
            alarmTopicArn: topic,
          },
        },
        "mlapi-service/dev": {
          outputs: {
            albDnsName: "a.elb",
            sessionsTableName: "mlapi-sessions-dev",
            rdsClusterIdentifier: "mlapi-db-dev",
            alarmTopicArn: topic,
          },
        },
        "mlapi-edge/dev": { outputs: { cloudFrontUrl: "https://x", alarmTopicArn: edgeTopic } },
      }),
    );
    const r = fake.tool("flat-outputs.ts", ["--stack", "dev", "--out", outFile()]);
    expect(r.status).toBe(0);
    const out = written();
    expect([out.sessionsTableName, out.rdsClusterIdentifier, out.alarmTopicArn]).toEqual([
      "mlapi-sessions-dev",
      "mlapi-db-dev",
      topic,
    ]);
    expect([out["data.alarmTopicArn"], out["service.alarmTopicArn"], out["edge.alarmTopicArn"]]).toEqual([
      topic,
      topic,
      edgeTopic,
    ]);
    expect(Object.keys(out).filter((k) => k.includes("."))).toEqual([
      "data.alarmTopicArn",
      "service.alarmTopicArn",
      "edge.alarmTopicArn",
    ]);
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
    const project = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "project.json"), "utf8")) as {
      targets: Record<string, { cache?: boolean; executor?: string; options?: { command?: string; cwd?: string } }>;
    };
    const target = project.targets["flat-outputs"];
    expect([target.executor, target.cache, target.options?.cwd]).toEqual(["nx:run-commands", false, undefined]);
    const [node, ...args] = target.options?.command?.split(" ") ?? [];
    expect([node, ...args.slice(0, -1), path.resolve(ROOT, args.at(-1) ?? "")]).toEqual([
      "node",
      ...toolArgs("flat-outputs.ts"),
    ]);
  });
});

describe("flatten", () => {
  it("leaves out values the CLI masked as [secret]", () => {
    expect(
      flatten(
        [
          ["network", { vpcId: "vpc-1" }],
          ["data", { dbToken: "[secret]", sessionsTableName: "t" }],
        ],
        false,
      ),
    ).toEqual({
      outputs: { vpcId: "vpc-1", sessionsTableName: "t" },
      omittedSecrets: ["data.dbToken"],
    });
  });

  it("keeps every value when secrets were asked for", () => {
    expect(flatten([["data", { dbToken: "hunter2" }]], true)).toEqual({
      outputs: { dbToken: "hunter2" },
      omittedSecrets: [],
    });
  });

  it("merges a key several layers export with one value, lists and objects compared by content", () => {
    expect(
      flatten(
        [
          ["data", { t: "x", ids: ["a", "b"] }],
          ["service", { t: "x", ids: ["a", "b"] }],
        ],
        false,
      ).outputs,
    ).toEqual({ t: "x", ids: ["a", "b"] });
  });

  it("keeps the first exporter's value under the plain key and every exporter's under <layer>.<key> when they differ", () => {
    expect(
      flatten(
        [
          ["network", { a: 1, b: 2 }],
          ["data", { a: 1 }],
          ["edge", { b: 3 }],
        ],
        false,
      ).outputs,
    ).toEqual({
      a: 1,
      b: 2,
      "network.b": 2,
      "edge.b": 3,
    });
  });
});

// The layers' real output names (the contracts in @mlapi/core): the file must hold all of them, and a
// new name exported by a second layer must be a decision, made here, not a surprise in a deployed stack.
describe("flatten over the layers' contracts", () => {
  const byLayer = (value: (layer: LayerName, key: string) => unknown): [LayerName, Record<string, unknown>][] =>
    DEPLOY_ORDER.map((layer) => [
      layer,
      Object.fromEntries(CONTRACTS[layer].outputNames.map((key) => [key, value(layer, key)])),
    ]);

  it("knows exactly which outputs several layers export", () => {
    const exporters = new Map<string, LayerName[]>();
    for (const layer of DEPLOY_ORDER)
      for (const key of CONTRACTS[layer].outputNames) exporters.set(key, [...(exporters.get(key) ?? []), layer]);
    expect(Object.fromEntries([...exporters].filter(([, layers]) => layers.length > 1))).toEqual({
      alarmTopicArn: ["data", "service", "edge"],
      rdsClusterIdentifier: ["data", "service"],
      sessionsTableName: ["data", "service"],
    });
  });

  it("writes every output name once when re-exports repeat the owner's value, as a deployed stack does", () => {
    const { outputs } = flatten(
      byLayer((_layer, key) => `${key}-value`),
      false,
    );
    const names = new Set(DEPLOY_ORDER.flatMap((layer) => CONTRACTS[layer].outputNames));
    expect(Object.keys(outputs).sort()).toEqual([...names].sort());
  });

  it("keeps every plain key at its owner's value (the first exporter in deploy order), whatever the re-exports say", () => {
    const { outputs } = flatten(
      byLayer((layer, key) => `${layer}-${key}`),
      false,
    );
    // The integration tests (tests/integration/src/outputs.ts) read plain keys: each must be its owner's.
    const owners = new Map<string, LayerName>();
    for (const layer of DEPLOY_ORDER)
      for (const key of CONTRACTS[layer].outputNames) if (!owners.has(key)) owners.set(key, layer);
    for (const [key, owner] of owners) expect([key, outputs[key]]).toEqual([key, `${owner}-${key}`]);
    expect(owners.get("rdsClusterIdentifier")).toBe("data");
    expect(
      Object.keys(outputs)
        .filter((k) => k.includes("."))
        .sort(),
    ).toEqual([
      "data.alarmTopicArn",
      "data.rdsClusterIdentifier",
      "data.sessionsTableName",
      "edge.alarmTopicArn",
      "service.alarmTopicArn",
      "service.rdsClusterIdentifier",
      "service.sessionsTableName",
    ]);
  });
});
