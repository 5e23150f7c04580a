// The cost model (tools/src/cost): every pricing rule against a hand calculation on the default
// stack, rendered in this process through the same code path as `npm run plan`; config changes move
// the total by exactly what they should; the docs quote the tool's idle figure; bad input fails clearly.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LayerName } from "@mlapi/core";
import { programLoader, renderProgram } from "@mlapi/testing";
import { DEPLOY_ORDER, layerDir, pulumiProjectName, readStackConfig, UPSTREAM, WORKSPACE_ROOT } from "../src/layers";
import type { PlanDocument } from "../src/plan-document";
import { toPlanDocument } from "../src/plan-document";
import type { Capacity } from "../src/cost/capacity";
import { readCapacity } from "../src/cost/capacity";
import { toMarkdown, toTable } from "../src/cost/format";
import { parseCostArgs, runCost } from "../src/cost/main";
import { loadPrices } from "../src/cost/prices";
import type { CostLine } from "../src/cost/lines";
import { costReport } from "../src/cost/report";
import type { CostReport } from "../src/cost/report";
import { DEFAULT_PROFILE } from "../src/cost/usage";

jest.setTimeout(120_000);

const STACK = "example";
const prices = loadPrices("us-east-1");
const capacity = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "capacity.json"), "utf8")) as Capacity;

/** Renders one layer as `npm run plan` does (stack file config, upstream outputs from the docs before it), with `overrides` on top. */
async function renderLayer(
  layer: LayerName,
  upstream: PlanDocument[],
  overrides: Record<string, unknown> = {},
): Promise<PlanDocument> {
  const project = pulumiProjectName(layer);
  const stackOutputs = Object.fromEntries(
    UPSTREAM[layer].map((u) => {
      const doc = upstream.find((d) => d.layer === u);
      if (!doc) throw new Error(`render ${u} before ${layer}`);
      return [`organization/${doc.project}/${STACK}`, doc.outputs];
    }),
  );
  const config = { ...readStackConfig(layer, STACK), ...overrides };
  const load = programLoader(path.join(layerDir(layer), "index.ts"));
  const result = await renderProgram({
    project,
    stack: STACK,
    config,
    stackOutputs,
    organization: "organization",
    load,
  });
  return toPlanDocument(layer, project, STACK, result);
}

const base: PlanDocument[] = [];
beforeAll(async () => {
  for (const layer of DEPLOY_ORDER) base.push(await renderLayer(layer, base));
});

/** The stack with one layer rendered again under changed config. */
async function withConfig(layer: LayerName, overrides: Record<string, unknown>): Promise<PlanDocument[]> {
  const doc = await renderLayer(layer, base, overrides);
  return base.map((d) => (d.layer === layer ? doc : d));
}

const report = (docs: PlanDocument[], rpm?: number): CostReport =>
  costReport(
    { docs, prices },
    rpm === undefined
      ? undefined
      : {
          profile: { ...DEFAULT_PROFILE, rpm, imageKb: 40 },
          capacity,
          capacityFile: "tools/tests/fixtures/capacity.json",
        },
  );

/** The one line of `name` whose item starts with `item`. */
function line(r: CostReport, name: string, item: string, kind: CostLine["kind"] = "fixed"): CostLine {
  const found = r.lines.filter((l) => l.name === name && l.kind === kind && l.item.startsWith(item));
  if (found.length !== 1) {
    const items = r.lines.filter((l) => l.name === name).map((l) => l.item);
    throw new Error(`${found.length} ${kind} lines of ${name} start with "${item}": ${items.join(" | ")}`);
  }
  return found[0];
}

/** A web ACL's rules: an array in the render, a JSON string once the provider serialises them. */
const aclRules = (v: unknown): unknown[] =>
  typeof v === "string" ? (JSON.parse(v) as unknown[]) : ((v as unknown[] | undefined) ?? []);

/** Sum of every priced line, unrounded: what a config change must move by exactly its own price. */
const exact = (r: CostReport): number => r.lines.reduce((n, l) => n + (l.monthly ?? 0), 0);

// Hand calculation of the prices the rules use (us-east-1, 730 hours).
const HOURS = 730;
const TASK_HOUR = 1 * 0.04048 + 2 * 0.004445; // 1 vCPU, 2 GB on demand: $0.04937
const SPOT_TASK_HOUR = TASK_HOUR * 0.3; // 70 % off
// eventually consistent GetItem (0.5 RRU) every 15 s per task, at $0.125 per million RRU
const PROBE_READS = (tasks: number): number => (((tasks * HOURS * 3600) / 15) * 0.5 * 0.125) / 1e6;

