import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

/** Defaults of the scaling settings, in one place; the service layer's config reads them. */
export const SERVICE_SCALING_DEFAULTS = {
  minCapacity: 2,
  maxCapacity: 10,
  requestsPerTarget: 1000,
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
  /** Names the scaling policy `mlapi-api-requests-<suffix>`. */
  naming: Naming;
  /**
   * Requests per target per minute the policy keeps the service at.
   * @default SERVICE_SCALING_DEFAULTS.requestsPerTarget
   */
  requestsPerTarget?: number;
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

/** Application Auto Scaling for the ECS service: target tracking on ALB requests per target (R13). */
export class ServiceScaling extends pulumi.ComponentResource {
  readonly target: aws.appautoscaling.Target;
  readonly policy: aws.appautoscaling.Policy;

  constructor(name: string, args: ServiceScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ServiceScaling", name, {}, opts);
    const d = SERVICE_SCALING_DEFAULTS;
    const minCapacity = args.minCapacity ?? d.minCapacity;
    const maxCapacity = args.maxCapacity ?? d.maxCapacity;
    if (minCapacity > maxCapacity)
      throw new Error(`${name}: minCapacity ${minCapacity} exceeds maxCapacity ${maxCapacity}`);
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
          scaleInCooldown: args.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds,
          scaleOutCooldown: args.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds,
        },
      },
      { parent: this, dependsOn: [this.target] },
    );
    this.registerOutputs({ resourceId: this.target.resourceId });
  }
}
