import { ofType, renderProgram } from "@mlapi/testing";
import type { ApiLoadBalancerArgs } from "./load-balancer";
import { ApiLoadBalancer, ruleRole } from "./load-balancer";

describe("ruleRole", () => {
  describe.each<[string, string]>([
    ["/api/v1/*", "api-v1"],
    ["/api/v2/*", "api-v2"],
    ["/health", "health"],
    ["/*", "root"],
  ])("%s", (path, role) => {
    it(`names its rule ${role}`, () => expect(ruleRole(path)).toBe(role));
  });
});

describe("ApiLoadBalancer", () => {
  const args: ApiLoadBalancerArgs = {
    loadBalancerName: "mlapi-alb-dev",
    targetGroupAutoname: "api-tg-dev",
    vpcId: "vpc-1",
    publicSubnetIds: ["subnet-a", "subnet-b"],
    securityGroupId: "sg-alb",
    targetPort: 8080,
    accessLogs: { bucket: "logs", prefix: "alb" },
  };
  const render = (overrides: Partial<ApiLoadBalancerArgs>) =>
    renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => {
        new ApiLoadBalancer("lb", { ...args, ...overrides });
        return {};
      },
    });

  it("routes each configured path with its own rule, in order", async () => {
    const r = await render({ forwardPaths: ["/api/v3/*", "/metrics"] });
    const rules = ofType(r, "aws:lb/listenerRule:ListenerRule");
    expect(rules.map((rule) => [rule.name, rule.inputs.priority])).toEqual([
      ["lb-rule-api-v3", 10],
      ["lb-rule-metrics", 20],
    ]);
  });

  it("refuses a health check timeout that is not below its interval", async () => {
    await expect(render({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } })).rejects.toThrow(
      "lb: health check timeout (10s) must be less than its interval (10s)",
    );
  });
});