describe("idle default stack, rule by rule", () => {
  let r: CostReport;
  beforeAll(() => {
    r = report(base);
  });

  it("prices the NAT gateway and its Elastic IP by the hour", () => {
    expect(line(r, "network-nat-1", "NAT gateway hours").monthly).toBeCloseTo(730 * 0.045, 6); // $32.85
    expect(line(r, "network-nat-1-eip", "Elastic IP").monthly).toBeCloseTo(730 * 0.005, 6); // $3.65
  });

  it("prices the ALB's hours, its public address in each of 3 zones while internet-facing, and no idle LCU", () => {
    const alb = base
      .find((d) => d.layer === "service")
      ?.steps.find((s) => s.newState.type === "aws:lb/loadBalancer:LoadBalancer");
    const internal = alb?.newState.inputs.internal === true;
    expect(line(r, "api-lb-alb", "load balancer hours").monthly).toBeCloseTo(730 * 0.0225, 6); // $16.425
    const ipv4 = r.lines.filter((l) => l.name === "api-lb-alb" && l.item.startsWith("public IPv4"));
    expect(ipv4.map((l) => l.monthly?.toFixed(6))).toEqual(internal ? [] : [(3 * 730 * 0.005).toFixed(6)]); // $10.95 while internet-facing
    expect(line(r, "api-lb-alb", "LCU at idle").monthly).toBe(0);
  });

  it("prices each Aurora Serverless v2 instance (writer and reader) at the 0.5 ACU minimum", () => {
    expect(line(r, "db-writer", "Serverless v2 writer").monthly).toBeCloseTo(0.5 * 730 * 0.12, 6); // $43.80
    expect(line(r, "db-reader-1", "Serverless v2 reader").monthly).toBeCloseTo(0.5 * 730 * 0.12, 6);
    expect(line(r, "db-cluster", "master user secret").monthly).toBe(0.4);
  });

  it("prices minCapacity tasks 7:3 between FARGATE_SPOT at 70 % off and FARGATE", () => {
    expect(line(r, "api-service", "FARGATE_SPOT tasks at minCapacity").monthly).toBeCloseTo(
      1.4 * 730 * SPOT_TASK_HOUR,
      4,
    ); // $15.14
    expect(line(r, "api-service", "FARGATE tasks at minCapacity").monthly).toBeCloseTo(0.6 * 730 * TASK_HOUR, 4); // $21.62
  });

  it("prices web ACLs with their rules, KMS keys, alarm metrics, the dashboard and the DynamoDB probe reads", () => {
    expect(line(r, "api-waf-acl", "web ACL").monthly).toBe(5);
    const ruleCount = (layer: LayerName): number => {
      const acl = base.find((d) => d.layer === layer)?.steps.find((s) => s.newState.type === "aws:wafv2/webAcl:WebAcl");
      return aclRules(acl?.newState.inputs.rules).length;
    };
    expect(line(r, "api-waf-acl", "rules").monthly).toBe(ruleCount("service") * 1);
    expect(line(r, "edge-waf-web-acl", "rules").monthly).toBe(ruleCount("edge") * 1);
    expect(r.lines.filter((l) => l.item === "customer managed key").map((l) => l.monthly)).toEqual(Array(7).fill(1));
    // a metric-math alarm bills each metric it reads: the throttles alarm sums 7 operations
    expect(line(r, "data-alarms-sessions-throttles", "alarm metrics").monthly).toBeCloseTo(7 * 0.1, 6);
    expect(line(r, "dashboard-dashboard", "dashboard").monthly).toBe(3);
    expect(line(r, "api-scaling-requests", "alarm metrics of the alarms target tracking creates").monthly).toBeCloseTo(
      2 * 0.1,
      6,
    );
    expect(line(r, "sessions-table", "readiness probe").monthly).toBeCloseTo(PROBE_READS(2), 6); // $0.0219
  });

  it("lists what it cannot price as not priced, leaving it out of the total", () => {
    const notPriced = r.lines.filter((l) => l.monthly === null).map((l) => `${l.name}: ${l.item}`);
    expect(notPriced).toEqual(
      expect.arrayContaining([
        "api-cluster-cluster: Container Insights (enabled)",
        "api-image-repository: image storage (image size not in the plan)",
      ]),
    );
    expect(toTable(r)).toContain(
      "service/api-cluster-cluster: Container Insights (enabled) (Not found in the stored pages",
    );
  });

  it("adds up, per layer and in total, to the hand calculation of the idle stack", () => {
    // Counts the plan decides (keys, alarm metrics, web ACL rules), each at its hand-written price.
    const steps = (layer: LayerName, type: string) =>
      (base.find((d) => d.layer === layer)?.steps ?? []).filter((s) => s.newState.type === type);
    const keys = (layer: LayerName): number => steps(layer, "aws:kms/key:Key").length * 1;
    const alarms = (layer: LayerName): number =>
      steps(layer, "aws:cloudwatch/metricAlarm:MetricAlarm")
        .map(
          (s) =>
            (s.newState.inputs.metricQueries as { metric?: unknown }[] | undefined)?.filter((q) => q.metric).length ??
            1,
        )
        .reduce((n, m) => n + m * 0.1, 0);
    const rules = (layer: LayerName): number =>
      steps(layer, "aws:wafv2/webAcl:WebAcl").reduce((n, s) => n + 5 + aclRules(s.newState.inputs.rules).length * 1, 0);
    const internalAlb = steps("service", "aws:lb/loadBalancer:LoadBalancer")[0]?.newState.inputs.internal === true;
    const hand = {
      network: 730 * 0.045 + 730 * 0.005 + keys("network"),
      data: keys("data") + alarms("data") + 0.4 + 2 * 0.5 * 730 * 0.12 + PROBE_READS(2),
      service:
        rules("service") +
        keys("service") +
        alarms("service") +
        2 * 2 * 0.1 + // + the 2 alarms each target tracking policy creates (requests, CPU)
        730 * 0.0225 +
        (internalAlb ? 0 : 3 * 730 * 0.005) + // an internal ALB (CloudFront VPC origin) holds no public address
        1.4 * 730 * SPOT_TASK_HOUR +
        0.6 * 730 * TASK_HOUR,
      edge: rules("edge") + keys("edge") + alarms("edge") + 3,
    };
    for (const t of r.totals.layers) expect(t.fixed).toBeCloseTo(hand[t.layer], 2);
    expect(r.totals.fixed).toBeCloseTo(hand.network + hand.data + hand.service + hand.edge, 2);
  });
});

