import { ofType, one, renderProgram } from "@mlapi/testing";
import type { ApiLoadBalancerArgs } from "./load-balancer";
import { ApiLoadBalancer, ruleRole, secondsToMarkUnhealthy } from "./load-balancer";
import { Naming } from "@mlapi/core";

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
    naming: new Naming("dev"),
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
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

  it("is internal, in the private subnets only, behind the given security group", async () => {
    const r = await render({});
    expect(one(r, "aws:lb/loadBalancer:LoadBalancer").inputs).toMatchObject({
      internal: true,
      subnets: ["subnet-priv-a", "subnet-priv-b"],
      securityGroups: ["sg-alb"],
    });
  });

  it("turns deletion protection on only when asked (the production profile), off by default (R19)", async () => {
    const plain = await render({});
    const protectedAlb = await render({ deletionProtection: true });
    expect(one(plain, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).toBe(false);
    expect(one(protectedAlb, "aws:lb/loadBalancer:LoadBalancer").inputs).toEqual({
      ...one(plain, "aws:lb/loadBalancer:LoadBalancer").inputs,
      enableDeletionProtection: true,
    });
  });

  it("opens no port itself: no ingress rule, no prefix list lookup (the edge adds the one rule)", async () => {
    const r = await render({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" });
    const ingress = r.resources.filter((x) => /securityGroup(Ingress)?Rule|SecurityGroup:/i.test(x.type));
    expect(ingress).toEqual([]);
    expect(JSON.stringify(r.resources.map((x) => x.inputs))).not.toMatch(/prefixListId|0\.0\.0\.0\/0/);
  });

  describe.each<[string, Partial<ApiLoadBalancerArgs>, number, string]>([
    ["without a certificate", {}, 80, "HTTP"],
    ["with a certificate", { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" }, 443, "HTTPS"],
  ])("%s", (_case, overrides, port, protocol) => {
    it(`has exactly one listener, ${protocol} ${port}, whose only forwarding is the API's three path rules`, async () => {
      const r = await render(overrides);
      const listener = one(r, "aws:lb/listener:Listener");
      const tg = one(r, "aws:lb/targetGroup:TargetGroup");
      expect(listener.inputs).toMatchObject({ port, protocol });
      expect((listener.inputs.defaultActions as Array<{ type: string }>).map((a) => a.type)).toEqual([
        "fixed-response",
      ]);
      expect(
        ofType(r, "aws:lb/listenerRule:ListenerRule").map((rule) => ({
          listener: rule.inputs.listenerArn,
          priority: rule.inputs.priority,
          conditions: rule.inputs.conditions,
          actions: rule.inputs.actions,
        })),
      ).toEqual(
        ["/api/v1/*", "/api/v2/*", "/health"].map((path, i) => ({
          listener: listener.id,
          priority: (i + 1) * 10,
          conditions: [{ pathPattern: { values: [path] } }],
          actions: [{ type: "forward", targetGroupArn: tg.id }],
        })),
      );
    });
  });

  it("answers an unrouted path 404 in the API's error shape, {error: {code, message}}", async () => {
    const r = await render({});
    const [action] = one(r, "aws:lb/listener:Listener").inputs.defaultActions as {
      fixedResponse: { contentType: string; statusCode: string; messageBody: string };
    }[];
    expect(action?.fixedResponse.contentType).toBe("application/json");
    expect(action?.fixedResponse.statusCode).toBe("404");
    expect(JSON.parse(action?.fixedResponse.messageBody ?? "")).toEqual({
      error: { code: "not_found", message: expect.stringContaining("/api/v1/") },
    });
    // The ALB's limit on a fixed-response body.
    expect(action?.fixedResponse.messageBody.length).toBeLessThanOrEqual(1024);
  });

  it("routes each configured path with its own rule, in order", async () => {
    const r = await render({ forwardPaths: ["/api/v3/*", "/metrics"] });
    const rules = ofType(r, "aws:lb/listenerRule:ListenerRule");
    expect(rules.map((rule) => [rule.name, rule.inputs.priority])).toEqual([
      ["lb-rule-api-v3", 10],
      ["lb-rule-metrics", 20],
    ]);
  });

  it("checks targets every 10 s and marks one unhealthy after 2 failures, within a Spot task's drain delay", async () => {
    const r = await render({});
    const tg = one(r, "aws:lb/targetGroup:TargetGroup");
    expect(tg.inputs.healthCheck).toMatchObject({
      interval: 10,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    });
    expect(tg.inputs.deregistrationDelay).toBe(30);
    expect(secondsToMarkUnhealthy()).toBe(20);
    expect(secondsToMarkUnhealthy(30, 3)).toBe(90);
  });

  it("refuses a health check timeout that is not below its interval", async () => {
    await expect(render({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } })).rejects.toThrow(
      "lb: health check timeout (10s) must be less than its interval (10s)",
    );
  });
});
