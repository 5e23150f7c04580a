import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import type * as aws from "../aws";
import { awsAccount } from "../logging";
import { AlarmSet, alarmName, wafBlockedRateAlarm } from "./alarm";
import type { ServiceAlarmThresholds } from "./thresholds";
import { SERVICE_ALARM_RULES, thresholdDefaults } from "./thresholds";

export interface ServiceAlarmsArgs {
  naming: Naming;
  /** Regional alarm topic (see AlarmTopic); ALARM and OK both notify it. */
  topicArn: pulumi.Input<string>;
  /** The ALB's `arnSuffix` (`app/<name>/<id>`), the LoadBalancer dimension. */
  albArnSuffix: pulumi.Input<string>;
  /** The target group's `arnSuffix` (`targetgroup/<name>/<id>`), the TargetGroup dimension. */
  targetGroupArnSuffix: pulumi.Input<string>;
  /** ECS cluster name, the ClusterName dimension. */
  clusterName: pulumi.Input<string>;
  /** ECS service name, the ServiceName dimension. */
  serviceName: pulumi.Input<string>;
  /** `visibilityConfig.metricName` of the REGIONAL web ACL on the ALB: the WebACL dimension of AWS/WAFV2. */
  webAclMetricName: pulumi.Input<string>;
  /**
   * Tasks the service must keep running (its auto scaling minimum); fewer alarms. 0 (a service
   * allowed to scale to zero) declares no running-tasks alarm.
   */
  minRunningTasks: number;
  /**
   * Thresholds; read them from config with `readServiceAlarmConfig`.
   * @default the defaults of SERVICE_ALARM_RULES
   */
  thresholds?: Partial<ServiceAlarmThresholds>;
}

/** Physical-name bases of the service alarms. */
const BASES = {
  alb5xx: "svc-alb-5xx",
  target5xxRate: "svc-target-5xx-rate",
  latencyP95: "svc-latency-p95",
  inferenceP95: "svc-inference-p95",
  unhealthyHosts: "svc-unhealthy-hosts",
  cpu: "svc-cpu",
  memory: "svc-memory",
  runningTasks: "svc-running-tasks",
  wafBlockedRate: "svc-waf-blocked-rate",
} as const;

export type ServiceAlarmKey = keyof typeof BASES;

/**
 * Where the API publishes its own metrics through the Embedded Metric Format (apps/ml-api/src/metrics.ts):
 * namespace and metric names as it emits them; the `service` dimension is the ECS service name,
 * which the task receives as METRICS_SERVICE.
 */
export const API_EMF = {
  namespace: "MlApi",
  serviceDimension: "service",
  inferenceMs: "inferenceMs",
  /** 1 per request refused as overloaded (503 with Retry-After): load shed, not a fault of the release. */
  shed: "shed",
} as const;

/** The alarms that make an ECS deployment fail and roll back: errors and unhealthy targets. */
export const DEPLOYMENT_ALARM_KEYS: readonly ServiceAlarmKey[] = ["alb5xx", "target5xxRate", "unhealthyHosts"];

/**
 * Names of the deployment alarms, known before any resource exists, for an ECS service declared
 * before its alarms (the alarms need the service's name as a dimension).
 */
export function serviceDeploymentAlarmNames(naming: Naming): string[] {
  return DEPLOYMENT_ALARM_KEYS.map((k) => alarmName(naming, BASES[k]));
}

const MINUTE = 60;

/**
 * The API's health alarms at the ALB, in ECS and at the regional WAF. Latency is alarmed overall:
 * all API paths share one target group, and ALB metrics have no per-path dimension, so a per
 * path-group p95 would need one target group per group.
 */
