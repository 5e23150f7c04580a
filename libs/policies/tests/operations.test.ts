// Rules from issue 19 §5: each with a compliant and a violating fixture.
import { containerInsightsLogGroup, ecsServiceSteadyState, vendedLogsPrefix } from "../src";
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
