import type { LayerContract } from "./contract";

/** Outputs of the network layer (mlapi-network). */
export interface NetworkOutputs {
  vpcId: string;
  vpcCidr: string;
  availabilityZones: string[];
  publicSubnetIds: string[];
  privateSubnetIds: string[];
  privateRouteTableIds: string[];
  albSecurityGroupId: string;
  appSecurityGroupId: string;
  dbSecurityGroupId: string;
  /** Port the app security group admits from the ALB; the service must listen on it. */
  appPort: number;
  natGatewayCount: number;
}

export const NETWORK: LayerContract<NetworkOutputs> = {
  layer: "network",
  project: "mlapi-network",
  outputNames: [
    "vpcId",
    "vpcCidr",
    "availabilityZones",
    "publicSubnetIds",
    "privateSubnetIds",
    "privateRouteTableIds",
    "albSecurityGroupId",
    "appSecurityGroupId",
    "dbSecurityGroupId",
    "appPort",
    "natGatewayCount",
  ],
  secretOutputNames: [],
};