export class ServiceAlarms extends pulumi.ComponentResource {
  /** Every alarm by key; `runningTasks` is absent when `minRunningTasks` is 0. */
  readonly alarms: Partial<Record<ServiceAlarmKey, aws.cloudwatch.MetricAlarm>>;
  /** Alarm names for the ECS service's `deploymentConfiguration.alarms` (5xx and unhealthy hosts). */
  readonly deploymentAlarmNames: pulumi.Output<string[]>;
  readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: ServiceAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:monitoring:ServiceAlarms", name, {}, opts);
    const t: ServiceAlarmThresholds = { ...thresholdDefaults(SERVICE_ALARM_RULES), ...args.thresholds };
    if (!Number.isInteger(args.minRunningTasks) || args.minRunningTasks < 0) {
      throw new Error(
        `ServiceAlarms ${name}: minRunningTasks must be a whole number >= 0, got ${args.minRunningTasks}.`,
      );
    }
    const { region } = awsAccount(this);
    const alarmSet = new AlarmSet(name, BASES, { naming: args.naming, topicArn: args.topicArn, parent: this });
    const lb = { LoadBalancer: args.albArnSuffix };
    const tg = { LoadBalancer: args.albArnSuffix, TargetGroup: args.targetGroupArnSuffix };
    const ecs = { ClusterName: args.clusterName, ServiceName: args.serviceName };
    const alb = (metricName: string, dimensions: Record<string, pulumi.Input<string>>, stat: string) => ({
      namespace: "AWS/ApplicationELB",
      metricName,
      dimensions,
      stat,
    });
    const n = t.evaluationPeriods;
    const minReq = t.minRequestsForRates;

