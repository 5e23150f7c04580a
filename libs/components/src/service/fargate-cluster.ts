import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { EncryptedLogGroup } from "../logging";

/** A capacity-provider strategy entry, as ECS takes it. */
export interface CapacityProviderWeight {
  capacityProvider: "FARGATE" | "FARGATE_SPOT";
  weight: number;
  base?: number;
}

/** The default split, in one place (the service layer's config reads it): 7:3 Spot, no on-demand base. */
export const CAPACITY_STRATEGY_DEFAULTS = { spotWeight: 7, onDemandWeight: 3, onDemandBase: 0 } as const;

/**
 * The FARGATE_SPOT/FARGATE split as a strategy: `spotWeight : onDemandWeight` of the tasks beyond
 * `onDemandBase` land on each (7:3 → 70 % Spot). Zero-weight providers are left out.
 */
export function capacityProviderStrategy(
  spotWeight: number,
  onDemandWeight: number,
  onDemandBase: number = CAPACITY_STRATEGY_DEFAULTS.onDemandBase,
): CapacityProviderWeight[] {
  const strategy: CapacityProviderWeight[] = [];
  if (spotWeight > 0) strategy.push({ capacityProvider: "FARGATE_SPOT", weight: spotWeight });
  // ECS allows a base on one provider only; it goes to on-demand, so the first tasks never wait for Spot.
  if (onDemandWeight > 0 || onDemandBase > 0) {
    strategy.push({
      capacityProvider: "FARGATE",
      weight: onDemandWeight,
      ...(onDemandBase > 0 ? { base: onDemandBase } : {}),
    });
  }
  return strategy;
}

/** The cluster's name, `mlapi-cluster-<suffix>`; the layer needs it before the cluster exists, for the logs key. */
export function fargateClusterName(naming: Naming): string {
  return naming.name("cluster", "ecsCluster");
}

/** The log group Container Insights writes a cluster's performance events to (a name ECS fixes). */
export function containerInsightsLogGroupName(clusterName: string): string {
  return `/aws/ecs/containerinsights/${clusterName}/performance`;
}

export interface FargateClusterArgs {
  /** Names the cluster (fargateClusterName). */
  naming: Naming;
  /** Default strategy for tasks started without one (the service passes its own). */
  defaultStrategy: CapacityProviderWeight[];
  /** Key of the Container Insights log group; its policy must admit that group (see LogsKey). */
  logsKmsKeyArn: pulumi.Input<string>;
}

/**
 * An ECS cluster with Container Insights and the FARGATE and FARGATE_SPOT capacity providers (R9).
 * Container Insights writes to `/aws/ecs/containerinsights/<cluster>/performance` and creates that
 * group itself when it is missing: unencrypted, never expiring and left behind by a destroy. The
 * component declares it first, with the platform's retention and key (R14), and the cluster
 * waits for it.
 */
export class FargateCluster extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  readonly insightsLogGroup: EncryptedLogGroup;
  /** The provider association; a service with a capacity-provider strategy must depend on it. */
  readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: FargateClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:FargateCluster", name, {}, opts);
    this.insightsLogGroup = new EncryptedLogGroup(
      `${name}-insights`,
      { name: containerInsightsLogGroupName(fargateClusterName(args.naming)), kmsKeyArn: args.logsKmsKeyArn },
      { parent: this },
    );
    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { name: fargateClusterName(args.naming), settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this, dependsOn: [this.insightsLogGroup] },
    );
    this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity-providers`,
      {
        clusterName: this.cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: args.defaultStrategy,
      },
      { parent: this },
    );
    this.name = this.cluster.name;
    this.arn = this.cluster.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
