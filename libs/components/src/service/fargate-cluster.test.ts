import { one, ref, renderProgram } from "@mlapi/testing";
import { capacityProviderStrategy, FargateCluster } from "./fargate-cluster";
import { Naming } from "@mlapi/core";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";

describe("capacityProviderStrategy", () => {
  describe.each<[number, number, number, unknown[]]>([
    [
      7,
      3,
      0,
      [
        { capacityProvider: "FARGATE_SPOT", weight: 7 },
        { capacityProvider: "FARGATE", weight: 3 },
      ],
    ],
    [
      1,
      1,
      0,
      [
        { capacityProvider: "FARGATE_SPOT", weight: 1 },
        { capacityProvider: "FARGATE", weight: 1 },
      ],
    ],
    [
      7,
      3,
      1,
      [
        { capacityProvider: "FARGATE_SPOT", weight: 7 },
        { capacityProvider: "FARGATE", weight: 3, base: 1 },
      ],
    ],
    [1, 0, 0, [{ capacityProvider: "FARGATE_SPOT", weight: 1 }]],
    [0, 1, 0, [{ capacityProvider: "FARGATE", weight: 1 }]],
    [
      1,
      0,
      2,
      [
        { capacityProvider: "FARGATE_SPOT", weight: 1 },
        { capacityProvider: "FARGATE", weight: 0, base: 2 },
      ],
    ],
  ])("spot %i, on-demand %i, base %i", (spot, onDemand, base, expected) => {
    it("gives the strategy ECS expects", () =>
      expect(capacityProviderStrategy(spot, onDemand, base)).toEqual(expected));
  });
});

describe("FargateCluster", () => {
  it("turns Container Insights on and associates both Fargate providers with the given default strategy", async () => {
    const strategy = capacityProviderStrategy(7, 3);
    const r = await renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => {
        const c = new FargateCluster("c", {
          naming: new Naming("dev"),
          defaultStrategy: strategy,
          logsKmsKeyArn: KEY_ARN,
        });
        return { name: c.name };
      },
    });
    expect(one(r, "aws:ecs/cluster:Cluster").inputs).toEqual({
      name: "mlapi-cluster-dev",
      settings: [{ name: "containerInsights", value: "enabled" }],
    });
    expect(one(r, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs).toEqual({
      clusterName: "mlapi-cluster-dev",
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategies: strategy,
    });
    expect(r.outputs.name).toBe("mlapi-cluster-dev");
    // Container Insights' own log group, declared first so ECS does not create it unencrypted and never-expiring.
    const insights = one(r, "aws:cloudwatch/logGroup:LogGroup");
    expect(insights.inputs).toEqual({
      name: "/aws/ecs/containerinsights/mlapi-cluster-dev/performance",
      retentionInDays: 30,
      kmsKeyId: KEY_ARN,
    });
    expect(one(r, "aws:ecs/cluster:Cluster").dependsOn).toEqual([ref(one(r, "mlapi:logging:EncryptedLogGroup"))]);
  });
});
