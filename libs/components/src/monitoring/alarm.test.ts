import { Naming } from "@mlapi/core";
import { ofType, renderProgram } from "@mlapi/testing";
import * as pulumi from "@pulumi/pulumi";
import type { SetAlarmSpec } from "./alarm";
import { AlarmSet } from "./alarm";

const spec: SetAlarmSpec = {
  description: "test",
  metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: "c" }, stat: "Average" },
  comparison: "GreaterThanThreshold",
  threshold: 80,
  period: 60,
  evaluationPeriods: 3,
  treatMissingData: "notBreaching",
};

class TestAlarms extends pulumi.ComponentResource {
  readonly alarmArns: pulumi.Output<string[]>;
  constructor(name: string) {
    super("test:monitoring:TestAlarms", name, {});
    const alarmSet = new AlarmSet(
      name,
      { cpu: "svc-cpu", memory: "svc-memory" },
      { naming: new Naming("dev"), topicArn: "arn:topic", parent: this },
    );
    alarmSet.declare("memory", spec);
    alarmSet.declare("cpu", spec);
    this.alarmArns = alarmSet.arns();
  }
}

describe("AlarmSet", () => {
  it("names each alarm from its base: mlapi-<base>-<suffix>, logically <set>-<base less its layer prefix>; ARNs in declaration order", async () => {
    const r = await renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => ({ arns: new TestAlarms("api-alarms").alarmArns }),
    });
    const alarms = ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((a) => [a.name, a.inputs.name])).toEqual([
      ["api-alarms-memory", "mlapi-svc-memory-dev"],
      ["api-alarms-cpu", "mlapi-svc-cpu-dev"],
    ]);
    expect(alarms[0].inputs).toMatchObject({ alarmActions: ["arn:topic"], okActions: ["arn:topic"] });
    expect(r.outputs.arns).toEqual(alarms.map((a) => a.state.arn));
  });
});