    this.alarms = {
      alb5xx: alarmSet.declare("alb5xx", {
        description: `More than ${t.alb5xxPerMinute} ALB-generated 5xx per minute for ${n} min: no healthy target answered (502/503/504). First: ECS events and target health.`,
        metric: alb("HTTPCode_ELB_5XX_Count", lb, "Sum"),
        comparison: "GreaterThanThreshold",
        threshold: t.alb5xxPerMinute,
        period: MINUTE,
        evaluationPeriods: n,
        // The metric is only published when a 5xx happens: no data means no errors.
        treatMissingData: "notBreaching",
      }),
      target5xxRate: alarmSet.declare("target5xxRate", {
        description: `More than ${t.target5xxRatePercent}% of API responses are 5xx other than 503 overloaded for ${n} min (at ${minReq}+ requests/min). First: application logs of the newest task definition.`,
        math: {
          // Below the volume floor the rate is 0: 1 failure of 2 requests is noise, not an outage.
          // Refusals under overload (the API's `shed` metric) are taken out: this is a deployment
          // alarm, and a load spike during a deploy must not roll back a good release (auto scaling
          // and the latency alarm answer for capacity).
          expression: `IF(requests >= ${minReq}, 100 * (FILL(errors, 0) - FILL(shed, 0)) / requests, 0)`,
          label: "Target 5xx rate without load shedding (%)",
          metrics: {
            errors: alb("HTTPCode_Target_5XX_Count", tg, "Sum"),
            shed: {
              namespace: API_EMF.namespace,
              metricName: API_EMF.shed,
              dimensions: { [API_EMF.serviceDimension]: args.serviceName },
              stat: "Sum",
            },
            requests: alb("RequestCount", tg, "Sum"),
          },
        },
        comparison: "GreaterThanThreshold",
        threshold: t.target5xxRatePercent,
        period: MINUTE,
        evaluationPeriods: n,
        // No requests in a minute means no rate to judge.
        treatMissingData: "notBreaching",
      }),
      latencyP95: alarmSet.declare("latencyP95", {
        description: `p95 target response time above ${t.targetP95Seconds} s for ${n} min (all API paths: one target group). First: CPU/memory of the service and Aurora load.`,
        metric: alb("TargetResponseTime", tg, "p95"),
        comparison: "GreaterThanThreshold",
        threshold: t.targetP95Seconds,
        period: MINUTE,
        evaluationPeriods: n,
        // No requests, no latency to judge.
        treatMissingData: "notBreaching",
      }),
      inferenceP95: alarmSet.declare("inferenceP95", {
        description: `p95 of the model's inference stage above ${t.inferenceP95Ms} ms for ${n} min (the API's own EMF metric, all routes). First: worker CPU (a noisy or too small task), the micro-batch sizes, a new model version.`,
        metric: {
          namespace: API_EMF.namespace,
          metricName: API_EMF.inferenceMs,
          dimensions: { [API_EMF.serviceDimension]: args.serviceName },
          stat: "p95",
        },
        comparison: "GreaterThanThreshold",
        threshold: t.inferenceP95Ms,
        period: MINUTE,
        evaluationPeriods: n,
        // No classifications, no inference time to judge.
        treatMissingData: "notBreaching",
      }),
      unhealthyHosts: alarmSet.declare("unhealthyHosts", {
        description: `At least one target failed its /health check for ${t.unhealthyHostMinutes} consecutive min. First: target health reasons and the task's container health check.`,
        metric: alb("UnHealthyHostCount", tg, "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: 0,
        period: MINUTE,
        evaluationPeriods: t.unhealthyHostMinutes,
        // A deployment alarm: before the first targets register there is no data, and that must not
        // fail (and roll back) the very first deployment; a service with no tasks is caught by
        // the running-tasks alarm instead.
        treatMissingData: "notBreaching",
      }),
      cpu: alarmSet.declare("cpu", {
        description: `ECS service CPU above ${t.cpuPercent}% for ${n} min although auto scaling should add tasks. First: is the service at its maximum task count?`,
        metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecs, stat: "Average" },
        comparison: "GreaterThanThreshold",
        threshold: t.cpuPercent,
        period: MINUTE,
        evaluationPeriods: n,
        // No tasks, no CPU data: the running-tasks alarm pages for that, not this one.
        treatMissingData: "notBreaching",
      }),
      memory: alarmSet.declare("memory", {
        description: `ECS service memory above ${t.memoryPercent}% for ${n} min: tasks are close to OOM kills. First: the model's memory footprint vs the task size.`,
        metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: ecs, stat: "Average" },
        comparison: "GreaterThanThreshold",
        threshold: t.memoryPercent,
        period: MINUTE,
        evaluationPeriods: n,
        // No tasks, no memory data: the running-tasks alarm pages for that.
        treatMissingData: "notBreaching",
      }),
      wafBlockedRate: alarmSet.declare(
        "wafBlockedRate",
        wafBlockedRateAlarm({
          acl: "The ALB's web ACL",
          meaning: "an attack, or a managed rule blocking real clients",
          // A regional web ACL publishes with the Region dimension; Rule=ALL is the ACL-wide aggregate.
          dimensions: { WebACL: args.webAclMetricName, Region: region, Rule: "ALL" },
          percent: t.wafBlockedRatePercent,
          minRequests: minReq,
          evaluationPeriods: n,
        }),
      ),
    };

    if (args.minRunningTasks > 0) {
      this.alarms.runningTasks = alarmSet.declare("runningTasks", {
        description: `Fewer than ${args.minRunningTasks} tasks running for ${n} min (Container Insights). First: ECS service events (Spot capacity, failing health checks, image pulls).`,
        metric: {
          namespace: "ECS/ContainerInsights",
          metricName: "RunningTaskCount",
          dimensions: ecs,
          stat: "Average",
        },
        comparison: "LessThanThreshold",
        threshold: args.minRunningTasks,
        period: MINUTE,
        evaluationPeriods: n,
        // Container Insights reports every minute while the service has tasks; silence means none are running.
        treatMissingData: "breaching",
      });
    }

    this.deploymentAlarmNames = pulumi.all(
      DEPLOYMENT_ALARM_KEYS.map((k) => (this.alarms[k] as aws.cloudwatch.MetricAlarm).name),
    );
    this.alarmArns = alarmSet.arns();
    this.registerOutputs({ deploymentAlarmNames: this.deploymentAlarmNames, alarmArns: this.alarmArns });
  }
}
