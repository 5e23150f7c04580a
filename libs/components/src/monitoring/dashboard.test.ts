import type { RenderResult } from "@mlapi/testing";
import { one } from "@mlapi/testing";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FARGATE_USAGE_DIMENSIONS } from "./dashboard";
import { API_EMF } from "./service-alarms";
import { renderMonitoring, STACK_REGION } from "../../tests/monitoring/render";

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: {
    title: string;
    region: string;
    metrics: unknown[][];
    annotations?: { horizontal: Array<{ value: number }> };
  };
}

/** A dashboard metric row: namespace, name, dimension name/value pairs, then optional rendering options. */
interface ParsedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  options: Record<string, unknown>;
}

function parseMetric(row: unknown[]): ParsedMetric | { expression: string; id: string } {
  const last = row[row.length - 1];
  const options = typeof last === "object" && last !== null ? (last as Record<string, unknown>) : {};
  const plain = typeof last === "object" ? row.slice(0, -1) : row;
  if (plain.length === 0) return options as { expression: string; id: string };
  const [namespace, metricName, ...pairs] = plain as string[];
  expect(pairs.length % 2).toBe(0);
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
  return { namespace, metricName, dimensions, options };
}

/** The dimension names each namespace publishes the dashboard's metrics under. */
const DIMENSION_SETS: Record<string, string[][]> = {
  "AWS/CloudFront": [["DistributionId", "Region"]],
  "AWS/ApplicationELB": [["LoadBalancer"], ["LoadBalancer", "TargetGroup"]],
  "ECS/ContainerInsights": [["ClusterName", "ServiceName"]],
  "AWS/Usage": [["Service", "Type", "Resource", "Class"]],
  "AWS/RDS": [["DBClusterIdentifier"]],
  "AWS/DynamoDB": [["TableName"]],
  "AWS/WAFV2": [
    ["WebACL", "Rule"],
    ["WebACL", "Region", "Rule"],
  ],
  [API_EMF.namespace]: [[API_EMF.serviceDimension]],
};

