import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

export interface GatewayEndpointsArgs {
  naming: Naming;
  vpcId: pulumi.Input<string>;
  /** Route tables that get the endpoint routes: the private ones, where the tasks and database live. */
  routeTableIds: pulumi.Input<string>[];
  /** AWS services reached through a gateway endpoint. @default ["s3", "dynamodb"] */
  services?: ("s3" | "dynamodb")[];
}

/**
 * Gateway endpoints keep S3 (ECR image layers) and DynamoDB (sessions) traffic off the NAT
 * gateway: free, faster, and it never leaves the AWS network (R3).
 */
export class GatewayEndpoints extends pulumi.ComponentResource {
  readonly endpoints: Record<string, aws.ec2.VpcEndpoint>;

  constructor(name: string, args: GatewayEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:network:GatewayEndpoints", name, {}, opts);
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.endpoints = Object.fromEntries(
      (args.services ?? ["s3", "dynamodb"]).map((service) => [
        service,
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: args.vpcId,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
            vpcEndpointType: "Gateway",
            routeTableIds: args.routeTableIds,
            tags: { Name: args.naming.name(`${service}-endpoint`) },
          },
          { parent: this },
        ),
      ]),
    );
    this.registerOutputs({});
  }
}
