import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

/** One CloudWatch metric: namespace, name, exact dimension set and statistic. */
export interface MetricSpec {
  namespace: string;
  metricName: string;
  /** CloudWatch matches a metric by its exact dimension set: a missing or extra dimension finds no data. */
  dimensions: Record<string, pulumi.Input<string>>;
  /** A plain statistic (`Sum`, `Average`, `Maximum`, `Minimum`) or a percentile (`p95`). */
  stat: string;
}

/**
 * What `treatMissingData` does with a period without data. Every alarm chooses one with a reason:
 * `notBreaching` where the metric only exists when something happens (5xx counts, throttles),
 * `breaching` where silence itself means trouble (no running tasks reported), `missing` where
 * a gap should show as INSUFFICIENT_DATA without paging.
 */
export type MissingData = "notBreaching" | "breaching" | "missing" | "ignore";

export type Comparison =
  "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** A metric-math alarm: named input metrics (ids start with a lowercase letter) and one expression. */
export interface MathSpec {
  expression: string;
  label: string;
  metrics: Record<string, MetricSpec>;
}

export interface AlarmSpec {
  /** Base of the physical name: `mlapi-<base>-<suffix>`. */
  base: string;
  /** What it means and what to do first; shown in the console and in every notification. */
  description: string;
  comparison: Comparison;
  threshold: number;
  /** Seconds per datapoint; a multiple of 60. */
  period: number;
  evaluationPeriods: number;
  /** Breaching datapoints within `evaluationPeriods` that trip the alarm. @default evaluationPeriods */
  datapointsToAlarm?: number;
  treatMissingData: MissingData;
  /** Exactly one of `metric` and `math`. */
  metric?: MetricSpec;
  math?: MathSpec;
}

export interface AlarmContext {
  naming: Naming;
  /** SNS topic notified on ALARM and on the way back to OK (same region as the alarm). */
  topicArn: pulumi.Input<string>;
  parent: pulumi.Resource;
  /** Region of the alarm (per-resource `region`); @default the provider's (the stack's). */
  region?: string;
}

const PERCENTILE = /^p\d{1,2}(\.\d+)?$/;

/** The physical name of an alarm; a pure function so a service can list its deployment alarms up front. */
export function alarmName(naming: Naming, base: string): string {
  return naming.name(base);
}

/**
 * Declares one CloudWatch metric alarm whose ALARM and OK transitions both notify the topic, so
 * on-call hears when a problem starts and when it ends. INSUFFICIENT_DATA does not notify: the
 * per-alarm `treatMissingData` decides what silence means instead.
 */
export function declareAlarm(logicalName: string, spec: AlarmSpec, ctx: AlarmContext): aws.cloudwatch.MetricAlarm {
  if ((spec.metric === undefined) === (spec.math === undefined)) {
    throw new Error(`Alarm ${spec.base} needs exactly one of metric and math.`);
  }
  const common = {
    name: alarmName(ctx.naming, spec.base),
    alarmDescription: spec.description,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
    actionsEnabled: true,
    alarmActions: [ctx.topicArn],
    okActions: [ctx.topicArn],
    region: ctx.region,
  };
  let metricArgs: Partial<aws.cloudwatch.MetricAlarmArgs>;
  if (spec.metric) {
    const m = spec.metric;
    metricArgs = {
      namespace: m.namespace,
      metricName: m.metricName,
      dimensions: m.dimensions,
      period: spec.period,
      // A percentile is an extended statistic; the API rejects it in `statistic`.
      ...(PERCENTILE.test(m.stat) ? { extendedStatistic: m.stat } : { statistic: m.stat }),
    };
  } else {
    const math = spec.math as MathSpec;
    metricArgs = {
      metricQueries: [
        { id: "e1", expression: math.expression, label: math.label, returnData: true },
        ...Object.entries(math.metrics).map(([id, m]) => ({
          id,
          returnData: false,
          metric: {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: m.dimensions,
            stat: m.stat,
            period: spec.period,
          },
        })),
      ],
    };
  }
  return new aws.cloudwatch.MetricAlarm(logicalName, { ...common, ...metricArgs }, { parent: ctx.parent });
}

/** An alarm of a set: its base comes from the set's table of bases. */
export type SetAlarmSpec = Omit<AlarmSpec, "base">;

/**
 * The skeleton the alarm sets (DataAlarms, ServiceAlarms, EdgeAlarms) share: every alarm by key, with
 * the physical name of its base (`mlapi-<base>-<suffix>`) and the logical name `<set>-<base less its
 * layer prefix>` (`api-alarms-alb-5xx` for `svc-alb-5xx`), notifying the set's topic.
 */
export class AlarmSet<K extends string> {
  private readonly declared: aws.cloudwatch.MetricAlarm[] = [];

  constructor(
    private readonly setName: string,
    private readonly bases: Record<K, string>,
    private readonly ctx: AlarmContext,
  ) {}

  declare(key: K, spec: SetAlarmSpec): aws.cloudwatch.MetricAlarm {
    const base = this.bases[key];
    const alarm = declareAlarm(`${this.setName}-${base.slice(base.indexOf("-") + 1)}`, { base, ...spec }, this.ctx);
    this.declared.push(alarm);
    return alarm;
  }

  /** The ARNs of every alarm declared so far, in declaration order. */
  arns(): pulumi.Output<string[]> {
    return pulumi.all(this.declared.map((a) => a.arn));
  }
}

export interface WafBlockedRateSpec {
  /** The web ACL, as the description names it ("The ALB's web ACL"). */
  acl: string;
  /** What a high share usually means for this ACL, for the description. */
  meaning: string;
  /** AWS/WAFV2 dimensions of the web ACL with Rule=ALL (the ACL-wide aggregate). */
  dimensions: Record<string, pulumi.Input<string>>;
  percent: number;
  minRequests: number;
  evaluationPeriods: number;
}

/**
 * Percentage of requests a web ACL blocks, 0 below `minRequests` per minute (a handful of scanner
 * requests must not page anyone). FILL: WAF publishes a metric only for minutes it counted something.
 */
export function wafBlockedRateAlarm(s: WafBlockedRateSpec): SetAlarmSpec {
  const waf = (metricName: string): MetricSpec => ({
    namespace: "AWS/WAFV2",
    metricName,
    dimensions: s.dimensions,
    stat: "Sum",
  });
  const total = "(FILL(allowed, 0) + FILL(blocked, 0))";
  return {
    description: `${s.acl} blocks more than ${s.percent}% of requests for ${s.evaluationPeriods} min (at ${s.minRequests}+ requests/min): ${s.meaning}. First: sampled requests of the top blocking rule.`,
    math: {
      expression: `IF(${total} >= ${s.minRequests}, 100 * FILL(blocked, 0) / ${total}, 0)`,
      label: `${s.acl} blocked rate (%)`,
      metrics: { allowed: waf("AllowedRequests"), blocked: waf("BlockedRequests") },
    },
    comparison: "GreaterThanThreshold",
    threshold: s.percent,
    period: 60,
    evaluationPeriods: s.evaluationPeriods,
    // WAF publishes only for minutes with requests: no traffic, nothing blocked.
    treatMissingData: "notBreaching",
  };
}