describe("load profile", () => {
  it("prices 5,000 requests/min from the measured capacity, every rule by hand", () => {
    const r = report(base, 5000);
    const rps = 5000 / 60;
    const requests = 5000 * 60 * 730; // 219,000,000 a month
    const gib = 1024 ** 3;
    // tasks: 83.3 req/s / (25 req/s per core x 1 vCPU x 0.7) = 4.76 -> 5, and 5000/min / 1000 per target = 5
    const tasks = r.limits.find((l) => l.limit === "ECS service maxCapacity");
    expect(tasks).toMatchObject({ needed: 5, allowed: 10, binds: false });
    // 3 tasks above the floor of 2: Spot 5 x 0.7 - 2 x 0.7 = 2.1, on demand 0.9
    expect(line(r, "api-service", "FARGATE_SPOT tasks above", "usage").monthly).toBeCloseTo(
      2.1 * 730 * SPOT_TASK_HOUR,
      4,
    );
    expect(line(r, "api-service", "FARGATE tasks above", "usage").monthly).toBeCloseTo(0.9 * 730 * TASK_HOUR, 4);
    // ALB: processed bytes decide, (40 + 1) KiB per request = 11.73 GB an hour
    expect(line(r, "api-lb-alb", "LCUs", "usage").monthly).toBeCloseTo(
      ((rps * 3600 * 41 * 1024) / gib) * 730 * 0.008,
      4,
    ); // $68.50
    // both web ACLs inspect every request
    expect(line(r, "api-waf-acl", "requests inspected", "usage").monthly).toBeCloseTo(219 * 0.6, 6); // $131.40
    expect(line(r, "edge-waf-web-acl", "requests inspected", "usage").monthly).toBeCloseTo(219 * 0.6, 6);
    expect(line(r, "api-distribution", "HTTPS requests", "usage").monthly).toBeCloseTo(21_900 * 0.01, 6); // $219.00
    expect(line(r, "api-distribution", "responses out", "usage").monthly).toBeCloseTo(
      ((requests * 1024) / gib) * 0.085,
      4,
    ); // $17.75
    expect(line(r, "api-distribution", "image uploads", "usage").monthly).toBeNull(); // not priced
    // DynamoDB: one write per v2 request, half the requests
    expect(line(r, "sessions-table", "session writes", "usage").monthly).toBeCloseTo(109.5 * 0.625, 6); // $68.44
    // Aurora: 83.3 inserts/s / 200 per ACU above the 0.5 minimum
    expect(line(r, "db-cluster", "writer ACU above", "usage").monthly).toBeCloseTo((rps / 200) * 730 * 0.12, 4); // $36.50
    expect(line(r, "db-cluster", "storage added", "usage").monthly).toBeCloseTo(((requests * 400) / gib) * 0.1, 4); // $8.16
    expect(line(r, "db-cluster", "I/O of the inserts", "usage").monthly).toBeCloseTo(219 * 0.2, 6); // $43.80
    // logs: the API's 400 B per request, ingested and kept 30 days; the same bytes cross the NAT
    expect(line(r, "api-logs-log-group", "api log ingestion", "usage").monthly).toBeCloseTo(
      ((requests * 400) / gib) * 0.5,
      4,
    ); // $40.79
    expect(line(r, "network-nat-1", "data processed", "usage").monthly).toBeCloseTo(
      ((requests * 400) / gib) * 0.045,
      4,
    ); // $3.67
    expect(r.limits.filter((l) => l.binds)).toEqual([]);
  });

  it("at 60,000 requests/min reports that maxCapacity binds first, and prices 10 tasks, not 60", () => {
    const r = report(base, 60_000);
    expect(r.limits[0]).toMatchObject({ limit: "ECS service maxCapacity", needed: 60, allowed: 10, binds: true });
    expect(r.limits[0].message).toContain("maxCapacity binds first");
    // 8 tasks above the floor: Spot 10 x 0.7 - 1.4 = 5.6, on demand 2.4
    expect(line(r, "api-service", "FARGATE_SPOT tasks above", "usage").monthly).toBeCloseTo(
      5.6 * 730 * SPOT_TASK_HOUR,
      4,
    );
    expect(line(r, "api-service", "FARGATE tasks above", "usage").monthly).toBeCloseTo(2.4 * 730 * TASK_HOUR, 4);
    // 1,000 inserts/s need 5.5 ACU against the maximum of 2: priced at 2
    expect(r.limits.find((l) => l.limit.startsWith("Aurora"))).toMatchObject({ needed: 5.5, allowed: 2, binds: true });
    expect(line(r, "db-cluster", "writer ACU above", "usage").monthly).toBeCloseTo(1.5 * 730 * 0.12, 6);
    expect(toMarkdown(r)).toContain("BINDS ECS service maxCapacity");
  });
});

