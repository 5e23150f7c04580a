import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { ofType, one, programLoader, ref, renderProgram } from "@mlapi/testing";
import { API_DISTRIBUTION_DEFAULTS, APP_CLOSE_SECONDS } from "@mlapi/components";
import { dataOutputs, PREBUILT_IMAGE, REGION, upstream } from "./fixtures";

// The service layer's alarms notify the data layer's regional topic; three of them are the ECS
// service's deployment alarms (rollback on ALARM, next to the circuit breaker). docs/monitoring.md
const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}, stack = "dev") =>
  renderProgram({
    project: "mlapi-service",
    stack,
    config: { "aws:region": REGION, "mlapi-service:image": PREBUILT_IMAGE, ...config },
    stackOutputs: upstream(stack),
    load,
  });

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const alarm = (r: RenderResult, name: string) => {
  const found = ofType(r, ALARM).filter((a) => a.inputs.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const DEPLOYMENT_ALARMS = ["mlapi-svc-alb-5xx-dev", "mlapi-svc-target-5xx-rate-dev", "mlapi-svc-unhealthy-hosts-dev"];

describe("service layer monitoring with default config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("notifies the data layer's topic from every alarm, on ALARM and OK", () => {
    const topicArn = dataOutputs("dev").alarmTopicArn;
    const alarms = ofType(r, ALARM);
    expect(alarms).toHaveLength(9);
    for (const a of alarms) expect(a.inputs).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
  });

  it("alarms on the API's p95 inference time under the service name the task publishes its EMF metrics with", () => {
    const inference = alarm(r, "mlapi-svc-inference-p95-dev");
    const service = one(r, "aws:ecs/service:Service");
    expect(inference.inputs).toMatchObject({
      namespace: "MlApi",
      metricName: "inferenceMs",
      extendedStatistic: "p95",
      dimensions: { service: service.inputs.name },
    });
    const taskDefinition = one(r, "aws:ecs/taskDefinition:TaskDefinition");
    const [container] = JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as Array<{
      environment: Array<{ name: string; value: string }>;
    }>;
    expect(container.environment).toContainEqual({ name: "METRICS_SERVICE", value: service.inputs.name });
  });

  it("lets a draining Spot task pass the unhealthy-host alarm when its requests end within CloudFront's timeout", () => {
    // ECS leaves an interrupted Spot task registered until it stops: the ALB shows it unhealthy from
    // its second failed check (one interval after the first) until the app exits.
    const tg = one(r, "aws:lb/targetGroup:TargetGroup").inputs.healthCheck as {
      interval: number;
      unhealthyThreshold: number;
    };
    const [container] = JSON.parse(
      String(one(r, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions),
    ) as Array<{ environment: Array<{ name: string; value: string }> }>;
    const drainSeconds = Number(container.environment.find((e) => e.name === "DRAIN_DELAY_MS")?.value) / 1000;
    const exitsBy = drainSeconds + API_DISTRIBUTION_DEFAULTS.readTimeoutSeconds + APP_CLOSE_SECONDS;
    const unhealthySeconds = exitsBy - tg.interval * (tg.unhealthyThreshold - 1);
    expect(unhealthySeconds).toBe(60);
    // a window of at most 60 s touches at most 2 one-minute datapoints
    const minutes = Number(alarm(r, "mlapi-svc-unhealthy-hosts-dev").inputs.evaluationPeriods);
    expect(minutes).toBe(3);
    expect(unhealthySeconds).toBeLessThanOrEqual((minutes - 2) * 60);
  });

  it("builds ALB dimensions from the layer's own load balancer and target group", () => {
    const dims = alarm(r, "mlapi-svc-unhealthy-hosts-dev").inputs.dimensions;
    expect(dims).toEqual({
      LoadBalancer: one(r, "aws:lb/loadBalancer:LoadBalancer").state.arnSuffix,
      TargetGroup: one(r, "aws:lb/targetGroup:TargetGroup").state.arnSuffix,
    });
  });

  it("watches the layer's own cluster and service, with the auto scaling minimum as the running-task floor", () => {
    const running = alarm(r, "mlapi-svc-running-tasks-dev");
    const service = one(r, "aws:ecs/service:Service");
    expect(running.inputs).toMatchObject({
      namespace: "ECS/ContainerInsights",
      dimensions: { ClusterName: one(r, "aws:ecs/cluster:Cluster").state.name, ServiceName: service.inputs.name },
      comparisonOperator: "LessThanThreshold",
      threshold: 2,
      treatMissingData: "breaching",
    });
  });

  it("watches the web ACL the layer attaches to the ALB, by its metric name", () => {
    const acl = one(r, "aws:wafv2/webAcl:WebAcl");
    const queries = alarm(r, "mlapi-svc-waf-blocked-rate-dev").inputs.metricQueries as Array<{
      metric?: { dimensions: Record<string, string> };
    }>;
    for (const q of queries.filter((x) => x.metric)) {
      expect(q.metric?.dimensions).toEqual({
        WebACL: (acl.inputs.visibilityConfig as { metricName: string }).metricName,
        Region: REGION,
        Rule: "ALL",
      });
    }
  });

  it("makes the 5xx and unhealthy-host alarms the ECS service's deployment alarms, with rollback, and creates them first", () => {
    const service = one(r, "aws:ecs/service:Service");
    expect(service.inputs.alarms).toEqual({ alarmNames: DEPLOYMENT_ALARMS, enable: true, rollback: true });
    expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    // The names come from the alarm resources, so the service waits for them (ECS reads them on its first deployment).
    for (const name of DEPLOYMENT_ALARMS)
      expect(alarm(r, name).parent).toBe("mlapi:monitoring:ServiceAlarms::api-alarms");
    expect(ref(alarm(r, DEPLOYMENT_ALARMS[0]))).toBe(`${ALARM}::api-alarms-alb-5xx`);
  });

  it("re-exports what the edge's alarms and dashboard need from the data layer", () => {
    const data = dataOutputs("dev");
    expect(r.outputs).toMatchObject({
      alarmTopicArn: data.alarmTopicArn,
      rdsClusterIdentifier: data.rdsClusterIdentifier,
      sessionsTableName: data.sessionsTableName,
      wafWebAclMetricName: (one(r, "aws:wafv2/webAcl:WebAcl").inputs.visibilityConfig as { metricName: string })
        .metricName,
    });
  });
});

describe("service layer monitoring from config", () => {
  it("takes the thresholds and the running-task floor from config", async () => {
    const r = await render({
      "mlapi-service:alarmCpuPercent": 65,
      "mlapi-service:minCapacity": 3,
      "mlapi-service:desiredCount": 3,
    });
    expect(alarm(r, "mlapi-svc-cpu-dev").inputs.threshold).toBe(65);
    expect(alarm(r, "mlapi-svc-running-tasks-dev").inputs.threshold).toBe(3);
  });

  it("refuses a percentage above 100 before declaring anything", async () => {
    await expect(render({ "mlapi-service:alarmMemoryPercent": 120 })).rejects.toThrow(
      'mlapi-service:alarmMemoryPercent = "120": must be a number >= 0, <= 100',
    );
  });
});
