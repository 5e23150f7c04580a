import { one, ref, renderProgram } from "@mlapi/testing";
import * as aws from "../aws";
import type { ServiceScalingArgs } from "./service-scaling";
import { requestCountResourceLabel, ServiceScaling } from "./service-scaling";
import { Naming } from "@mlapi/core";

const render = (overrides: Partial<ServiceScalingArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const service = new aws.ecs.Service("svc", { name: "mlapi-api-dev" });
      new ServiceScaling("scaling", {
        clusterName: "mlapi-cluster-dev",
        serviceName: service.name,
        service,
        minCapacity: 2,
        maxCapacity: 10,
        resourceLabel: requestCountResourceLabel("app/alb/abc", "targetgroup/tg/def"),
        naming: new Naming("dev"),
        ...overrides,
      });
      return {};
    },
  });

describe("ServiceScaling", () => {
  it("targets the service's desired count and tracks requests per target with the joined label", async () => {
    const r = await render();
    const target = one(r, "aws:appautoscaling/target:Target");
    expect(target.inputs.resourceId).toBe("service/mlapi-cluster-dev/mlapi-api-dev");
    expect(target.dependsOn).toEqual([ref(one(r, "aws:ecs/service:Service"))]);
    const policy = one(r, "aws:appautoscaling/policy:Policy");
    expect(policy.inputs.targetTrackingScalingPolicyConfiguration).toEqual({
      targetValue: 1000,
      predefinedMetricSpecification: {
        predefinedMetricType: "ALBRequestCountPerTarget",
        resourceLabel: "app/alb/abc/targetgroup/tg/def",
      },
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    });
    expect(policy.dependsOn).toEqual([ref(target)]);
  });

  it("refuses a minimum above the maximum", async () => {
    await expect(render({ minCapacity: 3, maxCapacity: 2 })).rejects.toThrow(
      "scaling: minCapacity 3 exceeds maxCapacity 2",
    );
  });
});