describe("ApiDashboard", () => {
  let r: RenderResult;
  let widgets: Widget[];
  let passedIn: Set<string>;
  beforeAll(async () => {
    r = await renderMonitoring();
    const dashboard = one(r, "aws:cloudwatch/dashboard:Dashboard");
    widgets = (JSON.parse(String(dashboard.inputs.dashboardBody)) as { widgets: Widget[] }).widgets;
    // Every value the program handed the dashboard, read back from the resources that own them.
    passedIn = new Set([
      String(one(r, "aws:lb/loadBalancer:LoadBalancer").state.arnSuffix),
      String(one(r, "aws:lb/targetGroup:TargetGroup").state.arnSuffix),
      String(one(r, "aws:ecs/cluster:Cluster").state.name),
      String(one(r, "aws:ecs/service:Service").state.name),
      String(one(r, "aws:rds/cluster:Cluster").state.clusterIdentifier),
      String(one(r, "aws:dynamodb/table:Table").state.name),
      one(r, "aws:cloudfront/distribution:Distribution").id,
      ...["waf", "edge-waf"].map(
        (n) => (one(r, "aws:wafv2/webAcl:WebAcl", n).inputs.visibilityConfig as { metricName: string }).metricName,
      ),
      STACK_REGION,
    ]);
  });

  const metricsOf = (w: Widget) =>
    w.properties.metrics.map(parseMetric).filter((m): m is ParsedMetric => "namespace" in m);
  const allMetrics = () => widgets.flatMap(metricsOf);

  it("is named with the suffix and exported", () => {
    expect(one(r, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName).toBe("mlapi-api-test");
    expect(r.outputs.dashboardName).toBe("mlapi-api-test");
  });

  it("reads top to bottom in the order on-call asks: traffic and errors, latency, tasks, database, sessions, WAF", () => {
    const byRow = [...widgets].sort((a, b) => a.y - b.y || a.x - b.x).map((w) => w.properties.title);
    expect(byRow).toEqual([
      "Requests per minute: CloudFront and ALB",
      "Error rate (%): CloudFront and ALB targets",
      "Target response time (s): p50 / p95 / p99",
      "Targets: healthy vs unhealthy",
      "API stages (ms): inference p50 / p95, queue p95, request p95",
      "API: images queued, requests admitted and waiting, prediction rows buffered",
      "Tasks: running vs desired",
      "Fargate capacity: Spot vs on-demand (account-wide, this region)",
      "Aurora capacity (ACU) and utilization of the maximum",
      "Aurora connections and CPU",
      "Sessions table: consumed capacity",
      "Sessions table: throttles",
      "WAF at CloudFront: allowed vs blocked",
      "WAF at the ALB: allowed vs blocked",
    ]);
  });

  it("tiles the 24-column grid without overlaps", () => {
    const rows = new Map<number, Widget[]>();
    for (const w of widgets) rows.set(w.y, [...(rows.get(w.y) ?? []), w]);
    for (const row of rows.values()) {
      expect(row.reduce((sum, w) => sum + w.width, 0)).toBe(24);
      expect(new Set(row.map((w) => w.x)).size).toBe(row.length);
    }
  });

  it("names in every metric only dimension values that exist in the stack (or AWS's own constants)", () => {
    const awsConstants = new Set(["Global", "ALL", "OnDemand", "Spot", ...Object.values(FARGATE_USAGE_DIMENSIONS)]);
    const values = allMetrics().flatMap((m) => Object.values(m.dimensions));
    expect(values.length).toBeGreaterThan(40);
    for (const value of values) expect(passedIn.has(value) || awsConstants.has(value)).toBe(true);
    // And every value handed in shows up somewhere.
    for (const value of passedIn) expect(values).toContain(value);
  });

  it("uses the exact dimension set each metric is published with (a wrong set shows an empty graph)", () => {
    for (const m of allMetrics()) {
      expect(DIMENSION_SETS[m.namespace]).toContainEqual(Object.keys(m.dimensions));
    }
  });

  it("shows the stack region's metrics in the stack region and CloudFront's in the region of the provider it was given", () => {
    for (const w of widgets) expect(w.properties.region).toBe(STACK_REGION);
    const metrics = allMetrics();
    const global = metrics.filter(
      (m) => m.namespace === "AWS/CloudFront" || (m.namespace === "AWS/WAFV2" && !("Region" in m.dimensions)),
    );
    expect(global.length).toBe(5);
    for (const m of global) expect(m.options.region).toBe("us-east-1");
    const regional = metrics.filter((m) => !global.includes(m));
    expect(regional.length).toBeGreaterThan(20);
    for (const m of regional) expect(m.options.region).toBeUndefined();
  });

  it("shows p50, p95 and p99 of the target response time", () => {
    const latency = widgets.find((w) => w.properties.title.startsWith("Target response time")) as Widget;
    expect(metricsOf(latency).map((m) => [m.metricName, m.options.stat])).toEqual([
      ["TargetResponseTime", "p50"],
      ["TargetResponseTime", "p95"],
      ["TargetResponseTime", "p99"],
    ]);
  });

  it("computes the ALB 5xx rate only from metrics the widget defines", () => {
    const errors = widgets.find((w) => w.properties.title.startsWith("Error rate")) as Widget;
    const rows = errors.properties.metrics.map(parseMetric);
    const expression = rows.find((m) => "expression" in m) as { expression: string };
    const ids = rows
      .filter((m): m is ParsedMetric => "namespace" in m)
      .map((m) => m.options.id)
      .filter(Boolean);
    expect(expression.expression).toBe("100 * FILL(t5xx, 0) / treq");
    expect(ids).toEqual(["t5xx", "treq"]);
  });

  it("reads the API's EMF metrics under the names apps/ml-api emits, with the ECS service as `service`", () => {
    const app = (file: string) => readFileSync(join(__dirname, "../../../../apps/ml-api/src", file), "utf8");
    const metricsTs = app("metrics.ts");
    const mainTs = app("main.ts");
    expect(metricsTs).toContain(`EMF_NAMESPACE = "${API_EMF.namespace}"`);
    expect(metricsTs).toContain(`"${API_EMF.serviceDimension}"`);
    expect(app("config.ts")).toContain("env.METRICS_SERVICE"); // the env var the service layer sets to the ECS service name
    const stages = /STAGES = \[([^\]]*)\]/.exec(metricsTs)?.[1] ?? "";
    const api = allMetrics().filter((m) => m.namespace === API_EMF.namespace);
    expect(api.length).toBe(8);
    for (const m of api) {
      expect(m.dimensions).toEqual({
        [API_EMF.serviceDimension]: String(one(r, "aws:ecs/service:Service").state.name),
      });
      // per-request fields: `requestMs` and `<stage>Ms`; gauges: registered by name in main.ts
      const emitted =
        m.metricName === "requestMs" ||
        stages.includes(`"${m.metricName.replace(/Ms$/, "")}"`) ||
        mainTs.includes(`"${m.metricName}"`);
      expect([m.metricName, emitted]).toEqual([m.metricName, true]);
    }
  });

  it("draws the ACU ceiling on the capacity graph", () => {
    const acu = widgets.find((w) => w.properties.title.startsWith("Aurora capacity")) as Widget;
    expect(acu.properties.annotations?.horizontal).toEqual([{ label: "max ACU", value: 2 }]);
  });

  it("splits Fargate capacity into Spot and on-demand", () => {
    const split = widgets.find((w) => w.properties.title.startsWith("Fargate capacity")) as Widget;
    expect(metricsOf(split).map((m) => m.dimensions.Resource)).toEqual(["Spot", "OnDemand"]);
  });
});
