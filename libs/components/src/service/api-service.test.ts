import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { one, renderProgram } from "@mlapi/testing";
import {
  API_SERVICE_DEFAULTS,
  ApiService,
  apiSecrets,
  nodeHealthCheckCommand,
  secretEnvName,
  STEADY_STATE_TIMEOUT,
  stopBudgetProblem,
} from "./api-service";
import type { ApiServiceArgs } from "./api-service";
import { LOAD_BALANCER_DEFAULTS, secondsToMarkUnhealthy } from "./load-balancer";
import { Naming } from "@mlapi/core";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

describe("secretEnvName", () => {
  describe.each<[string, string]>([
    [`${ARN}mlapi/dev/model-api-key-AbC123`, "MODEL_API_KEY"],
    [`${ARN}stripe.webhook-secret-Zz9Yx8`, "STRIPE_WEBHOOK_SECRET"],
    [`${ARN}HF_TOKEN-a1B2c3`, "HF_TOKEN"],
    [`${ARN}3rd-party-key-a1B2c3`, "SECRET_3RD_PARTY_KEY"],
  ])("%s", (arn, env) => {
    it(`arrives as ${env}`, () => expect(secretEnvName(arn)).toBe(env));
  });
});

describe("apiSecrets", () => {
  const master = `${ARN}rds!cluster-1234-abcdef`;

  it("injects the master secret's JSON as DB_SECRET, then each app secret", () => {
    expect(apiSecrets(master, [`${ARN}mlapi/model-api-key-AbC123`])).toEqual([
      { name: "DB_SECRET", valueFrom: master },
      { name: "MODEL_API_KEY", valueFrom: `${ARN}mlapi/model-api-key-AbC123` },
    ]);
  });

  it("refuses two secrets that would land in the same variable", () => {
    expect(() => apiSecrets(master, [`${ARN}mlapi/db-secret-AbC123`])).toThrow(
      "Two injected secrets would both be the environment variable DB_SECRET",
    );
    expect(() => apiSecrets(master, [`${ARN}a/token-AbC123`, `${ARN}b/token-XyZ789`])).toThrow(
      "Two injected secrets would both be the environment variable TOKEN; rename one of the secrets",
    );
  });
});

describe("nodeHealthCheckCommand", () => {
  // Runs the real command against a local server: what ECS would run inside the container. Async, so
  // this process's server can answer while the child waits.
  const run = (port: number, path = "/health") =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, nodeHealthCheckCommand(port, path).slice(2), { stdio: "ignore" });
      child.on("exit", (code) => resolve(code));
    });
  let server: http.Server;
  let port: number;
  let status = 200;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === "/health" ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is an exec-form node -e command", () => {
    expect(nodeHealthCheckCommand(8080, "/health").slice(0, 3)).toEqual(["CMD", "node", "-e"]);
  });

  it("exits 0 when /health answers 200", async () => {
    status = 200;
    expect(await run(port)).toBe(0);
  });

  it("exits 1 when /health answers anything else", async () => {
    status = 503;
    expect(await run(port)).toBe(1);
  });

  it("exits 1 when nothing listens", async () => {
    expect(await run(1)).toBe(1);
  });
});

describe("stop budget", () => {
  it("defaults to Fargate's 120 s stop timeout, a 30 s drain and a 60 s in-flight wait", () => {
    expect(API_SERVICE_DEFAULTS).toMatchObject({
      stopTimeoutSeconds: 120,
      drainDelaySeconds: 30,
      shutdownTimeoutSeconds: 60,
    });
    expect(stopBudgetProblem(120, 30, 60)).toBeUndefined();
  });

  it("drains at least as long as the ALB takes to mark a failing target unhealthy, plus one check", () => {
    expect(secondsToMarkUnhealthy()).toBe(20);
    expect(API_SERVICE_DEFAULTS.drainDelaySeconds).toBeGreaterThanOrEqual(
      secondsToMarkUnhealthy() + LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds,
    );
  });

  it("refuses a budget that ECS would cut short with SIGKILL, and a stop timeout Fargate refuses", () => {
    expect(stopBudgetProblem(30, 30, 60)).toBe(
      "drain delay 30s + shutdown timeout 60s + 10s to close = 100s does not fit in stopTimeout 30s: ECS would SIGKILL in-flight requests",
    );
    expect(stopBudgetProblem(120, 30, 81)).toMatch(/= 121s does not fit in stopTimeout 120s/);
    expect(stopBudgetProblem(121, 0, 0)).toBe("stopTimeout 121s is outside Fargate's 1..120s");
  });
});

describe("ApiService", () => {
  const render = async (overrides: Partial<ApiServiceArgs> = {}) => {
    const timeouts = new Map<string, pulumi.CustomTimeouts | undefined>();
    const r = await renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => {
        // The render records explicit options but not timeouts: read them where the engine would get them.
        pulumi.runtime.registerStackTransformation((a) => {
          timeouts.set(a.name, (a.opts as pulumi.CustomResourceOptions).customTimeouts);
          return undefined;
        });
        new ApiService("api", {
          naming: new Naming("dev"),
          clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/mlapi-cluster-dev",
          capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
          image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlapi-api-dev:amd64-0123456789abcdef0123",
          cpu: 1024,
          memory: 2048,
          containerPort: 8080,
          environment: {},
          secrets: [],
          logGroupName: "/mlapi/api-dev",
          executionRoleArn: "arn:aws:iam::123456789012:role/mlapi-api-execution-dev",
          taskRoleArn: "arn:aws:iam::123456789012:role/mlapi-api-task-dev",
          subnetIds: ["subnet-a"],
          securityGroupIds: ["sg-app"],
          targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/0123456789abcdef",
          desiredCount: 2,
          dependsOn: [],
          ...overrides,
        });
        return {};
      },
    });
    return { r, timeouts };
  };

  it("makes `pulumi up` wait until the service is steady, long enough for a Fargate Spot start", async () => {
    const { r, timeouts } = await render();
    expect(one(r, "aws:ecs/service:Service").inputs.waitForSteadyState).toBe(true);
    expect(STEADY_STATE_TIMEOUT).toBe("30m");
    expect(timeouts.get("api-service")).toEqual({ create: "30m", update: "30m" });
  });

  it("sets the container's stop timeout and hands the app its drain delay and in-flight wait in ms", async () => {
    const { r } = await render({ environment: { DRAIN_DELAY_MS: "0" } });
    const [c] = JSON.parse(
      String(one(r, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions),
    ) as Array<{
      stopTimeout: number;
      environment: Array<{ name: string; value: string }>;
    }>;
    expect(c.stopTimeout).toBe(120);
    // the component's values win over the caller's environment: they must fit the stop timeout
    expect(c.environment.filter((e) => /^(DRAIN_DELAY|SHUTDOWN_TIMEOUT)_MS$/.test(e.name))).toEqual([
      { name: "DRAIN_DELAY_MS", value: "30000" },
      { name: "SHUTDOWN_TIMEOUT_MS", value: "60000" },
    ]);
  });

  it("refuses timings that do not fit in the stop timeout", async () => {
    await expect(render({ stopTimeoutSeconds: 60 })).rejects.toThrow(
      "api: drain delay 30s + shutdown timeout 60s + 10s to close = 100s does not fit in stopTimeout 60s",
    );
  });
});
