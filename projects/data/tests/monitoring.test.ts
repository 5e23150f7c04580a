import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, NETWORK_OUTPUTS, ofType, one, programLoader, renderProgram } from "@mlapi/testing";

// The data layer owns the regional alarm topic (see docs/monitoring.md) and the alarms of its stores.
const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}, stack = "qa7") =>
  renderProgram({
    project: "mlapi-data",
    stack,
    config: { "aws:region": "eu-central-1", ...config },
    stackOutputs: { [`organization/mlapi-network/${stack}`]: { ...NETWORK_OUTPUTS } },
    load,
  });

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const alarm = (r: RenderResult, name: string) => {
  const found = ofType(r, ALARM).filter((a) => a.inputs.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe("data layer monitoring with default config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("creates the regional alarm topic with the suffix, on its own key, and exports its ARN", () => {
    const topic = one(r, "aws:sns/topic:Topic");
    expect(topic.inputs).toMatchObject({
      name: "mlapi-alarms-qa7",
      kmsMasterKeyId: one(r, "aws:kms/key:Key", "alarms-key").state.arn,
    });
    expect(r.outputs.alarmTopicArn).toBe(`arn:aws:sns:eu-central-1:${MOCK_ACCOUNT_ID}:mlapi-alarms-qa7`);
    expect(ofType(r, "aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
  });

  it("watches the layer's own cluster and table, with the configured ACU ceiling in the description", () => {
    const clusterId = one(r, "aws:rds/cluster:Cluster").state.clusterIdentifier;
    const acu = alarm(r, "mlapi-data-aurora-acu-qa7");
    expect(acu.inputs).toMatchObject({
      namespace: "AWS/RDS",
      metricName: "ACUUtilization",
      dimensions: { DBClusterIdentifier: clusterId },
      threshold: 90,
    });
    expect(acu.inputs.alarmDescription).toMatch(/2-ACU maximum/);
    const throttles = alarm(r, "mlapi-data-sessions-throttles-qa7");
    const tableNames = (throttles.inputs.metricQueries as Array<{ metric?: { dimensions: { TableName: string } } }>)
      .filter((q) => q.metric)
      .map((q) => q.metric?.dimensions.TableName);
    expect(new Set(tableNames)).toEqual(new Set([one(r, "aws:dynamodb/table:Table").state.name]));
  });

  it("sends every alarm to the topic on ALARM and OK", () => {
    const topicArn = r.outputs.alarmTopicArn;
    const alarms = ofType(r, ALARM);
    expect(alarms).toHaveLength(6);
    for (const a of alarms) expect(a.inputs).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
  });
});

describe("data layer monitoring from config", () => {
  it("subscribes alarmEmails and takes thresholds and the ACU ceiling from config", async () => {
    const r = await render({
      "mlapi-data:alarmEmails": ["oncall@example.com"],
      "mlapi-data:alarmAcuUtilizationPercent": 75,
      "mlapi-data:maxCapacity": 4,
    });
    expect(one(r, "aws:sns/topicSubscription:TopicSubscription").inputs).toMatchObject({
      protocol: "email",
      endpoint: "oncall@example.com",
    });
    const acu = alarm(r, "mlapi-data-aurora-acu-qa7");
    expect(acu.inputs.threshold).toBe(75);
    expect(acu.inputs.alarmDescription).toMatch(/4-ACU maximum/);
  });

  it("refuses a percentage above 100 and a bad subscription in one error, before declaring anything", async () => {
    await expect(render({ "mlapi-data:alarmDbCpuPercent": 150, "mlapi-data:alarmEmails": ["oncall"] })).rejects.toThrow(
      "Invalid configuration (2 problems):\n" +
        '  - mlapi-data:alarmEmails[0] = "oncall": must be an email address or an https:// URL\n' +
        '  - mlapi-data:alarmDbCpuPercent = "150": must be a number >= 0, <= 100',
    );
  });
});
