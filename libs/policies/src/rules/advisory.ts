import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, refersTo } from "../resource";

const isApplicationLb = (r: PolicyResource) =>
  ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"].includes(r.type) &&
  (r.props["loadBalancerType"] ?? "application") === "application";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

export const albAccessLogs: ResourceRule = {
  kind: "resource",
  name: "alb-access-logs",
  description:
    "Application load balancers write access logs to S3 (FSBP ELB.5), so requests can be traced after an incident.",
  enforcementLevel: "advisory",
  validate(r) {
    if (!isApplicationLb(r)) return [];
    const logs = isObject(r.props["accessLogs"]) ? r.props["accessLogs"] : {};
    return logs["enabled"] === true && typeof logs["bucket"] === "string" ? [] : ["accessLogs are not enabled."];
  },
};

export const cloudfrontLogging: StackRule = {
  kind: "stack",
  name: "cloudfront-logging",
  description:
    "CloudFront distributions log requests (FSBP CloudFront.5), by legacy loggingConfig or a CloudWatch log delivery source.",
  enforcementLevel: "advisory",
  validate(resources) {
    const sources = ofType(resources, "aws:cloudwatch/logDeliverySource:LogDeliverySource");
    return ofType(resources, DISTRIBUTION)
      .filter((d) => !isObject(d.props["loggingConfig"]) && !sources.some((s) => refersTo(s, "resourceArn", d)))
      .map((resource) => ({
        resource,
        message: "no access logging (loggingConfig or a LogDeliverySource for this distribution).",
      }));
  },
};

export const wafOnEntryPoints: StackRule = {
  kind: "stack",
  name: "waf-on-entry-points",
  description:
    "Every internet-facing entry point has a WAFv2 web ACL (R12, R16): the ALB through a WebAclAssociation, the distribution through webAclId.",
  enforcementLevel: "advisory",
  validate(resources) {
    const associations = ofType(resources, "aws:wafv2/webAclAssociation:WebAclAssociation");
    const albs = ofType(resources, "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
      .filter((lb) => isApplicationLb(lb) && lb.props["internal"] !== true)
      .filter((lb) => !associations.some((a) => refersTo(a, "resourceArn", lb)))
      .map((resource) => ({ resource, message: "internet-facing ALB has no WAFv2 WebAclAssociation." }));
    const distributions = ofType(resources, DISTRIBUTION)
      .filter((d) => typeof d.props["webAclId"] !== "string" || d.props["webAclId"] === "")
      .map((resource) => ({ resource, message: "distribution has no webAclId." }));
    return [...albs, ...distributions];
  },
};

export const containerInsights: ResourceRule = {
  kind: "resource",
  name: "ecs-container-insights",
  description: "ECS clusters have Container Insights on (R9, FSBP ECS.12) for per-task CPU/memory metrics.",
  enforcementLevel: "advisory",
  validate(r) {
    if (r.type !== "aws:ecs/cluster:Cluster") return [];
    const setting = objects(r.props["settings"]).find((s) => s["name"] === "containerInsights");
    return setting && ["enabled", "enhanced"].includes(String(setting["value"]))
      ? []
      : ["containerInsights is not enabled."];
  },
};
