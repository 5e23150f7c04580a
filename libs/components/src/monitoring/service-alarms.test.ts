import { Naming } from "@mlapi/core";
import type { RenderResult } from "@mlapi/testing";
import { one, renderProgram } from "@mlapi/testing";
import { DEPLOYMENT_ALARM_KEYS, ServiceAlarms, serviceDeploymentAlarmNames } from "./service-alarms";
import { alarmNamed, alarmsOf, mathOf, singleMetric } from "../../tests/monitoring/alarm-query";
import { renderMonitoring, STACK_REGION } from "../../tests/monitoring/render";

describe("ServiceAlarms with default thresholds", () => {
  let r: RenderResult;
  let dims: {
    lb: Record<string, string>;
    tg: Record<string, string>;
    ecs: Record<string, string>;
    waf: Record<string, string>;
    api: Record<string, string>;
  };
  let topicArn: string;
  beforeAll(async () => {
    r = await renderMonitoring();
    const alb = one(r, "aws:lb/loadBalancer:LoadBalancer").state;
    const tg = one(r, "aws:lb/targetGroup:TargetGroup").state;
    const lb = { LoadBalancer: String(alb.arnSuffix) };
    dims = {
      lb,
      tg: { ...lb, TargetGroup: String(tg.arnSuffix) },
      ecs: {
        ClusterName: String(one(r, "aws:ecs/cluster:Cluster").state.name),
        ServiceName: String(one(r, "aws:ecs/service:Service").state.name),
      },
      waf: { WebACL: "mlapiApiTest", Region: STACK_REGION, Rule: "ALL" },
      // the API's EMF metrics carry the ECS service name as their `service` dimension
      api: { service: String(one(r, "aws:ecs/service:Service").state.name) },
    };
    topicArn = String(r.outputs.alarmTopicArn);
  });

  it("declares the nine service alarms, all inside the component", () => {
    expect(
      alarmsOf(r, "mlapi:monitoring:ServiceAlarms::service")
        .map((a) => a.inputs.name)
        .sort(),
    ).toEqual(
      [
        "mlapi-svc-alb-5xx-test",
        "mlapi-svc-target-5xx-rate-test",
        "mlapi-svc-latency-p95-test",
        "mlapi-svc-inference-p95-test",
        "mlapi-svc-unhealthy-hosts-test",
        "mlapi-svc-cpu-test",
        "mlapi-svc-memory-test",
        "mlapi-svc-running-tasks-test",
        "mlapi-svc-waf-blocked-rate-test",
      ].sort(),
    );
  });

  it("builds dimensions from the real ALB and target group arn suffixes, not their ARNs or names", () => {
    expect(dims.tg.LoadBalancer).toMatch(/^app\/mlapi-alb-test\/[0-9a-f]{16}$/);
    expect(dims.tg.TargetGroup).toMatch(/^targetgroup\/mlapi-api-test\/[0-9a-f]{16}$/);
  });

  it.each([
    [
      "mlapi-svc-alb-5xx-test",
      "AWS/ApplicationELB",
      "HTTPCode_ELB_5XX_Count",
      "lb",
      { statistic: "Sum" },
      "GreaterThanThreshold",
      10,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-latency-p95-test",
      "AWS/ApplicationELB",
      "TargetResponseTime",
      "tg",
      { extendedStatistic: "p95" },
      "GreaterThanThreshold",
      3,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-inference-p95-test",
      "MlApi",
      "inferenceMs",
      "api",
      { extendedStatistic: "p95" },
      "GreaterThanThreshold",
      150,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-unhealthy-hosts-test",
      "AWS/ApplicationELB",
      "UnHealthyHostCount",
      "tg",
      { statistic: "Maximum" },
      "GreaterThanThreshold",
      0,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-cpu-test",
      "AWS/ECS",
      "CPUUtilization",
      "ecs",
      { statistic: "Average" },
      "GreaterThanThreshold",
      80,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-memory-test",
      "AWS/ECS",
      "MemoryUtilization",
      "ecs",
      { statistic: "Average" },
      "GreaterThanThreshold",
      85,
      3,
      "notBreaching",
    ],
    [
      "mlapi-svc-running-tasks-test",
      "ECS/ContainerInsights",
      "RunningTaskCount",
      "ecs",
      { statistic: "Average" },
      "LessThanThreshold",
      2,
      3,
      "breaching",
    ],
  ] as const)(
    "%s watches %s %s with the right dimensions, statistic, threshold, periods and missing-data rule",
    (name, namespace, metricName, dimKey, stat, comparison, threshold, periods, missing) => {
      const alarm = alarmNamed(r, name);
      expect(singleMetric(alarm)).toEqual({
        namespace,
        metricName,
        dimensions: dims[dimKey],
        statistic: undefined,
        extendedStatistic: undefined,
        period: 60,
        ...stat,
      });
      expect(alarm.inputs).toMatchObject({
        comparisonOperator: comparison,
        threshold,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: missing,
      });
    },
  );

  it("computes the target 5xx rate from 5xx count and request count of the target group, quiet below 20 requests a minute", () => {
    const alarm = alarmNamed(r, "mlapi-svc-target-5xx-rate-test");
    expect(mathOf(alarm)).toEqual({
      // 503 overloaded refusals (the API's EMF `shed`, per service) do not count: no rollback over a load spike
      expression: "IF(requests >= 20, 100 * (FILL(errors, 0) - FILL(shed, 0)) / requests, 0)",
      metrics: {
        errors: {
          namespace: "AWS/ApplicationELB",
          metricName: "HTTPCode_Target_5XX_Count",
          dimensions: dims.tg,
          stat: "Sum",
          period: 60,
        },
        shed: {
          namespace: "MlApi",
          metricName: "shed",
          dimensions: dims.api,
          stat: "Sum",
          period: 60,
        },
        requests: {
          namespace: "AWS/ApplicationELB",
          metricName: "RequestCount",
          dimensions: dims.tg,
          stat: "Sum",
          period: 60,
        },
      },
    });
    expect(alarm.inputs).toMatchObject({
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    });
    expect(alarm.inputs.namespace).toBeUndefined();
  });

  it("computes the WAF blocked rate from the regional web ACL's allowed and blocked requests", () => {
    const alarm = alarmNamed(r, "mlapi-svc-waf-blocked-rate-test");
    const math = mathOf(alarm);
    expect(math.expression).toBe(
      "IF((FILL(allowed, 0) + FILL(blocked, 0)) >= 20, 100 * FILL(blocked, 0) / (FILL(allowed, 0) + FILL(blocked, 0)), 0)",
    );
    expect(math.metrics).toEqual({
      allowed: { namespace: "AWS/WAFV2", metricName: "AllowedRequests", dimensions: dims.waf, stat: "Sum", period: 60 },
      blocked: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: dims.waf, stat: "Sum", period: 60 },
    });
    expect(alarm.inputs).toMatchObject({ threshold: 25, treatMissingData: "notBreaching" });
  });

  it("notifies the regional topic on ALARM and on OK, and never on INSUFFICIENT_DATA", () => {
    for (const alarm of alarmsOf(r, "mlapi:monitoring:ServiceAlarms::service")) {
      expect(alarm.inputs).toMatchObject({ actionsEnabled: true, alarmActions: [topicArn], okActions: [topicArn] });
      expect(alarm.inputs.insufficientDataActions).toBeUndefined();
    }
  });

  it("exposes the 5xx and unhealthy-host alarms as the ECS deployment alarms, named as the pure function names them", () => {
    const names = ["mlapi-svc-alb-5xx-test", "mlapi-svc-target-5xx-rate-test", "mlapi-svc-unhealthy-hosts-test"];
    expect(r.outputs.deploymentAlarmNames).toEqual(names);
    expect(serviceDeploymentAlarmNames(new Naming("test"))).toEqual(names);
    expect(DEPLOYMENT_ALARM_KEYS).toEqual(["alb5xx", "target5xxRate", "unhealthyHosts"]);
  });
});