describe("config changes move the total by exactly their price", () => {
  const before = (): number => exact(report(base));

  it("natGateways: 3 adds two NAT gateways and their Elastic IPs", async () => {
    const after = exact(report(await withConfig("network", { "mlapi-network:natGateways": 3 })));
    expect(after - before()).toBeCloseTo(2 * 730 * (0.045 + 0.005), 6); // +$73.00
  });

  it("minCapacity: 4 adds two tasks at the 7:3 split (and their readiness probes)", async () => {
    const after = exact(
      report(await withConfig("service", { "mlapi-service:minCapacity": 4, "mlapi-service:desiredCount": 4 })),
    );
    expect(after - before()).toBeCloseTo(2 * 730 * (0.7 * SPOT_TASK_HOUR + 0.3 * TASK_HOUR) + PROBE_READS(2), 6); // +$36.78
  });

  it("Spot weight 10/0 moves the on-demand share of the two tasks to Spot", async () => {
    const after = exact(
      report(await withConfig("service", { "mlapi-service:spotWeight": 10, "mlapi-service:onDemandWeight": 0 })),
    );
    expect(after - before()).toBeCloseTo(0.6 * 730 * (SPOT_TASK_HOUR - TASK_HOUR), 6); // -$15.14
  });

  it("a custom domain in a zone the stack does not own adds nothing: certificate and records are free", async () => {
    const docs = await withConfig("edge", {
      "mlapi-edge:allowDefaultCertificate": false,
      "mlapi-edge:domainName": "api.example.com",
      "mlapi-edge:hostedZoneId": "Z0123456789ABCDEFGHIJ",
    });
    const r = report(docs);
    const free = r.free.filter((f) => f.layer === "edge").map((f) => f.type);
    expect(free).toEqual(expect.arrayContaining(["aws:acm/certificate:Certificate", "aws:route53/record:Record"]));
    expect(r.lines.filter((l) => l.item === "unknown resource type")).toEqual([]);
    expect(exact(r)).toBeCloseTo(before(), 6);
  });

  it("Aurora minCapacity 1 doubles the ACU floor of writer and reader", async () => {
    const after = exact(report(await withConfig("data", { "mlapi-data:minCapacity": "1" })));
    expect(after - before()).toBeCloseTo(2 * 0.5 * 730 * 0.12, 6); // +$87.60
  });
});

