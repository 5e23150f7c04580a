import * as path from "node:path";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, ofType, one, programLoader, renderProgram } from "@mlapi/testing";

// The edge layer's alarms live in us-east-1 with CloudFront's metrics and notify a topic there;
// it also owns the environment's dashboard, built from its own and the service layer's outputs.
const load = programLoader(path.join(__dirname, "..", "index.ts"));
const STACK = "dev";
const REGIONAL_TOPIC = (region: string) => `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:mlapi-alarms-${STACK}`;
const serviceOutputs = (region: string) => ({
  albDnsName: `mlapi-alb-dev-1234567890.${region}.elb.amazonaws.com`,
  albZoneId: "Z32O12XQLNTSW2",
  albArnSuffix: "app/mlapi-alb-dev/0123456789abcdef",
  targetGroupArnSuffix: "targetgroup/mlapi-api-tg-dev-1a2b3c4/0123456789abcdef",
  originProtocol: "http",
  originDomainName: `mlapi-alb-dev-1234567890.${region}.elb.amazonaws.com`,
  originAlbArn: `arn:aws:elasticloadbalancing:${region}:${MOCK_ACCOUNT_ID}:loadbalancer/app/mlapi-alb-dev/0123456789abcdef`,
  originPort: 80,
  originVpcId: "vpc-0abc",
  originSecurityGroupId: "sg-alb",
  ecsClusterName: "mlapi-cluster-dev",
  ecsServiceName: "mlapi-api-dev",
  ecrRepositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/mlapi-api-dev`,
  apiImage: `${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/mlapi-api-dev:amd64-0123456789abcdef0123@sha256:${"0".repeat(64)}`,
  wafWebAclArn: `arn:aws:wafv2:${region}:${MOCK_ACCOUNT_ID}:regional/webacl/mlapi-alb-dev/00000000-0000-4000-a000-000000000000`,
  wafWebAclMetricName: "mlapi-alb-dev",
  serviceLogGroupName: "/mlapi/api-dev",
  albAccessLogsBucketName: "mlapi-alb-logs-dev-abc1234",
  alarmTopicArn: REGIONAL_TOPIC(region),
  rdsClusterIdentifier: "mlapi-db-dev",
  sessionsTableName: "mlapi-sessions-dev",
});
const render = (region: string, config: Record<string, unknown> = {}) =>
  renderProgram({
    project: "mlapi-edge",
    stack: STACK,
    config: { "aws:region": region, "mlapi-edge:allowDefaultCertificate": true, ...config },
    stackOutputs: { [`organization/mlapi-service/${STACK}`]: serviceOutputs(region) },
    load,
  });

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
/** In us-east-1 through the per-resource region input, created by the stack's own (default) provider. */
const onUsEast1 = (res: PlannedResource) =>
  res.inputs.region === "us-east-1" && (!res.provider || res.provider.includes("::pulumi:providers:aws::default"));

describe("edge layer monitoring in a stack outside us-east-1", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render("eu-west-1", { "mlapi-edge:alarmEmails": ["oncall@example.com"] });
  });

  it("creates its own alarm topic in us-east-1 (an alarm notifies only a topic of its own region), subscribed from config", () => {
    const topic = one(r, "aws:sns/topic:Topic");
    expect(topic.inputs.name).toBe("mlapi-edge-alarms-dev");
    expect(onUsEast1(topic)).toBe(true);
    // Its key admits CloudWatch alarms of us-east-1, where the alarms are, not of the stack's region.
    const key = one(r, "aws:kms/key:Key", "alarms-key");
    expect(onUsEast1(key)).toBe(true);
    expect(String(key.inputs.policy)).toContain(`arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:*`);
    expect(String(key.inputs.policy)).not.toContain("eu-west-1");
    expect(one(r, "aws:sns/topicSubscription:TopicSubscription").inputs).toMatchObject({
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("declares the CloudFront and edge-WAF alarms in us-east-1, on the distribution and web ACL of this layer, notifying that topic", () => {
    const alarms = ofType(r, ALARM);
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual([
      "mlapi-edge-cf-5xx-rate-dev",
      "mlapi-edge-cf-error-rate-dev",
      "mlapi-edge-waf-blocked-rate-dev",
    ]);
    const topicArn = one(r, "aws:sns/topic:Topic").state.arn;
    expect(topicArn).toBe(`arn:aws:sns:us-east-1:${MOCK_ACCOUNT_ID}:mlapi-edge-alarms-dev`);
    for (const a of alarms) {
      expect(onUsEast1(a)).toBe(true);
      expect(a.inputs).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
    }
    // metric math (a floor of alarmMinRequestsForRates requests): every input on the distribution, Region=Global
    const cf = alarms.find((a) => a.inputs.name === "mlapi-edge-cf-5xx-rate-dev");
    const queries = cf?.inputs.metricQueries as Array<{ metric?: { dimensions: unknown } }>;
    const inputs = queries.filter((q) => q.metric);
    expect(inputs).toHaveLength(2);
    for (const q of inputs)
      expect(q.metric?.dimensions).toEqual({
        DistributionId: one(r, "aws:cloudfront/distribution:Distribution").id,
        Region: "Global",
      });
  });

  it("builds one dashboard from the service layer's names and its own distribution, in the stack's region", () => {
    const dashboard = one(r, "aws:cloudwatch/dashboard:Dashboard");
    expect(dashboard.inputs.dashboardName).toBe("mlapi-api-dev");
    const body = String(dashboard.inputs.dashboardBody);
    const widgets = (JSON.parse(body) as { widgets: Array<{ properties: { region: string } }> }).widgets;
    expect(widgets.every((w) => w.properties.region === "eu-west-1")).toBe(true);
    const service = serviceOutputs("eu-west-1");
    for (const value of [
      service.albArnSuffix,
      service.targetGroupArnSuffix,
      service.ecsClusterName,
      service.ecsServiceName,
      service.wafWebAclMetricName,
      service.rdsClusterIdentifier,
      service.sessionsTableName,
      one(r, "aws:cloudfront/distribution:Distribution").id,
    ]) {
      expect(body).toContain(JSON.stringify(value));
    }
    expect(r.outputs.dashboardName).toBe("mlapi-api-dev");
  });
});

describe("edge layer monitoring in a us-east-1 stack", () => {
  it("needs no topic of its own: its alarms notify the regional topic the service layer re-exports", async () => {
    const r = await render("us-east-1");
    expect(ofType(r, "aws:sns/topic:Topic")).toEqual([]);
    for (const a of ofType(r, ALARM))
      expect(a.inputs).toMatchObject({
        alarmActions: [REGIONAL_TOPIC("us-east-1")],
        okActions: [REGIONAL_TOPIC("us-east-1")],
      });
  });

  it("refuses a bad threshold before declaring anything", async () => {
    await expect(render("us-east-1", { "mlapi-edge:alarmCloudFront5xxRatePercent": 101 })).rejects.toThrow(
      'mlapi-edge:alarmCloudFront5xxRatePercent = "101": must be a number >= 0, <= 100',
    );
  });
});
