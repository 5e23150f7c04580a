import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** A capacity-provider strategy entry, as ECS takes it. */
export interface CapacityProviderWeight {
  capacityProvider: "FARGATE" | "FARGATE_SPOT";
  weight: number;
  base?: number;
}

/**
 * The FARGATE_SPOT/FARGATE split as a strategy: `spotWeight : onDemandWeight` of the tasks beyond
 * `onDemandBase` land on each (7:3 → 70 % Spot). Zero-weight providers are left out.
 */
export function capacityProviderStrategy(spotWeight: number, onDemandWeight: number, onDemandBase = 0): CapacityProviderWeight[] {
  const strategy: CapacityProviderWeight[] = [];
  if (spotWeight > 0) strategy.push({ capacityProvider: "FARGATE_SPOT", weight: spotWeight });
  // ECS allows a base on one provider only; it goes to on-demand, so the first tasks never wait for Spot.
  if (onDemandWeight > 0 || onDemandBase > 0) {
    strategy.push({ capacityProvider: "FARGATE", weight: onDemandWeight, ...(onDemandBase > 0 ? { base: onDemandBase } : {}) });
  }
  return strategy;
}

export interface FargateClusterArgs {
  /** Physical cluster name. */
  clusterName: string;
  /** Default strategy for tasks started without one (the service passes its own). */
  defaultStrategy: CapacityProviderWeight[];
}

/** An ECS cluster with Container Insights and the FARGATE and FARGATE_SPOT capacity providers (SPEC R9). */
export class FargateCluster extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  /** The provider association; a service with a capacity-provider strategy must depend on it. */
  readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: FargateClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:FargateCluster", name, {}, opts);
    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { name: args.clusterName, settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
    this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity-providers`,
      { clusterName: this.cluster.name, capacityProviders: ["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategies: args.defaultStrategy },
      { parent: this },
    );
    this.name = this.cluster.name;
    this.arn = this.cluster.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
