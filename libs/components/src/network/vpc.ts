import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { planSubnets } from "./subnet-plan";

/** R1: one public and one private subnet in each of three availability zones. */
export const AZ_COUNT = 3;

export interface VpcArgs {
  naming: Naming;
  /** IPv4 range of the VPC. @default VPC_DEFAULTS.cidrBlock */
  cidrBlock?: string;
  /**
   * NAT gateways: 1 (all private subnets share the one in the first AZ; cheap, one AZ is a single
   * point of failure for egress) or one per AZ (3). @default VPC_DEFAULTS.natGateways
   */
  natGateways?: 1 | 3;
}

/** Defaults of the optional arguments, in one place; the network layer's config reads them. */
export const VPC_DEFAULTS = { cidrBlock: "10.0.0.0/16", natGateways: 1 } as const;

/**
 * VPC with public subnets behind an internet gateway and private subnets whose default route goes
 * through NAT, one route table per private subnet so a NAT per AZ is a config change, not a
 * redesign. The default security group is adopted and stripped of its rules (R4).
 */
export class Vpc extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnets: aws.ec2.Subnet[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly natGateways: aws.ec2.NatGateway[];
  readonly publicRouteTable: aws.ec2.RouteTable;
  readonly privateRouteTables: aws.ec2.RouteTable[];

  constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:network:Vpc", name, {}, opts);
    const cidrBlock = args.cidrBlock ?? VPC_DEFAULTS.cidrBlock;
    const natCount = args.natGateways ?? VPC_DEFAULTS.natGateways;
    const n = args.naming;
    const plan = planSubnets(cidrBlock, AZ_COUNT);

    // Looked up at deploy time: AZ names differ per account, so they are never written down.
    const zones = aws.getAvailabilityZonesOutput(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { parent: this },
    );
    this.availabilityZones = zones.names.apply((names) => {
      if (names.length < AZ_COUNT) {
        throw new Error(`The region has ${names.length} available availability zones; the network needs ${AZ_COUNT}.`);
      }
      return names.slice(0, AZ_COUNT);
    });
    const az = (i: number) => this.availabilityZones.apply((names) => names[i]);

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: n.name("vpc") } },
      { parent: this },
    );
    this.vpcId = this.vpc.id;

    // --- default security group: adopted with no rules, so nothing can use it by accident ---
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: this.vpc.id, tags: { Name: n.name("default-sg") } },
      { parent: this },
    );

    // --- public side ---
    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: this.vpc.id, tags: { Name: n.name("igw") } },
      { parent: this },
    );
    this.publicRouteTable = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: this.vpc.id, tags: { Name: n.name("public-rt") } },
      { parent: this },
    );
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: this.publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
      { parent: this },
    );
    this.publicSubnets = plan.publicCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i + 1}`,
        {
          vpcId: this.vpc.id,
          cidrBlock: cidr,
          availabilityZone: az(i),
          // Only the ALB and NAT live here, and both get their addresses explicitly.
          mapPublicIpOnLaunch: false,
          tags: { Name: n.name(`public-${i + 1}`), Tier: "public" },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i + 1}-rta`,
        { subnetId: subnet.id, routeTableId: this.publicRouteTable.id },
        { parent: this },
      );
      return subnet;
    });

    // --- NAT: one shared, or one per AZ ---
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(
        `${name}-nat-${i + 1}-eip`,
        { domain: "vpc", tags: { Name: n.name(`nat-${i + 1}-eip`) } },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-${i + 1}`,
        { allocationId: eip.id, subnetId: this.publicSubnets[i].id, tags: { Name: n.name(`nat-${i + 1}`) } },
        { parent: this, dependsOn: [igw] },
      );
    });

    // --- private side: a route table per AZ, default route to that AZ's NAT (or the shared one) ---
    this.privateRouteTables = [];
    this.privateSubnets = plan.privateCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i + 1}`,
        {
          vpcId: this.vpc.id,
          cidrBlock: cidr,
          availabilityZone: az(i),
          mapPublicIpOnLaunch: false,
          tags: { Name: n.name(`private-${i + 1}`), Tier: "private" },
        },
        { parent: this },
      );
      const routeTable = new aws.ec2.RouteTable(
        `${name}-private-${i + 1}-rt`,
        { vpcId: this.vpc.id, tags: { Name: n.name(`private-${i + 1}-rt`) } },
        { parent: this },
      );
      new aws.ec2.Route(
        `${name}-private-${i + 1}-default`,
        {
          routeTableId: routeTable.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: this.natGateways[i % natCount].id,
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i + 1}-rta`,
        { subnetId: subnet.id, routeTableId: routeTable.id },
        { parent: this },
      );
      this.privateRouteTables.push(routeTable);
      return subnet;
    });

    this.registerOutputs({
      vpcId: this.vpcId,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnets.map((s) => s.id),
      privateSubnetIds: this.privateSubnets.map((s) => s.id),
    });
  }
}
