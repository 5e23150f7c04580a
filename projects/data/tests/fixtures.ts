import type { NetworkOutputs } from "@mlapi/core";

/** What a deployed network stack exports, as the data layer's tests feed it through the StackReference. */
export const NETWORK_OUTPUTS: NetworkOutputs = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  vpcCidr: "10.0.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  publicSubnetIds: ["subnet-0pub0a", "subnet-0pub0b", "subnet-0pub0c"],
  privateSubnetIds: ["subnet-0priv0a", "subnet-0priv0b", "subnet-0priv0c"],
  privateRouteTableIds: ["rtb-0a", "rtb-0b", "rtb-0c"],
  albSecurityGroupId: "sg-0alb",
  appSecurityGroupId: "sg-0app",
  dbSecurityGroupId: "sg-0db",
  appPort: 8080,
  natGatewayCount: 1,
};
