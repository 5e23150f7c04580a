import { ofType, one, ref, renderProgram } from "@mlapi/testing";
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
    const policy = one(r, "aws:appautoscaling/policy:Policy", "scaling-requests");
    expect(policy.inputs.name).toBe("mlapi-api-requests-dev");
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

  it("also tracks 70 % average CPU on the same target, so batches of images scale out too", async () => {
    const r = await render();
    const target = one(r, "aws:appautoscaling/target:Target");
    const cpu = one(r, "aws:appautoscaling/policy:Policy", "scaling-cpu");
    expect(cpu.inputs).toMatchObject({
      name: "mlapi-api-cpu-dev",
      policyType: "TargetTrackingScaling",
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: "service/mlapi-cluster-dev/mlapi-api-dev",
    });
    expect(cpu.inputs.targetTrackingScalingPolicyConfiguration).toEqual({
      targetValue: 70,
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    });
    expect(cpu.dependsOn).toEqual([ref(target)]);
    // scale-in stays enabled on both: AWS then scales in only when both policies agree
    expect(
      ofType(r, "aws:appautoscaling/policy:Policy").map(
        (p) => (p.inputs.targetTrackingScalingPolicyConfiguration as Record<string, unknown>).disableScaleIn,
      ),
    ).toEqual([undefined, undefined]);
  });

  it("takes another CPU target and refuses one that is no percentage", async () => {
    const r = await render({ cpuTargetPercent: 55 });
    expect(
      (
        one(r, "aws:appautoscaling/policy:Policy", "scaling-cpu").inputs
          .targetTrackingScalingPolicyConfiguration as Record<string, unknown>
      ).targetValue,
    ).toBe(55);
    await expect(render({ cpuTargetPercent: 0 })).rejects.toThrow(
      "scaling: cpuTargetPercent 0 is not a percentage above 0",
    );
  });

  it("refuses a minimum above the maximum", async () => {
    await expect(render({ minCapacity: 3, maxCapacity: 2 })).rejects.toThrow(
      "scaling: minCapacity 3 exceeds maxCapacity 2",
    );
  });
});
