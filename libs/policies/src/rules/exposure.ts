import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, read, refersTo, strings } from "../resource";
import { BUCKET_TYPES } from "./encryption";

export const rdsNotPublic: ResourceRule = {
  kind: "resource",
  name: "rds-not-public",
  description: "No RDS/Aurora instance is publicly accessible (R5): the database answers only inside the VPC.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (
      !["aws:rds/clusterInstance:ClusterInstance", "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"].includes(
        r.type,
      )
    )
      return [];
    return r.props["publiclyAccessible"] === true ? ["publiclyAccessible must be false."] : [];
  },
};

export const ecsNoPublicIp: ResourceRule = {
  kind: "resource",
  name: "ecs-no-public-ip",
  description: "ECS tasks get no public IP (R10): they sit in private subnets and leave through NAT.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:ecs/service:Service") return [];
    const network = isObject(r.props["networkConfiguration"]) ? r.props["networkConfiguration"] : {};
    return network["assignPublicIp"] === true ? ["networkConfiguration.assignPublicIp must be false."] : [];
  },
};

const OPEN = ["0.0.0.0/0", "::/0"];
const openIn = (rule: Record<string, unknown>) =>
  [...strings(rule["cidrBlocks"]), ...strings(rule["ipv6CidrBlocks"])].filter((c) => OPEN.includes(c));

/** Ingress from anywhere, in each of the three ways AWS lets one write it. */
function openIngress(r: PolicyResource): string[] {
  switch (r.type) {
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return [r.props["cidrIpv4"], r.props["cidrIpv6"]].filter(
        (c): c is string => typeof c === "string" && OPEN.includes(c),
      );
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
  description:
    "No security group admits 0.0.0.0/0 or ::/0 (STYLE: no security group defaults to the world); the internal ALB admits only CloudFront's VPC-origin security group.",
  enforcementLevel: "mandatory",
  validate(r) {
    return [...new Set(openIngress(r))].map(
      (cidr) => `ingress from ${cidr}; admit a security group or a managed prefix list (prefixListId) instead.`,
    );
  },
};

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock: StackRule = {
  kind: "stack",
  name: "s3-public-access-block",
  description:
    "Every S3 bucket has a public access block with all four settings true (R16): no ACL or policy can make it public.",
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

const ALB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const LISTENER_RULES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];

/** Whether `from.props[key]` names one of the ALB's security groups: by value, or (CrossGuard) computed from the same group. */
function onAlbGroup(from: PolicyResource, key: string, lb: PolicyResource): boolean {
  const value = read(from.props, key);
  if (typeof value === "string" && strings(read(lb.props, "securityGroups")).includes(value)) return true;
  const albGroups = lb.propertyDependencies?.["securityGroups"] ?? [];
  return (from.propertyDependencies?.[key] ?? []).some((urn) => albGroups.includes(urn));
}

/**
 * Sources on the ALB's security groups that other AWS customers (a managed prefix list such as
 * CloudFront's origin-facing one: every distribution of every account) or anyone (0.0.0.0/0) control.
 */
function sharedSources(resources: PolicyResource[], lb: PolicyResource): string[] {
  return resources.flatMap((r) => {
    switch (r.type) {
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        if (!onAlbGroup(r, "securityGroupId", lb)) return [];
        return [read(r.props, "prefixListId"), ...openIngress(r)].filter(
          (s): s is string => typeof s === "string" && s !== "",
        );
      case "aws:ec2/securityGroupRule:SecurityGroupRule":
        if (r.props["type"] !== "ingress" || !onAlbGroup(r, "securityGroupId", lb)) return [];
        return [...strings(r.props["prefixListIds"]), ...openIngress(r)];
      case "aws:ec2/securityGroup:SecurityGroup":
        if (
          !r.handles.some((h) => strings(read(lb.props, "securityGroups")).includes(h)) &&
          !(lb.propertyDependencies?.["securityGroups"] ?? []).includes(r.urn)
        ) {
          return [];
        }
        return objects(r.props["ingress"]).flatMap((rule) => [...strings(rule["prefixListIds"]), ...openIn(rule)]);
      default:
        return [];
    }
  });
}

const forwards = (actions: unknown) => objects(actions).some((a) => a["type"] === "forward" || isObject(a["forward"]));
const hasHeaderCondition = (rule: PolicyResource) =>
  objects(rule.props["conditions"]).some((c) => isObject(c["httpHeader"]));

export const albOriginExposure: StackRule = {
  kind: "stack",
  name: "alb-origin-not-shared",
  description:
    "An internet-facing ALB whose security group admits a managed prefix list (CloudFront's origin-facing list holds " +
    "every customer's distributions) or 0.0.0.0/0 forwards only on listener rules that require a secret header " +
    "(httpHeader condition); otherwise anyone's distribution reaches the targets around this stack's CloudFront and " +
    "WAF (R11). Prefer an internal ALB behind a CloudFront VPC origin.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const listeners = ofType(resources, ...LISTENERS);
    const rules = ofType(resources, ...LISTENER_RULES);
    return ofType(resources, ...ALB_TYPES)
      .filter(
        (lb) => lb.props["internal"] !== true && (lb.props["loadBalancerType"] ?? "application") === "application",
      )
      .flatMap((lb) => {
        const sources = [...new Set(sharedSources(resources, lb))];
        if (sources.length === 0) return [];
        const own = listeners.filter((l) => refersTo(l, "loadBalancerArn", lb));
        const onOwnListener = (rule: PolicyResource) => own.some((l) => refersTo(rule, "listenerArn", l));
        const open = [
          ...own
            .filter((l) => forwards(l.props["defaultActions"]))
            .map((l) => `listener ${l.name} forwards by default`),
          ...rules
            .filter((rule) => onOwnListener(rule) && forwards(rule.props["actions"]) && !hasHeaderCondition(rule))
            .map((rule) => `listener rule ${rule.name} forwards`),
        ];
        return open.map((what) => ({
          resource: lb,
          message:
            `internet-facing ALB admits ${sources.join(", ")} and ${what} without a secret-header condition: ` +
            "make the ALB internal behind a CloudFront VPC origin, or require an httpHeader condition on every forwarding rule.",
        }));
      });
  },
};
