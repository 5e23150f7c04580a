// Rules from issue 19 §5: each with a compliant and a violating fixture.
import { containerInsightsLogGroup, ecsProductionOnDemandBase, ecsServiceSteadyState, vendedLogsPrefix } from "../src";
import { messages, res } from "./fixture";

describe("ecs-service-steady-state", () => {
  it("accepts a service that waits for steady state", () => {
    expect(messages(ecsServiceSteadyState, res("aws:ecs/service:Service", { waitForSteadyState: true }))).toEqual([]);
  });

  it("flags a service that does not", () => {
    expect(messages(ecsServiceSteadyState, res("aws:ecs/service:Service", {}))).toEqual([
      "waitForSteadyState is not true: `pulumi up` succeeds even when no task ever becomes healthy.",
    ]);
  });
});

describe("ecs-production-on-demand-base", () => {
  const service = (profile: string, capacityProviderStrategies: unknown[]) =>
    res("aws:ecs/service:Service", { capacityProviderStrategies, tags: { Profile: profile } });
  const spot = { capacityProvider: "FARGATE_SPOT", weight: 7 };
  const flagged = [
    "a production service on FARGATE_SPOT has no FARGATE base of at least 1 (onDemandBase): every task may be on Spot.",
  ];

  it("accepts a production service with one on-demand task as base, one without Spot, and any throwaway service", () => {
    expect(
      messages(
        ecsProductionOnDemandBase,
        service("production", [spot, { capacityProvider: "FARGATE", weight: 3, base: 1 }]),
        service("production", [{ capacityProvider: "FARGATE", weight: 1 }]),
        service("throwaway", [spot]),
      ),
    ).toEqual([]);
  });

  it("flags a production service whose tasks may all land on Spot", () => {
    expect(messages(ecsProductionOnDemandBase, service("production", [spot]))).toEqual(flagged);
    expect(
      messages(ecsProductionOnDemandBase, service("production", [spot, { capacityProvider: "FARGATE", weight: 3 }])),
    ).toEqual(flagged);
    expect(
      messages(
        ecsProductionOnDemandBase,
        service("production", [spot, { capacityProvider: "FARGATE", weight: 3, base: 0 }]),
      ),
    ).toEqual(flagged);
  });
});

describe("ecs-container-insights-log-group", () => {
  const cluster = (value: string) =>
    res("aws:ecs/cluster:Cluster", { name: "mlapi-cluster-dev", settings: [{ name: "containerInsights", value }] });

  it("accepts a Container Insights cluster whose performance log group the stack declares, and a cluster without insights", () => {
    const group = res("aws:cloudwatch/logGroup:LogGroup", {
      name: "/aws/ecs/containerinsights/mlapi-cluster-dev/performance",
    });
    expect(
      messages(
        containerInsightsLogGroup,
        cluster("enabled"),
        group,
        res("aws:ecs/cluster:Cluster", { name: "other-dev" }),
      ),
    ).toEqual([]);
  });

  it("flags a Container Insights cluster without it", () => {
    expect(messages(containerInsightsLogGroup, cluster("enhanced"))).toEqual([
      "no log group /aws/ecs/containerinsights/mlapi-cluster-dev/performance in the stack.",
    ]);
  });
});

describe("log-delivery-vended-prefix", () => {
  const destination = (arn: string) =>
    res("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", {
      deliveryDestinationConfiguration: { destinationResourceArn: arn },
    });

  it("accepts a delivery into /aws/vendedlogs/…, and ignores groups nothing delivers to", () => {
    const group = res("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/vendedlogs/mlapi/cloudfront-access-dev" });
    expect(
      messages(
        vendedLogsPrefix,
        group,
        destination(group.handles[2]),
        res("aws:cloudwatch/logGroup:LogGroup", { name: "/mlapi/api-dev" }),
      ),
    ).toEqual([]);
  });

  it("flags a delivery into a group outside the prefix", () => {
    const group = res("aws:cloudwatch/logGroup:LogGroup", { name: "/mlapi/cloudfront-access-dev" });
    expect(messages(vendedLogsPrefix, group, destination(group.handles[2]))).toEqual([
      'log delivery destination group "/mlapi/cloudfront-access-dev" is not under /aws/vendedlogs/.',
    ]);
  });
});
