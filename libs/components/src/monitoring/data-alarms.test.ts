import type { RenderResult } from "@mlapi/testing";
import { one, renderProgram } from "@mlapi/testing";
import { Naming } from "@mlapi/core";
import { DataAlarms, SESSION_TABLE_OPERATIONS } from "./data-alarms";
import { alarmNamed, alarmsOf, mathOf, singleMetric } from "../../tests/monitoring/alarm-query";
import { renderMonitoring } from "../../tests/monitoring/render";

const MIB = 1024 * 1024;

describe("DataAlarms with default thresholds", () => {
  let r: RenderResult;
  let cluster: Record<string, string>;
  let tableName: string;
  let topicArn: string;
  beforeAll(async () => {
    r = await renderMonitoring();
    cluster = { DBClusterIdentifier: String(one(r, "aws:rds/cluster:Cluster").state.clusterIdentifier) };
    tableName = String(one(r, "aws:dynamodb/table:Table").state.name);
    topicArn = String(r.outputs.alarmTopicArn);
  });

  it("declares six alarms on the cluster and the sessions table, notifying the regional topic on ALARM and OK", () => {
    const alarms = alarmsOf(r, "mlapi:monitoring:DataAlarms::data");
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual(
      [
        "mlapi-data-aurora-acu-test",
        "mlapi-data-aurora-cpu-test",
        "mlapi-data-aurora-memory-test",
        "mlapi-data-aurora-connections-test",
        "mlapi-data-sessions-throttles-test",
        "mlapi-data-sessions-system-errors-test",
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.inputs).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
  });

  it.each([
    ["mlapi-data-aurora-acu-test", "ACUUtilization", "Maximum", "GreaterThanThreshold", 90, 3, "missing"],
    ["mlapi-data-aurora-cpu-test", "CPUUtilization", "Maximum", "GreaterThanThreshold", 80, 3, "missing"],
    ["mlapi-data-aurora-memory-test", "FreeableMemory", "Minimum", "LessThanThreshold", 256 * MIB, 3, "breaching"],
    ["mlapi-data-aurora-connections-test", "DatabaseConnections", "Maximum", "GreaterThanThreshold", 150, 2, "missing"],
  ])(
    "%s watches AWS/RDS %s (%s) of the cluster",
    (name, metricName, statistic, comparison, threshold, periods, missing) => {
      const alarm = alarmNamed(r, name);
      expect(singleMetric(alarm)).toEqual({
        namespace: "AWS/RDS",
        metricName,
        dimensions: cluster,
        statistic,
        extendedStatistic: undefined,
        period: 300,
      });
      expect(alarm.inputs).toMatchObject({
        comparisonOperator: comparison,
        threshold,
        evaluationPeriods: periods,
        treatMissingData: missing,
      });
    },
  );

  it("names the ACU ceiling the utilization is measured against", () => {
    expect(alarmNamed(r, "mlapi-data-aurora-acu-test").inputs.alarmDescription).toMatch(/of its 2-ACU maximum/);
  });

  it.each([
    ["mlapi-data-sessions-throttles-test", "ThrottledRequests"],
    ["mlapi-data-sessions-system-errors-test", "SystemErrors"],
  ])(
    "%s sums %s over every item operation of the sessions table (the metric exists per operation only)",
    (name, metricName) => {
      const alarm = alarmNamed(r, name);
      const math = mathOf(alarm);
      expect(math.expression).toBe("SUM([op0, op1, op2, op3, op4, op5, op6])");
      expect(Object.values(math.metrics)).toEqual(
        SESSION_TABLE_OPERATIONS.map((Operation) => ({
          namespace: "AWS/DynamoDB",
          metricName,
          dimensions: { TableName: tableName, Operation },
          stat: "Sum",
          period: 300,
        })),
      );
      expect(alarm.inputs).toMatchObject({
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      });
    },
  );
});

describe("DataAlarms with thresholds from config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await renderMonitoring({
      alarmAcuUtilizationPercent: 75,
      alarmDbCpuPercent: 60,
      alarmDbFreeableMemoryMib: 512,
      alarmDbConnections: 300,
      alarmDynamoThrottledRequests: 5,
      alarmDynamoSystemErrors: 2,
    });
  });

  it.each([
    ["mlapi-data-aurora-acu-test", 75],
    ["mlapi-data-aurora-cpu-test", 60],
    ["mlapi-data-aurora-memory-test", 512 * MIB],
    ["mlapi-data-aurora-connections-test", 300],
    ["mlapi-data-sessions-throttles-test", 5],
    ["mlapi-data-sessions-system-errors-test", 2],
  ])("%s uses threshold %d", (name, threshold) => {
    expect(alarmNamed(r, name).inputs.threshold).toBe(threshold);
  });
});

describe("DataAlarms arguments", () => {
  const render = (tableOperations: string[]) =>
    renderProgram({
      project: "mlapi-test",
      stack: "test",
      config: { "aws:region": "us-east-1" },
      load: async () => {
        new DataAlarms("data", {
          naming: new Naming("test"),
          topicArn: "arn:aws:sns:us-east-1:123456789012:t",
          clusterIdentifier: "db",
          maxCapacityAcu: 2,
          sessionsTableName: "sessions",
          tableOperations,
        });
        return {};
      },
    });

  it("refuses more operations than one alarm may sum (10 metrics per alarm)", async () => {
    await expect(render(Array.from({ length: 10 }, (_, i) => `Op${i}`))).rejects.toThrow(
      "DataAlarms data: tableOperations must list 1 to 9 operations, got 10.",
    );
  });

  it("sums only the operations it is given", async () => {
    const r = await render(["GetItem", "PutItem"]);
    expect(mathOf(alarmNamed(r, "mlapi-data-sessions-throttles-test")).expression).toBe("SUM([op0, op1])");
  });
});
