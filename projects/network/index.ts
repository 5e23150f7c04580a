// Network layer (mlapi-network): the VPC the platform runs in: 3 public and 3 private subnets in
// 3 AZs, internet and NAT egress, S3/DynamoDB gateway endpoints, encrypted flow logs and the
// alb/app/db security groups. Reads no upstream stack; data and service read its outputs.
import type { LayerOutputs, NetworkOutputs } from "@mlapi/core";
import { startLayer } from "@mlapi/core";
import { FlowLogs, GatewayEndpoints, LogsKey, SecurityGroups, Vpc } from "@mlapi/components";
import { loadConfig } from "./src/config";

const cfg = loadConfig();
const { naming } = startLayer("network", cfg.environmentSuffix, cfg);
const flowLogGroupName = naming.logGroupName("vpc-flow-logs");

const vpc = new Vpc("network", { naming, cidrBlock: cfg.vpcCidr, natGateways: cfg.natGateways });
const privateRouteTableIds = vpc.privateRouteTables.map((rt) => rt.id);
new GatewayEndpoints("endpoints", { naming, vpcId: vpc.vpcId, routeTableIds: privateRouteTableIds });
const logsKey = new LogsKey("network-logs", {
  aliasName: `alias/${naming.name("network-logs")}`,
  description: `VPC flow logs of mlapi ${cfg.environmentSuffix}`,
  logGroupNames: [flowLogGroupName],
});
new FlowLogs("flow-logs", {
  naming,
  vpcId: vpc.vpcId,
  logGroupName: flowLogGroupName,
  kmsKeyArn: logsKey.keyArn,
  permissionsBoundaryName: cfg.permissionsBoundary,
});
const securityGroups = new SecurityGroups("sg", { naming, vpcId: vpc.vpcId, appPort: cfg.appPort });

const outputs: LayerOutputs<NetworkOutputs> = {
  vpcId: vpc.vpcId,
  vpcCidr: vpc.vpc.cidrBlock,
  availabilityZones: vpc.availabilityZones,
  publicSubnetIds: vpc.publicSubnets.map((s) => s.id),
  privateSubnetIds: vpc.privateSubnets.map((s) => s.id),
  privateRouteTableIds,
  albSecurityGroupId: securityGroups.alb.id,
  appSecurityGroupId: securityGroups.app.id,
  dbSecurityGroupId: securityGroups.db.id,
  appPort: cfg.appPort,
  natGatewayCount: cfg.natGateways,
};
export = outputs;
