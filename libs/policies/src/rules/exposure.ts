import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, refersTo, strings } from "../resource";
import { BUCKET_TYPES } from "./encryption";

export const rdsNotPublic: ResourceRule = {
  kind: "resource",
  name: "rds-not-public",
  description: "No RDS/Aurora instance is publicly accessible (SPEC R5): the database answers only inside the VPC.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (!["aws:rds/clusterInstance:ClusterInstance", "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"].includes(r.type)) return [];
    return r.props["publiclyAccessible"] === true ? ["publiclyAccessible must be false."] : [];
  },
};

export const ecsNoPublicIp: ResourceRule = {
  kind: "resource",
  name: "ecs-no-public-ip",
  description: "ECS tasks get no public IP (SPEC R10): they sit in private subnets and leave through NAT.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:ecs/service:Service") return [];
    const network = isObject(r.props["networkConfiguration"]) ? r.props["networkConfiguration"] : {};
    return network["assignPublicIp"] === true ? ["networkConfiguration.assignPublicIp must be false."] : [];
  },
};

const OPEN = ["0.0.0.0/0", "::/0"];
const openIn = (rule: Record<string, unknown>) => [...strings(rule["cidrBlocks"]), ...strings(rule["ipv6CidrBlocks"])].filter((c) => OPEN.includes(c));

/**
 * Ingress from anywhere, in each of the three ways AWS lets one write it. The ALB's CloudFront rule
 * names the origin-facing managed prefix list (prefixListId), so it is precise by construction.
 */
function openIngress(r: PolicyResource): string[] {
  switch (r.type) {
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return [r.props["cidrIpv4"], r.props["cidrIpv6"]].filter((c): c is string => typeof c === "string" && OPEN.includes(c));
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      return r.props["type"] === "ingress" ? openIn(r.props) : [];
    case "aws:ec2/securityGroup:SecurityGroup":
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
      return objects(r.props["ingress"]).flatMap(openIn);
    default:
      return [];
  }
}

export const securityGroupNoOpenIngress: ResourceRule = {
  kind: "resource",
  name: "sg-no-open-ingress",
  description: "No security group admits 0.0.0.0/0 or ::/0 (STYLE: no security group defaults to the world); the ALB admits only CloudFront's origin-facing prefix list.",
  enforcementLevel: "mandatory",
  validate(r) {
    return [...new Set(openIngress(r))].map((cidr) => `ingress from ${cidr}; admit a security group or a managed prefix list (prefixListId) instead.`);
  },
};

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock: StackRule = {
  kind: "stack",
  name: "s3-public-access-block",
  description: "Every S3 bucket has a public access block with all four settings true (SPEC R16): no ACL or policy can make it public.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const blocks = ofType(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    return ofType(resources, ...BUCKET_TYPES).flatMap((bucket) => {
      const block = blocks.find((b) => refersTo(b, "bucket", bucket));
      if (!block) return [{ resource: bucket, message: "no BucketPublicAccessBlock for this bucket in the stack." }];
      const off = BLOCK_FLAGS.filter((flag) => block.props[flag] !== true);
      return off.length > 0 ? [{ resource: block, message: `${off.join(", ")} must be true.` }] : [];
    });
  },
};
