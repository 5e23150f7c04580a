import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

/**
 * Defaults of the scaling settings, in one place; the service layer's config reads them.
 * cpuTargetPercent: a request is not a unit of work (a batch carries up to 16 images), so requests
 * per target alone never scale out under batch load. 1000 requests/min (16.7/s) is well below a
 * task's measured single-image peak (apps/ml-api/benchmarks/capacity.json, per core of the machine
 * that ran the benchmark; `npm run cost -- --rpm <n>` prints what it means in tasks), so single-image
 * traffic scales on requests before the CPU target, and batch traffic on CPU.
 */
export const SERVICE_SCALING_DEFAULTS = {
  minCapacity: 2,
  maxCapacity: 10,
  requestsPerTarget: 1000,
  cpuTargetPercent: 70,
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
} as const;

export interface ServiceScalingArgs {
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** The ECS service; the scalable target must not exist before it. */
  service: pulumi.Resource;
  /** @default SERVICE_SCALING_DEFAULTS.minCapacity */
  minCapacity?: number;
  /** @default SERVICE_SCALING_DEFAULTS.maxCapacity */
  maxCapacity?: number;
  /** `<alb arnSuffix>/<target group arnSuffix>` (see requestCountResourceLabel). */
  resourceLabel: pulumi.Input<string>;
  /** Names the scaling policies `mlapi-api-requests-<suffix>` and `mlapi-api-cpu-<suffix>`. */
  naming: Naming;
  /**
   * Requests per target per minute the policy keeps the service at.
   * @default SERVICE_SCALING_DEFAULTS.requestsPerTarget
   */
  requestsPerTarget?: number;
  /**
   * Average CPU utilization (percent of the task's CPU) the second policy keeps the service at.
   * @default SERVICE_SCALING_DEFAULTS.cpuTargetPercent
   */
  cpuTargetPercent?: number;
  /**
   * Seconds after a scale-in before the next (slow: a removed task is lost capacity).
   * @default SERVICE_SCALING_DEFAULTS.scaleInCooldownSeconds
   */
  scaleInCooldownSeconds?: number;
  /**
   * Seconds after a scale-out before the next (fast: traffic is waiting).
   * @default SERVICE_SCALING_DEFAULTS.scaleOutCooldownSeconds
   */
  scaleOutCooldownSeconds?: number;
}

/** The label ALBRequestCountPerTarget needs: both ARN suffixes, joined by a slash. */
export function requestCountResourceLabel(
  albArnSuffix: pulumi.Input<string>,
  targetGroupArnSuffix: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.interpolate`${albArnSuffix}/${targetGroupArnSuffix}`;
}

/**
 * Application Auto Scaling for the ECS service (R13): target tracking on ALB requests per target and
 * on average CPU. With several target tracking policies Application Auto Scaling scales out when any
 * of them asks and in only when all do
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-multiple-scaling-policies),
 * so the CPU policy adds capacity for heavy requests without removing any the request policy wants.
 */
export class ServiceScaling extends pulumi.ComponentResource {
  readonly target: aws.appautoscaling.Target;
  /** Target tracking on ALBRequestCountPerTarget. */
  readonly policy: aws.appautoscaling.Policy;
  /** Target tracking on ECSServiceAverageCPUUtilization. */
  readonly cpuPolicy: aws.appautoscaling.Policy;

  constructor(name: string, args: ServiceScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ServiceScaling", name, {}, opts);
    const d = SERVICE_SCALING_DEFAULTS;
    const minCapacity = args.minCapacity ?? d.minCapacity;
    const maxCapacity = args.maxCapacity ?? d.maxCapacity;
    if (minCapacity > maxCapacity)
      throw new Error(`${name}: minCapacity ${minCapacity} exceeds maxCapacity ${maxCapacity}`);
    const cpuTarget = args.cpuTargetPercent ?? d.cpuTargetPercent;
    if (!(cpuTarget > 0 && cpuTarget <= 100))
      throw new Error(`${name}: cpuTargetPercent ${cpuTarget} is not a percentage above 0`);
    const cooldowns = {
      scaleInCooldown: args.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds,
      scaleOutCooldown: args.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds,
    };
    this.target = new aws.appautoscaling.Target(
      `${name}-target`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
        minCapacity,
        maxCapacity,
      },
      { parent: this, dependsOn: [args.service] },
    );
    this.policy = new aws.appautoscaling.Policy(
      `${name}-requests`,
      {
        name: args.naming.name("api-requests"),
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.target.serviceNamespace,
        scalableDimension: this.target.scalableDimension,
        resourceId: this.target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: args.requestsPerTarget ?? d.requestsPerTarget,
          predefinedMetricSpecification: {
            predefinedMetricType: "ALBRequestCountPerTarget",
            resourceLabel: args.resourceLabel,
          },
          ...cooldowns,
        },
      },
      { parent: this, dependsOn: [this.target] },
    );
    this.cpuPolicy = new aws.appautoscaling.Policy(
      `${name}-cpu`,
      {
        name: args.naming.name("api-cpu"),
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.target.serviceNamespace,
        scalableDimension: this.target.scalableDimension,
        resourceId: this.target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: cpuTarget,
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ...cooldowns,
        },
      },
      { parent: this, dependsOn: [this.target] },
    );
    this.registerOutputs({ resourceId: this.target.resourceId });
  }
}
