import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * The security group CloudFront creates in a VPC with its first VPC origin there, and puts on the
 * network interfaces it reaches origins through. Traffic from a VPC origin arrives from those
 * interfaces, so the origin admits this group (not the VPC's CIDR). CloudFront deletes it after the
 * last VPC origin of the VPC; it must not be edited.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html
 */
export const CLOUDFRONT_VPC_ORIGINS_SECURITY_GROUP = "CloudFront-VPCOrigins-Service-SG";

export interface ApiVpcOriginArgs {
  /** Base of the VPC origin's name (e.g. `mlapi-api-origin-dev`); a digest of its settings is appended. */
  name: string;
  /** ARN of the internal ALB (service output `originAlbArn`). */
  loadBalancerArn: pulumi.Input<string>;
  /** `https` when the ALB listens on 443 with a certificate, else `http` (service output `originProtocol`). */
  protocol: pulumi.Input<"https" | "http">;
  /** The ALB's one listener port (service output `originPort`): 443 or 80. */
  port: pulumi.Input<number>;
  /** The VPC of the ALB (service output `originVpcId`), where CloudFront's security group appears. */
  vpcId: pulumi.Input<string>;
  /** The ALB's security group (service output `originSecurityGroupId`), which gets the one ingress rule. */
  albSecurityGroupId: pulumi.Input<string>;
}

/**
 * A CloudFront VPC origin for the internal ALB (R11), and the ALB's only ingress: from the
 * security group CloudFront puts on the VPC origin's network interfaces, on the listener's port.
 * Nothing outside this account's VPC origins can send a packet to the ALB: it has no public address,
 * and a VPC origin can be created only in the VPC's own account.
 *
 * Lifecycle: AWS takes minutes to deploy or delete a VPC origin (Pulumi waits). A VPC origin cannot be
 * changed while a distribution uses it, so every change replaces it (a new one is created, the
 * distribution moves to it, the old one is deleted; the digest in the name keeps the two apart). The
 * ALB cannot be deleted while a VPC origin points at it, so the edge layer goes before the service.
 */
export class ApiVpcOrigin extends pulumi.ComponentResource {
  readonly vpcOrigin: aws.cloudfront.VpcOrigin;
  /** The ALB's ingress rule from CloudFront's VPC-origin security group. */
  readonly ingress: aws.vpc.SecurityGroupIngressRule;
  /** Id to put in the distribution origin's `vpcOriginConfig`. */
  readonly vpcOriginId: pulumi.Output<string>;

  constructor(name: string, args: ApiVpcOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:ApiVpcOrigin", name, {}, opts);
    const protocol = pulumi.output(args.protocol);
    const endpoint = pulumi.all([args.loadBalancerArn, protocol, args.port]).apply(([arn, p, port]) => {
      const policy = p === "https" ? "https-only" : "http-only";
      const digest = createHash("sha256").update(`${arn}|${policy}|${port}`).digest("hex").slice(0, 8);
      return {
        name: `${args.name}-${digest}`,
        arn,
        httpPort: p === "https" ? 80 : port,
        httpsPort: p === "https" ? port : 443,
        originProtocolPolicy: policy,
        originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
      };
    });
    this.vpcOrigin = new aws.cloudfront.VpcOrigin(
      `${name}-vpc-origin`,
      { vpcOriginEndpointConfig: endpoint },
      // UpdateVpcOrigin fails (409) while a distribution uses the origin: replace instead, new one first.
      { parent: this, replaceOnChanges: ["vpcOriginEndpointConfig"] },
    );

    // The group exists once the VPC origin does: look it up after it, in the ALB's VPC.
    const cloudFrontGroup = aws.ec2.getSecurityGroupOutput(
      { name: CLOUDFRONT_VPC_ORIGINS_SECURITY_GROUP, vpcId: args.vpcId },
      { parent: this, dependsOn: [this.vpcOrigin] },
    );
    this.ingress = new aws.vpc.SecurityGroupIngressRule(
      `${name}-alb-from-vpc-origin`,
      {
        securityGroupId: args.albSecurityGroupId,
        referencedSecurityGroupId: cloudFrontGroup.id,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: pulumi.interpolate`CloudFront VPC origin, ${protocol.apply((p) => p.toUpperCase())} ${args.port}`,
      },
      // Also orders destroy: the rule goes before the VPC origin, so CloudFront can delete its group.
      { parent: this, dependsOn: [this.vpcOrigin] },
    );
    this.vpcOriginId = this.vpcOrigin.id;
    this.registerOutputs({ vpcOriginId: this.vpcOriginId, vpcOriginArn: this.vpcOrigin.arn });
  }
}
