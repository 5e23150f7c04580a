import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, read } from "../resource";
import { isProduction } from "./profile";

const CLUSTER = "aws:ecs/cluster:Cluster";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

export const ecsServiceSteadyState: ResourceRule = {
  kind: "resource",
  name: "ecs-service-steady-state",
  description:
    "ECS services wait for steady state (waitForSteadyState), so a deployment whose tasks never get healthy fails `pulumi up` instead of reporting success.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:ecs/service:Service") return [];
    return r.props["waitForSteadyState"] === true
      ? []
      : ["waitForSteadyState is not true: `pulumi up` succeeds even when no task ever becomes healthy."];
  },
};

export const ecsProductionOnDemandBase: ResourceRule = {
  kind: "resource",
  name: "ecs-production-on-demand-base",
  description:
    "A production ECS service that uses FARGATE_SPOT keeps a base of at least one task on FARGATE: a Spot capacity reclaim can stop every Spot task at once.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:ecs/service:Service" || !isProduction(r)) return [];
    const strategy = objects(r.props["capacityProviderStrategies"]);
    if (!strategy.some((s) => s["capacityProvider"] === "FARGATE_SPOT")) return [];
    const base = strategy.find((s) => s["capacityProvider"] === "FARGATE")?.["base"];
    return typeof base === "number" && base >= 1
      ? []
      : [
          "a production service on FARGATE_SPOT has no FARGATE base of at least 1 (onDemandBase): every task may be on Spot.",
        ];
  },
};

export const containerInsightsLogGroup: StackRule = {
  kind: "stack",
  name: "ecs-container-insights-log-group",
  description:
    "A cluster with Container Insights has its /aws/ecs/containerinsights/<cluster>/performance log group declared in the stack; else ECS creates it unencrypted, never expiring, and a destroy leaves it behind.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const groups = new Set(ofType(resources, LOG_GROUP).map((g) => read(g.props, "name")));
    return ofType(resources, CLUSTER)
      .filter((c) =>
        objects(c.props["settings"]).some(
          (s) => s["name"] === "containerInsights" && ["enabled", "enhanced"].includes(String(s["value"])),
        ),
      )
      .filter((c) => typeof read(c.props, "name") === "string")
      .filter((c) => !groups.has(`/aws/ecs/containerinsights/${String(read(c.props, "name"))}/performance`))
      .map((resource) => ({
        resource,
        message: `no log group /aws/ecs/containerinsights/${String(read(resource.props, "name"))}/performance in the stack.`,
      }));
  },
};

/** Whether a delivery destination delivers into `group` (by value, or by CrossGuard's property dependency). */
function deliversTo(destination: PolicyResource, group: PolicyResource): boolean {
  if (destination.propertyDependencies?.["deliveryDestinationConfiguration"]?.includes(group.urn)) return true;
  const config = read(destination.props, "deliveryDestinationConfiguration");
  const arn = isObject(config) ? config["destinationResourceArn"] : undefined;
  return typeof arn === "string" && group.handles.includes(arn);
}

export const vendedLogsPrefix: StackRule = {
  kind: "stack",
  name: "log-delivery-vended-prefix",
  description:
    "Log groups that a CloudWatch Logs delivery writes to are named /aws/vendedlogs/…: they share one account-wide resource policy entry, where other names grow the account's 5,120-character policy until deliveries fail.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const destinations = ofType(resources, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination");
    return ofType(resources, LOG_GROUP)
      .filter((g) => destinations.some((d) => deliversTo(d, g)))
      .filter((g) => !String(read(g.props, "name") ?? "").startsWith("/aws/vendedlogs/"))
      .map((resource) => ({
        resource,
        message: `log delivery destination group "${String(read(resource.props, "name"))}" is not under /aws/vendedlogs/.`,
      }));
  },
};
