import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import type * as aws from "../aws";
import { CLOUDFRONT_REGION } from "../edge/cloudfront-region";
import type { SetAlarmSpec } from "./alarm";
import { AlarmSet, wafBlockedRateAlarm } from "./alarm";
import type { EdgeAlarmThresholds } from "./thresholds";
import { EDGE_ALARM_RULES, thresholdDefaults } from "./thresholds";

export interface EdgeAlarmsArgs {
  naming: Naming;
  /**
   * Alarm topic in us-east-1: an alarm's actions must be a topic in the alarm's own region, and
   * CloudFront and CLOUDFRONT-scope WAF metrics exist only in us-east-1.
   */
  topicArn: pulumi.Input<string>;
  /** CloudFront distribution id, the DistributionId dimension. */
  distributionId: pulumi.Input<string>;
  /** `visibilityConfig.metricName` of the CLOUDFRONT-scope web ACL: the WebACL dimension. */
  webAclMetricName: pulumi.Input<string>;
  /**
   * Thresholds; read them from config with `readEdgeAlarmConfig`.
   * @default the defaults of EDGE_ALARM_RULES
   */
  thresholds?: Partial<EdgeAlarmThresholds>;
  /**
   * Region of the alarms (per-resource `region`): where CloudFront's metrics are.
   * @default "us-east-1"
   */
  region?: string;
}

const BASES = {
  cloudFront5xxRate: "edge-cf-5xx-rate",
  cloudFrontErrorRate: "edge-cf-error-rate",
  wafBlockedRate: "edge-waf-blocked-rate",
} as const;

export type EdgeAlarmKey = keyof typeof BASES;

const MINUTE = 60;

/**
 * Whether the edge needs an alarm topic of its own in CloudFront's region: its alarms live where
 * CloudFront's metrics are, and an alarm can only notify a topic in its own region. In a stack
 * already in that region the regional topic serves. An unknown region (not in stack config) gets a
 * topic of its own: a spare topic is harmless, alarms that cannot notify are not.
 */
/**
 * A CloudFront error-rate alarm (`5xxErrorRate` or `TotalErrorRate`, percent) that judges only
 * minutes with at least `minRequests` requests: 1 error of 3 requests is 33 %, noise rather than an
 * outage. The service and WAF rate alarms use the same floor (`alarmMinRequestsForRates`).
 */
export function cloudFrontErrorRateAlarm(s: {
  metricName: "5xxErrorRate" | "TotalErrorRate";
  dimensions: Record<string, pulumi.Input<string>>;
  percent: number;
  minRequests: number;
  evaluationPeriods: number;
  label: string;
  description: string;
}): SetAlarmSpec {
  const cloudFront = (metricName: string, stat: string) => ({
    namespace: "AWS/CloudFront",
    metricName,
    dimensions: s.dimensions,
    stat,
  });
  return {
    description: s.description,
    math: {
      expression: `IF(requests >= ${s.minRequests}, FILL(rate, 0), 0)`,
      label: s.label,
      metrics: { rate: cloudFront(s.metricName, "Average"), requests: cloudFront("Requests", "Sum") },
    },
    comparison: "GreaterThanThreshold",
    threshold: s.percent,
    period: MINUTE,
    evaluationPeriods: s.evaluationPeriods,
    // CloudFront publishes only minutes with requests: no traffic, no rate to judge.
    treatMissingData: "notBreaching",
  };
}

export function edgeNeedsOwnAlarmTopic(stackRegion: string | undefined): boolean {
  return stackRegion !== CLOUDFRONT_REGION;
}

/**
 * CloudFront and edge-WAF alarms. Their metrics live only in us-east-1, where every alarm is
 * placed with the per-resource `region` input (the stack's provider creates them).
 */
export class EdgeAlarms extends pulumi.ComponentResource {
  readonly alarms: Record<EdgeAlarmKey, aws.cloudwatch.MetricAlarm>;
  readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: EdgeAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:monitoring:EdgeAlarms", name, {}, opts);
    const t: EdgeAlarmThresholds = { ...thresholdDefaults(EDGE_ALARM_RULES), ...args.thresholds };
    const region = args.region ?? CLOUDFRONT_REGION;
    const alarmSet = new AlarmSet(name, BASES, { naming: args.naming, topicArn: args.topicArn, parent: this, region });
    // CloudFront is global: its metrics carry Region=Global, whatever region they are read in.
    const distribution = { DistributionId: args.distributionId, Region: "Global" };
    const n = t.evaluationPeriods;
    const minReq = t.minRequestsForRates;

    this.alarms = {
      cloudFront5xxRate: alarmSet.declare(
        "cloudFront5xxRate",
        cloudFrontErrorRateAlarm({
          metricName: "5xxErrorRate",
          dimensions: distribution,
          percent: t.cloudFront5xxRatePercent,
          minRequests: minReq,
          evaluationPeriods: n,
          label: "CloudFront 5xx rate (%)",
          description: `More than ${t.cloudFront5xxRatePercent}% of CloudFront responses are 5xx for ${n} min (at ${minReq}+ requests/min). First: the service alarms (origin down?) and then the origin's TLS/DNS.`,
        }),
      ),
      cloudFrontErrorRate: alarmSet.declare(
        "cloudFrontErrorRate",
        cloudFrontErrorRateAlarm({
          metricName: "TotalErrorRate",
          dimensions: distribution,
          percent: t.cloudFrontTotalErrorRatePercent,
          minRequests: minReq,
          evaluationPeriods: n,
          label: "CloudFront 4xx + 5xx rate (%)",
          description: `More than ${t.cloudFrontTotalErrorRatePercent}% of CloudFront responses are 4xx or 5xx for ${n} min (at ${minReq}+ requests/min). First: which status dominates (a client release calling a removed path, or WAF blocks).`,
        }),
      ),
      wafBlockedRate: alarmSet.declare(
        "wafBlockedRate",
        wafBlockedRateAlarm({
          acl: "The edge web ACL",
          meaning: "an attack, or the IP-reputation/rate rules hitting real clients",
          // A CLOUDFRONT-scope web ACL publishes without the Region dimension (regional ACLs carry it).
          dimensions: { WebACL: args.webAclMetricName, Rule: "ALL" },
          percent: t.wafBlockedRatePercent,
          minRequests: minReq,
          evaluationPeriods: n,
        }),
      ),
    };

    this.alarmArns = alarmSet.arns();
    this.registerOutputs({ alarmArns: this.alarmArns });
  }
}
