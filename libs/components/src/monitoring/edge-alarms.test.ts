import type { RenderResult } from "@mlapi/testing";
import { MOCK_ACCOUNT_ID, one } from "@mlapi/testing";
import { edgeNeedsOwnAlarmTopic } from "./edge-alarms";
import { alarmNamed, alarmsOf, mathOf } from "../../tests/monitoring/alarm-query";
import { renderMonitoring } from "../../tests/monitoring/render";

describe("EdgeAlarms with default thresholds", () => {
  let r: RenderResult;
  let distributionId: string;
  beforeAll(async () => {
    r = await renderMonitoring();
    distributionId = one(r, "aws:cloudfront/distribution:Distribution").id;
  });

  const edgeAlarms = () => alarmsOf(r, "mlapi:monitoring:EdgeAlarms::edge");

  it("declares its alarms in us-east-1, where CloudFront metrics live, through the provider it is given", () => {
    expect(
      edgeAlarms()
        .map((a) => a.inputs.name)
        .sort(),
    ).toEqual(["mlapi-edge-cf-5xx-rate-test", "mlapi-edge-cf-error-rate-test", "mlapi-edge-waf-blocked-rate-test"]);
    for (const alarm of edgeAlarms()) expect(alarm.provider).toMatch(/::cloudfront-region::/);
  });

  it("notifies the us-east-1 topic: an alarm's actions must be in the alarm's own region", () => {
    const topicArn = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT_ID}:mlapi-edge-alarms-test`;
    expect(r.outputs.edgeAlarmTopicArn).toBe(topicArn);
    for (const alarm of edgeAlarms())
      expect(alarm.inputs).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
  });

  it.each([
    ["mlapi-edge-cf-5xx-rate-test", "5xxErrorRate", 5],
    ["mlapi-edge-cf-error-rate-test", "TotalErrorRate", 15],
  ])(
    "%s watches AWS/CloudFront %s of the distribution (Region=Global), 0 below 20 requests/min",
    (name, metricName, threshold) => {
      const alarm = alarmNamed(r, name);
      const dimensions = { DistributionId: distributionId, Region: "Global" };
      expect(mathOf(alarm).expression).toBe("IF(requests >= 20, FILL(rate, 0), 0)");
      expect(mathOf(alarm).metrics).toEqual({
        rate: { namespace: "AWS/CloudFront", metricName, dimensions, stat: "Average", period: 60 },
        requests: { namespace: "AWS/CloudFront", metricName: "Requests", dimensions, stat: "Sum", period: 60 },
      });
      expect(alarm.inputs).toMatchObject({
        comparisonOperator: "GreaterThanThreshold",
        threshold,
        evaluationPeriods: 5,
        treatMissingData: "notBreaching",
      });
    },
  );

  it("computes the edge WAF blocked rate without a Region dimension (CLOUDFRONT-scope web ACLs publish none)", () => {
    const alarm = alarmNamed(r, "mlapi-edge-waf-blocked-rate-test");
    const dimensions = { WebACL: "mlapiEdgeTest", Rule: "ALL" };
    expect(mathOf(alarm).metrics).toEqual({
      allowed: { namespace: "AWS/WAFV2", metricName: "AllowedRequests", dimensions, stat: "Sum", period: 60 },
      blocked: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions, stat: "Sum", period: 60 },
    });
    expect(alarm.inputs).toMatchObject({ threshold: 25, evaluationPeriods: 5, treatMissingData: "notBreaching" });
  });
});

describe("EdgeAlarms with thresholds from config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await renderMonitoring({
      alarmCloudFront5xxRatePercent: 1,
      alarmCloudFrontTotalErrorRatePercent: 30,
      alarmEdgeWafBlockedRatePercent: 60,
      alarmMinRequestsForRates: 100,
    });
  });

  it.each(["mlapi-edge-cf-5xx-rate-test", "mlapi-edge-cf-error-rate-test", "mlapi-edge-waf-blocked-rate-test"])(
    "%s judges only minutes with alarmMinRequestsForRates (100) requests",
    (name) => {
      expect(mathOf(alarmNamed(r, name)).expression).toMatch(/^IF\(.* >= 100, /);
    },
  );

  it.each([
    ["mlapi-edge-cf-5xx-rate-test", 1],
    ["mlapi-edge-cf-error-rate-test", 30],
    ["mlapi-edge-waf-blocked-rate-test", 60],
  ])("%s uses threshold %d", (name, threshold) => {
    expect(alarmNamed(r, name).inputs.threshold).toBe(threshold);
  });
});

describe("edgeNeedsOwnAlarmTopic", () => {
  it.each([
    ["us-east-1", false],
    ["eu-west-1", true],
    ["us-east-2", true],
    [undefined, true],
  ])("in %s: %s", (region, needed) => {
    expect(edgeNeedsOwnAlarmTopic(region)).toBe(needed);
  });
});
