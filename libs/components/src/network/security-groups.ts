import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

/** PostgreSQL's port; Aurora PostgreSQL listens here. */
export const POSTGRES_PORT = 5432;

/** Defaults of the optional arguments, in one place; the network layer's config reads them. */
export const SECURITY_GROUPS_DEFAULTS = { appPort: 8080 } as const;

export interface SecurityGroupsArgs {
  naming: Naming;
  vpcId: pulumi.Input<string>;
  /** Port the application container listens on; the ALB reaches the tasks on it. @default SECURITY_GROUPS_DEFAULTS.appPort */
  appPort?: number;
}

/**
 * The three security groups and only the rules between them: alb → app on the container port,
 * app → db on 5432, app → HTTPS for AWS APIs through NAT. The ALB has no ingress here: its one rule
 * is added by the edge layer, from the security group CloudFront creates with the edge's VPC origin
 * (which exists only once that VPC origin does), on the service's listener port.
 */
export class SecurityGroups extends pulumi.ComponentResource {
  readonly alb: aws.ec2.SecurityGroup;
  readonly app: aws.ec2.SecurityGroup;
  readonly db: aws.ec2.SecurityGroup;

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:network:SecurityGroups", name, {}, opts);
    const n = args.naming;
    // Groups are declared without inline rules (and the provider drops AWS's default allow-all
    // egress), so every rule below is its own resource and the groups never fight over them.
    const group = (role: string, description: string) =>
      new aws.ec2.SecurityGroup(
        `${name}-${role}`,
        {
          name: n.name(`${role}-sg`, "securityGroup"),
          description,
          vpcId: args.vpcId,
          tags: { Name: n.name(`${role}-sg`) },
        },
        { parent: this },
      );
    this.alb = group("alb", "Application load balancer: CloudFront in, app tasks out");
    this.app = group("app", "API tasks: ALB in; database and AWS APIs out");
    this.db = group("db", "Aurora PostgreSQL: API tasks in");

    const port = args.appPort ?? SECURITY_GROUPS_DEFAULTS.appPort;
    // --- alb ---
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-app`,
      {
        securityGroupId: this.alb.id,
        referencedSecurityGroupId: this.app.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: "To API tasks",
      },
      { parent: this },
    );
    // --- app ---
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-app-from-alb`,
      {
        securityGroupId: this.app.id,
        referencedSecurityGroupId: this.alb.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: "From the ALB",
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-app-to-db`,
      {
        securityGroupId: this.app.id,
        referencedSecurityGroupId: this.db.id,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: "To Aurora",
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-app-to-https`,
      {
        securityGroupId: this.app.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        // ECR, Secrets Manager, CloudWatch Logs and DynamoDB/S3 (via the gateway endpoints) are all HTTPS.
        description: "AWS APIs over HTTPS",
      },
      { parent: this },
    );
    // --- db ---
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-db-from-app`,
      {
        securityGroupId: this.db.id,
        referencedSecurityGroupId: this.app.id,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: "From API tasks",
      },
      { parent: this },
    );
    this.registerOutputs({
      albSecurityGroupId: this.alb.id,
      appSecurityGroupId: this.app.id,
      dbSecurityGroupId: this.db.id,
    });
  }
}