describe("ServiceAlarms with thresholds from config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await renderMonitoring({
      alarmAlb5xxPerMinute: 25,
      alarmTarget5xxRatePercent: 2,
      alarmTargetP95Seconds: 1.5,
      alarmInferenceP95Ms: 80,
      alarmUnhealthyHostMinutes: 4,
      alarmCpuPercent: 70,
      alarmMemoryPercent: 90,
      alarmWafBlockedRatePercent: 40,
      alarmMinRequestsForRates: 100,
      alarmEvaluationPeriods: 5,
    });
  });

  it.each([
    ["mlapi-svc-alb-5xx-test", 25, 5],
    ["mlapi-svc-target-5xx-rate-test", 2, 5],
    ["mlapi-svc-latency-p95-test", 1.5, 5],
    ["mlapi-svc-inference-p95-test", 80, 5],
    ["mlapi-svc-unhealthy-hosts-test", 0, 4],
    ["mlapi-svc-cpu-test", 70, 5],
    ["mlapi-svc-memory-test", 90, 5],
    ["mlapi-svc-running-tasks-test", 2, 5],
    ["mlapi-svc-waf-blocked-rate-test", 40, 5],
  ])("%s uses threshold %d over %d periods", (name, threshold, periods) => {
    expect(alarmNamed(r, name).inputs).toMatchObject({ threshold, evaluationPeriods: periods });
  });

  it("moves the request floor of the rate alarms", () => {
    expect(mathOf(alarmNamed(r, "mlapi-svc-target-5xx-rate-test")).expression).toBe(
      "IF(requests >= 100, 100 * (FILL(errors, 0) - FILL(shed, 0)) / requests, 0)",
    );
    expect(mathOf(alarmNamed(r, "mlapi-svc-waf-blocked-rate-test")).expression).toMatch(/>= 100, /);
  });
});

describe("ServiceAlarms for a service allowed to scale to zero", () => {
  const render = (minRunningTasks: number) =>
    renderProgram({
      project: "mlapi-test",
      stack: "test",
      config: { "aws:region": STACK_REGION },
      load: async () => {
        const alarms = new ServiceAlarms("service", {
          naming: new Naming("test"),
          topicArn: "arn:aws:sns:eu-west-1:123456789012:t",
          albArnSuffix: "app/a/1",
          targetGroupArnSuffix: "targetgroup/t/1",
          clusterName: "c",
          serviceName: "s",
          webAclMetricName: "w",
          minRunningTasks,
        });
        return { deploymentAlarmNames: alarms.deploymentAlarmNames };
      },
    });

  it("declares no running-tasks alarm (it would page forever), but keeps the deployment alarms", async () => {
    const r = await render(0);
    expect(alarmsOf(r, "mlapi:monitoring:ServiceAlarms::service").map((a) => a.inputs.name)).not.toContain(
      "mlapi-svc-running-tasks-test",
    );
    expect(alarmsOf(r, "mlapi:monitoring:ServiceAlarms::service")).toHaveLength(8);
    expect(r.outputs.deploymentAlarmNames).toEqual(serviceDeploymentAlarmNames(new Naming("test")));
  });

  it("refuses a negative minimum", async () => {
    await expect(render(-1)).rejects.toThrow(
      "ServiceAlarms service: minRunningTasks must be a whole number >= 0, got -1.",
    );
  });
});
