import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, ofType, one, policyDocument } from "@mlapi/testing";
import { renderMonitoring, STACK_REGION } from "../../tests/monitoring/render";

const statement = (doc: unknown, sid: string) => {
  const found = policyDocument(doc).Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};
const childrenOf = (r: RenderResult, type: string, component: string) =>
  ofType(r, type).filter((res) => res.parent === `mlapi:monitoring:AlarmTopic::${component}`);
const only = (list: PlannedResource[]) => {
  expect(list).toHaveLength(1);
  return list[0];
};

describe("AlarmTopic", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await renderMonitoring({ alarmEmails: ["oncall@example.com", "https://hooks.example.com/services/T0/B0"] });
  });

  const key = (component = "alarms") => only(childrenOf(r, "aws:kms/key:Key", component));
  const topic = (component = "alarms") => only(childrenOf(r, "aws:sns/topic:Topic", component));

  it("names the topic with the suffix and encrypts it with its own rotating customer key", () => {
    expect(topic().inputs).toMatchObject({ name: "mlapi-alarms-test", kmsMasterKeyId: key().state.arn });
    expect(key().inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
    expect(one(r, "aws:kms/alias:Alias", "alarms-alias").inputs).toMatchObject({
      name: "alias/mlapi-alarms-test",
      targetKeyId: key().id,
    });
  });

  it("lets CloudWatch alarms of this account and region, and only those, use the key", () => {
    expect(statement(key().inputs.policy, "CloudWatchAlarmsPublishEncrypted")).toEqual({
      Sid: "CloudWatchAlarmsPublishEncrypted",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${STACK_REGION}:${MOCK_ACCOUNT_ID}:alarm:*` },
      },
    });
  });

  it("keeps the key administrable by the account root", () => {
    expect(statement(key().inputs.policy, "AccountAdministration")).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` },
      Action: "kms:*",
    });
    expect(policyDocument(key().inputs.policy).Statement).toHaveLength(2);
  });

  it("lets CloudWatch publish to the topic under the same conditions, and only over TLS", () => {
    const policy = only(childrenOf(r, "aws:sns/topicPolicy:TopicPolicy", "alarms"));
    const topicArn = topic().state.arn;
    expect(policy.inputs.arn).toBe(topicArn);
    expect(statement(policy.inputs.policy, "CloudWatchAlarmsPublish")).toEqual({
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${STACK_REGION}:${MOCK_ACCOUNT_ID}:alarm:*` },
      },
    });
    expect(statement(policy.inputs.policy, "DenyPublishWithoutTls")).toMatchObject({
      Effect: "Deny",
      Action: "sns:Publish",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("subscribes every configured endpoint with the protocol its form implies", () => {
    const subs = childrenOf(r, "aws:sns/topicSubscription:TopicSubscription", "alarms");
    expect(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic])).toEqual([
      ["email", "oncall@example.com", topic().state.arn],
      ["https", "https://hooks.example.com/services/T0/B0", topic().state.arn],
    ]);
  });

  it("exports the topic ARN", () => {
    expect(r.outputs.alarmTopicArn).toBe(`arn:aws:sns:${STACK_REGION}:${MOCK_ACCOUNT_ID}:mlapi-alarms-test`);
  });

  it("creates the edge's topic in us-east-1, with a key scoped to us-east-1 alarms, when given that provider", () => {
    expect(topic("edge-alarms").provider).toMatch(/cloudfront-region/);
    expect(key("edge-alarms").provider).toMatch(/cloudfront-region/);
    expect(r.outputs.edgeAlarmTopicArn).toBe(`arn:aws:sns:us-east-1:${MOCK_ACCOUNT_ID}:mlapi-edge-alarms-test`);
    expect(statement(key("edge-alarms").inputs.policy, "CloudWatchAlarmsPublishEncrypted")).toMatchObject({
      Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:*` } },
    });
    expect(childrenOf(r, "aws:sns/topicSubscription:TopicSubscription", "edge-alarms")).toHaveLength(0);
  });
});