describe("docs quote the tool's idle figure", () => {
  const money = (n: number): string => `$${n.toFixed(2)}`;
  const quoted = (file: string): string | undefined =>
    /idle[^\n]*?\*\*\$([0-9.,]+) a month\*\*/i.exec(fs.readFileSync(file, "utf8"))?.[1];

  it("README.md states the default stack's idle total", () => {
    expect(`$${quoted(path.join(WORKSPACE_ROOT, "README.md"))}`).toBe(money(report(base).totals.fixed));
  });

  it.each(DEPLOY_ORDER.map((l) => [l]))("projects/%s/README.md states its layer's idle cost", (layer) => {
    const t = report(base).totals.layers.find((x) => x.layer === layer);
    expect(`$${quoted(path.join(WORKSPACE_ROOT, "projects", layer, "README.md"))}`).toBe(money(t?.fixed ?? NaN));
  });
});

describe("bad input", () => {
  it("refuses a non-positive request rate", () => {
    expect(parseCostArgs(["--rpm", "-1"])).toEqual({
      exitCode: 2,
      message: "--rpm must be a number > 0 (requests per minute), got -1",
    });
    expect(parseCostArgs(["--rpm", "0"])).toMatchObject({ exitCode: 2 });
    expect(parseCostArgs(["--rpm", "5000", "--image-kb", "x"])).toEqual({
      exitCode: 2,
      message: "--image-kb must be a number > 0 (KiB per image), got x",
    });
  });

  it("reads a profile file, the flags winning over it", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cost-test-")), "load.json");
    fs.writeFileSync(file, JSON.stringify({ rpm: 100, imageKb: 10, v2Share: 1, logBytesPerRequest: { api: 1000 } }));
    const args = parseCostArgs(["--profile", file, "--rpm", "200"]);
    const logBytesPerRequest = { ...DEFAULT_PROFILE.logBytesPerRequest, api: 1000 };
    expect(args).toMatchObject({ profile: { rpm: 200, imageKb: 10, v2Share: 1, logBytesPerRequest } });
    fs.writeFileSync(file, JSON.stringify({ rpm: 100, v2Share: 2 }));
    expect(parseCostArgs(["--profile", file])).toEqual({ exitCode: 2, message: "v2Share must be in (0, 1], got 2" });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("names a missing plan and the command that renders it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-test-"));
    try {
      const args = parseCostArgs(["--plan-dir", dir, "--no-render"]);
      if ("exitCode" in args) throw new Error(args.message);
      expect(() => runCost(args)).toThrow(
        /^No plan .*network\.json.*: render it first \(npm run plan, or nx run <layer>:plan\)\.$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists an unknown resource type as not priced, never dropping it", () => {
    const doc = structuredClone(base[0]);
    const last = doc.steps[doc.steps.length - 1];
    const urn = "urn:pulumi:example::mlapi-network::aws:foo/bar:Baz::mystery";
    doc.steps.push({
      ...last,
      name: "mystery",
      urn,
      newState: { ...last.newState, type: "aws:foo/bar:Baz", custom: true },
    });
    const r = costReport({ docs: [doc], prices });
    const unknown = line(r, "mystery", "unknown resource type");
    expect(unknown).toMatchObject({ monthly: null, note: "no pricing rule for aws:foo/bar:Baz: not priced" });
    expect(toTable(r)).toMatch(/mystery +unknown resource type .* not priced/);
  });

  it("refuses a region without a price file", () => {
    expect(() => loadPrices("eu-west-1")).toThrow(
      "No prices for region eu-west-1: the cost model only knows us-east-1.",
    );
  });

  it("names the capacity file and the benchmark that writes it when it is missing", () => {
    expect(() => readCapacity(path.join(os.tmpdir(), "no-capacity.json"))).toThrow(
      "A load profile needs the API's measured capacity, but apps/ml-api/benchmarks/capacity.json does not exist: " +
        "run `npx nx run ml-api:bench` to measure it.",
    );
  });

  it("keeps every price sourced and dated, and null prices explained", () => {
    for (const [key, p] of Object.entries(prices.prices)) {
      expect([key, p.source]).toEqual([key, expect.stringMatching(/^https:\/\/aws\.amazon\.com\//)]);
      if (p.usd === null) expect(p.note).toMatch(/not priced|Not found|Not looked up/);
    }
  });
});
