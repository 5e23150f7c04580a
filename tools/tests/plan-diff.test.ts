// The plan diff: pure comparisons of two plan documents (plan-diff.ts), its two renderings, the
// replacement table against the resource types the components declare, and the CLI side's helpers
// (plan-at-ref.ts) that need no git: who reads an output, and the worktree's node_modules.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { linkNodeModules, outputReaders, plansAtRef } from "../src/plan-at-ref";
import type { DiffablePlan } from "../src/plan-diff";
import {
  changedPaths,
  diffPlans,
  docPage,
  isEmpty,
  renderMarkdown,
  renderText,
  REPLACEMENT_PROPERTIES,
} from "../src/plan-diff";

type Step = DiffablePlan["steps"][number];
const step = (type: string, name: string, inputs: Record<string, unknown>, physicalName = ""): Step => ({
  urn: `urn:pulumi:dev::mlapi-network::pulumi:pulumi:Stack$${type}::${name}`,
  name,
  physicalName,
  newState: { type, custom: true, inputs },
});
const plan = (
  steps: Step[],
  outputs: Record<string, unknown> = {},
  secretOutputNames: string[] = [],
): DiffablePlan => ({
  layer: "network",
  stack: "dev",
  steps,
  outputs,
  secretOutputNames,
});

const VPC = "aws:ec2/vpc:Vpc";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const policy = (actions: string[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

const base = plan(
  [
    step("pulumi:pulumi:Stack", "mlapi-network-dev", {}),
    step(VPC, "network-vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "mlapi-vpc-dev" } }, "vpc-1"),
    step(LOGS, "flow-logs", { name: "/mlapi/vpc-flow-logs-dev", retentionInDays: 30 }, "/mlapi/vpc-flow-logs-dev"),
    step(ROLE_POLICY, "flow-logs-write", { policy: policy(["logs:PutLogEvents"]) }),
    step("aws:ec2/eip:Eip", "nat-eip", { domain: "vpc" }),
  ],
  { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", natGatewayCount: 1, token: "a" },
  ["token"],
);
const head = plan(
  [
    step("pulumi:pulumi:Stack", "mlapi-network-dev", {}),
    step(ROLE_POLICY, "flow-logs-write", { policy: policy(["logs:PutLogEvents", "logs:CreateLogStream"]) }),
    step(LOGS, "flow-logs", { name: "/mlapi/vpc-flow-logs-dev", retentionInDays: 90 }, "/mlapi/vpc-flow-logs-dev"),
    step(VPC, "network-vpc", { cidrBlock: "10.1.0.0/16", tags: { Name: "mlapi-vpc-dev" } }, "vpc-1"),
    step("aws:ec2/natGateway:NatGateway", "nat-2", { subnetId: "subnet-2" }),
  ],
  { vpcId: "vpc-1", vpcCidr: "10.1.0.0/16", natGatewayCount: 1, token: "b" },
  ["token"],
);
const readers = (output: string) => (output === "vpcCidr" ? ["data", "service"] : []);

describe("diffPlans", () => {
  const d = diffPlans(base, head, readers);

  it("lists added and removed AWS resources, not Pulumi's own", () => {
    expect(d.added.map((r) => [r.type, r.name])).toEqual([["aws:ec2/natGateway:NatGateway", "nat-2"]]);
    expect(d.removed.map((r) => [r.type, r.name])).toEqual([["aws:ec2/eip:Eip", "nat-eip"]]);
  });

  it("lists each changed property old -> new, and flags a property that forces a new resource", () => {
    expect(
      d.changed.map((c) => [
        c.name,
        c.replaces,
        c.properties.map((p) => [p.path, p.old, p.new, p.replaces !== undefined]),
      ]),
    ).toEqual([
      ["flow-logs", false, [["retentionInDays", 30, 90, false]]],
      ["network-vpc", true, [["cidrBlock", "10.0.0.0/16", "10.1.0.0/16", true]]],
      [
        "flow-logs-write",
        false,
        [["policy{}.Statement[0].Action", ["logs:PutLogEvents"], ["logs:PutLogEvents", "logs:CreateLogStream"], false]],
      ],
    ]);
    expect(d.changed[1].properties[0].replaces).toBe(`cidrBlock forces a new resource (${docPage(VPC)})`);
  });

  it("lists changed outputs with the layers that read them; secret values stay hidden", () => {
    expect(d.outputs).toEqual([
      { name: "token", old: "[secret]", new: "[secret]", readBy: [] },
      { name: "vpcCidr", old: "10.0.0.0/16", new: "10.1.0.0/16", readBy: ["data", "service"] },
    ]);
  });

  it("finds nothing between a plan and itself, and treats a missing plan as all added", () => {
    expect(isEmpty(diffPlans(base, base))).toBe(true);
    expect(diffPlans(undefined, head).added).toHaveLength(4);
  });

  it("is deterministic: the order of the steps does not matter", () => {
    const shuffled = { ...head, steps: [...head.steps].reverse() };
    expect(renderText([diffPlans(base, shuffled, readers)], "main")).toBe(renderText([d], "main"));
  });
});

describe("changedPaths", () => {
  it.each([
    [{ a: { b: 1 } }, { a: { b: 2 } }, [{ path: "a.b", old: 1, new: 2 }]],
    [{ l: [1, 2] }, { l: [1, 3] }, [{ path: "l[1]", old: 2, new: 3 }]],
    [{ l: [1] }, { l: [1, 2] }, [{ path: "l", old: [1], new: [1, 2] }]],
    [{ k: 1 }, {}, [{ path: "k", old: 1, new: undefined }]],
  ])("%j -> %j", (a, b, expected) => {
    expect(changedPaths(a, b)).toEqual(expected);
  });
});

describe("rendering", () => {
  const diffs = [diffPlans(base, head, readers), diffPlans(base, base)];

  it("prints replacements loudly in the terminal, per layer and again at the end", () => {
    const text = renderText(diffs, "origin/main");
    expect(text.split("\n")).toEqual(
      expect.arrayContaining([
        "plan diff: origin/main -> working tree",
        "network (stack dev): 1 to add, 3 to change (1 replaced), 1 to delete, 2 outputs changed",
        "  + aws:ec2/natGateway:NatGateway nat-2",
        "  - aws:ec2/eip:Eip nat-eip",
        "  !! REPLACE aws:ec2/vpc:Vpc network-vpc (vpc-1)",
        `      cidrBlock: "10.0.0.0/16" -> "10.1.0.0/16"   !! cidrBlock forces a new resource (${docPage(VPC)})`,
        "      retentionInDays: 30 -> 90",
        '  output vpcCidr: "10.0.0.0/16" -> "10.1.0.0/16"   (read by data, service)',
        "network (stack dev): no changes",
        "!! 1 resource will be REPLACED:",
        "!!   network: aws:ec2/vpc:Vpc network-vpc (vpc-1)",
      ]),
    );
  });

  it("writes Markdown with a summary table, a warning for replacements and per-layer details", () => {
    const md = renderMarkdown(diffs, "origin/main");
    expect(md).toContain("| network | 1 | 3 | **1** | 1 | 2 |");
    expect(md).toContain("> **1 resource will be replaced** (deleted and created again):");
    expect(md).toContain(
      `> - network: \`${VPC}\` **network-vpc** (\`vpc-1\`) — \`cidrBlock\` ([forces replacement](${docPage(VPC)}))`,
    );
    expect(md).toContain(
      '| ⚠️ replace | `aws:ec2/vpc:Vpc` network-vpc | `cidrBlock` | `"10.0.0.0/16"` | `"10.1.0.0/16"` |',
    );
    expect(md).toContain('| `vpcCidr` | `"10.0.0.0/16"` | `"10.1.0.0/16"` | data, service |');
  });
});

describe("REPLACEMENT_PROPERTIES", () => {
  it("has an entry for every AWS resource type the components declare", () => {
    const root = path.join(__dirname, "..", "..", "libs", "components", "src");
    const sources = fs
      .readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => fs.readFileSync(path.join(root, f), "utf8"))
      .join("\n");
    const classes = [...new Set([...sources.matchAll(/new aws\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`))];
    const types = classes.map((c) => {
      const [service, resource] = c.split(".");
      const mod = require(`@pulumi/aws/${service}`) as Record<string, { __pulumiType: string }>;
      return mod[resource].__pulumiType;
    });
    expect(types.filter((t) => !(t in REPLACEMENT_PROPERTIES)).sort()).toEqual([]);
  });

  it("links each type to its page in the Pulumi AWS registry", () => {
    expect(docPage("aws:rds/clusterInstance:ClusterInstance")).toBe(
      "https://www.pulumi.com/registry/packages/aws/api-docs/rds/clusterinstance/",
    );
  });
});

describe("plan --diff helpers", () => {
  it("finds the downstream layers that read an output through their StackReference", () => {
    expect(outputReaders("network")("vpcId")).toEqual(["service"]);
    expect(outputReaders("network")("privateSubnetIds")).toEqual(expect.arrayContaining(["data", "service"]));
    expect(outputReaders("edge")("cloudFrontUrl")).toEqual([]);
  });

  it("links the worktree's packages to this checkout's, and the workspace's own to the worktree's libs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
    const from = path.join(dir, "from");
    fs.mkdirSync(path.join(from, "@mlapi"), { recursive: true });
    fs.mkdirSync(path.join(from, "yaml"));
    fs.symlinkSync("../../libs/core", path.join(from, "@mlapi", "core"));
    linkNodeModules(from, path.join(dir, "to"));
    expect(fs.readlinkSync(path.join(dir, "to", "yaml"))).toBe(path.join(from, "yaml"));
    expect(fs.readlinkSync(path.join(dir, "to", "@mlapi", "core"))).toBe("../../libs/core");
    fs.rmSync(dir, { recursive: true });
  });
});

describe("plansAtRef (a real git worktree)", () => {
  const worktrees = () =>
    spawnSync("git", ["worktree", "list"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter((l) => l.includes("mlapi-plan-base-"));

  it("renders every layer of a commit offline and removes its worktree", () => {
    const logged: string[] = [];
    const plans = plansAtRef("HEAD", "example", (line) => logged.push(line));
    expect([...plans.keys()]).toEqual(["network", "data", "service", "edge"]);
    expect(plans.get("data")?.outputs.sessionsTableName).toBe("mlapi-sessions-example");
    expect(logged).toContainEqual(
      expect.stringMatching(/^plan diff: rendering HEAD \([0-9a-f]{12}\) in a temporary worktree$/),
    );
    expect(worktrees()).toEqual([]);
  }, 120000);

  it("names a ref git does not know", () => {
    expect(() => plansAtRef("no-such-ref-here", "example")).toThrow(
      '"no-such-ref-here" is not a commit git knows here (a shallow clone needs fetch-depth: 0, or git fetch of the base).',
    );
  });
});
