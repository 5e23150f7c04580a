import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount } from "../logging";
import type { CapacityProviderWeight } from "./fargate-cluster";
import { LOAD_BALANCER_DEFAULTS, secondsToMarkUnhealthy } from "./load-balancer";

/**
 * How long `pulumi up` waits for the service to reach steady state (the provider's default is 20
 * minutes). A Fargate Spot task can wait for capacity, then pull, start, pass the 60 s grace period
 * and two ALB health checks 10 s apart; a rolling deploy does that twice (new tasks up, old drained
 * for the target group's deregistration delay, then stopped within stopTimeout). 30 minutes leaves
 * room for a slow Spot start without hiding a deployment that never gets healthy: the circuit
 * breaker ends that one sooner.
 */
export const STEADY_STATE_TIMEOUT = "30m";

/** Where the container may write: the root filesystem is read-only. */
export const TMP_VOLUME = { name: "tmp", containerPath: "/tmp" } as const;

/**
 * The container health check as a `node -e` one-liner: slim Node images ship no curl or wget.
 * Exits 0 only on HTTP 200 from the health path within the timeout.
 */
export function nodeHealthCheckCommand(port: number, path: string): string[] {
  const script =
    `require('http').get({host:'127.0.0.1',port:${port},path:'${path}',timeout:4000},` +
    `(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))`;
  return ["CMD", "node", "-e", script];
}

/** A secret the container receives as an environment variable, read by the ECS agent at start. */
export interface InjectedSecret {
  /** Environment variable name. */
  name: string;
  /** Secret ARN, optionally `<arn>:<json-key>::` to inject one key of a JSON secret. */
  valueFrom: string;
}

/**
 * The environment variable an app secret arrives in: the last path segment of the secret's name,
 * upper-cased (`…:secret:mlapi/model-api-key-AbC123` → `MODEL_API_KEY`). Secrets Manager appends
 * `-` and 6 random characters to every secret ARN; they are not part of the name.
 */
export function secretEnvName(secretArn: string): string {
  const name = secretArn.split(":secret:")[1]?.replace(/-[A-Za-z0-9]{6}$/, "") ?? secretArn;
  const last =
    name
      .split("/")
      .filter((p) => p !== "")
      .pop() ?? name;
  const env = last
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
  return /^[0-9]/.test(env) ? `SECRET_${env}` : env;
}

/**
 * What the API task gets from Secrets Manager: DB_SECRET, the RDS-managed master secret's JSON
 * (`{"username","password"}`, what apps/ml-api parses), and each app secret whole. The ECS agent
 * reads them at task start, so the task role itself never needs Secrets Manager.
 */
export function apiSecrets(masterSecretArn: string, appSecretArns: readonly string[]): InjectedSecret[] {
  const secrets: InjectedSecret[] = [
    { name: "DB_SECRET", valueFrom: masterSecretArn },
    ...appSecretArns.map((arn) => ({ name: secretEnvName(arn), valueFrom: arn })),
  ];
  const seen = new Set<string>();
  for (const s of secrets) {
    if (seen.has(s.name))
      throw new Error(
        `Two injected secrets would both be the environment variable ${s.name}; rename one of the secrets`,
      );
    seen.add(s.name);
  }
  return secrets;
}

/** Fargate's largest container stopTimeout: SIGTERM to SIGKILL, also all a Spot interruption gives. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;

/**
 * What the app does after draining and in-flight requests, within stopTimeout: flush buffered
 * prediction rows (up to 3 s, apps/ml-api main.ts) and close the database and DynamoDB clients.
 */
export const APP_CLOSE_SECONDS = 10;

/**
 * Defaults of the optional arguments, in one place; the service layer's config reads them. 1 vCPU:
 * apps/ml-api's benchmark puts 0.5 vCPU below the scaling target; 2048 MiB is the smallest pair with it.
 *
 * Stopping (deploy, scale-in, Spot interruption; https://repost.aws/knowledge-center/fargate-spot-termination-notice):
 * SIGTERM, then SIGKILL after stopTimeout 120 s (Fargate's maximum, the whole 2-minute Spot notice).
 * The app answers /health 503 for drainDelaySeconds while still serving: the ALB's time to mark it
 * unhealthy (10 s × 2 checks) plus one interval of margin (each ALB node checks on its own clock).
 * Only then does it close its port, and gives in-flight requests shutdownTimeoutSeconds: a request
 * admitted last may still be reading its body (the app's 30 s request timeout) and queue for a
 * worker; CloudFront waits 30 s per origin read. 30 + 60 + APP_CLOSE_SECONDS = 100 ≤ 120.
 */
export const API_SERVICE_DEFAULTS = {
  cpu: 1024,
  memory: 2048,
  cpuArchitecture: "X86_64",
  desiredCount: 2,
  healthCheckGracePeriodSeconds: 60,
  healthCheckPath: "/health",
  containerName: "api",
  user: "1000:1000",
  stopTimeoutSeconds: FARGATE_MAX_STOP_TIMEOUT_SECONDS,
  drainDelaySeconds: secondsToMarkUnhealthy() + LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds,
  shutdownTimeoutSeconds: 60,
} as const;

/**
 * Why a stop budget does not fit, or undefined: the drain delay, the in-flight wait and the app's
 * close (APP_CLOSE_SECONDS) must all end before ECS's SIGKILL at stopTimeout, which Fargate caps at 120 s.
 */
export function stopBudgetProblem(
  stopTimeoutSeconds: number,
  drainDelaySeconds: number,
  shutdownTimeoutSeconds: number,
): string | undefined {
  if (stopTimeoutSeconds > FARGATE_MAX_STOP_TIMEOUT_SECONDS || stopTimeoutSeconds < 1)
    return `stopTimeout ${stopTimeoutSeconds}s is outside Fargate's 1..${FARGATE_MAX_STOP_TIMEOUT_SECONDS}s`;
  const needed = drainDelaySeconds + shutdownTimeoutSeconds + APP_CLOSE_SECONDS;
  if (needed > stopTimeoutSeconds)
    return (
      `drain delay ${drainDelaySeconds}s + shutdown timeout ${shutdownTimeoutSeconds}s + ${APP_CLOSE_SECONDS}s to close ` +
      `= ${needed}s does not fit in stopTimeout ${stopTimeoutSeconds}s: ECS would SIGKILL in-flight requests`
    );
  return undefined;
}

/** `mlapi-api-<suffix>`, the service's and its task family's name; the alarms need it before the service exists. */
export function apiServiceName(naming: Naming): string {
  return naming.name("api");
}

export interface ApiServiceArgs {
  /** Names the task definition family and the service apiServiceName(naming). */
  naming: Naming;
  clusterArn: pulumi.Input<string>;
  /** Capacity-provider strategy; the service never sets a launch type. */
  capacityProviderStrategy: CapacityProviderWeight[];
  /** Container image URI. */
  image: pulumi.Input<string>;
  /** Fargate CPU units; must pair with `memory` (see fargateSizeProblem). @default API_SERVICE_DEFAULTS.cpu */
  cpu?: number;
  /** Fargate memory in MiB. @default API_SERVICE_DEFAULTS.memory */
  memory?: number;
  /** @default API_SERVICE_DEFAULTS.cpuArchitecture */
  cpuArchitecture?: "X86_64" | "ARM64";
  /** Port the container listens on; the target group and app security group use the same port. */
  containerPort: pulumi.Input<number>;
  /** Plain environment variables (never secrets); AWS_REGION is added from the provider's region. */
  environment: Record<string, pulumi.Input<string>>;
  /** Secrets injected from Secrets Manager; the execution role must be able to read exactly these. */
  secrets: pulumi.Input<InjectedSecret[]>;
  /** Log group the awslogs driver writes to. */
  logGroupName: pulumi.Input<string>;
  executionRoleArn: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  targetGroupArn: pulumi.Input<string>;
  /** Tasks at creation; later changes are left to auto scaling (ignoreChanges). @default API_SERVICE_DEFAULTS.desiredCount */
  desiredCount?: number;
  /** @default API_SERVICE_DEFAULTS.healthCheckGracePeriodSeconds */
  healthCheckGracePeriodSeconds?: number;
  /** @default API_SERVICE_DEFAULTS.healthCheckPath */
  healthCheckPath?: string;
  /** @default API_SERVICE_DEFAULTS.containerName */
  containerName?: string;
  /**
   * Non-root user the container runs as (uid:gid; 1000 is `node` in the official Node images).
   * @default API_SERVICE_DEFAULTS.user
   */
  user?: string;
  /** Seconds from SIGTERM to SIGKILL. @default API_SERVICE_DEFAULTS.stopTimeoutSeconds */
  stopTimeoutSeconds?: number;
  /**
   * Seconds the app keeps serving with /health at 503 before it closes its port (env DRAIN_DELAY_MS);
   * at least the ALB's time to mark a failing target unhealthy. @default API_SERVICE_DEFAULTS.drainDelaySeconds
   */
  drainDelaySeconds?: number;
  /** Seconds the app then waits for in-flight requests (env SHUTDOWN_TIMEOUT_MS). @default API_SERVICE_DEFAULTS.shutdownTimeoutSeconds */
  shutdownTimeoutSeconds?: number;
  /**
   * What the service must wait for: the cluster's capacity-provider association (else ECS rejects
   * the strategy) and the listener rules (a target group must belong to a load balancer first).
   */
  dependsOn: pulumi.Resource[];
  /**
   * CloudWatch alarms that fail a deployment and roll it back, next to the circuit breaker (e.g.
   * `ServiceAlarms.deploymentAlarmNames`: 5xx and unhealthy targets).
   * @default none: the circuit breaker alone
   */
  deploymentAlarmNames?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The API's Fargate task definition and ECS service (R9, R10): awsvpc in private subnets
 * without public IPs, a read-only non-root container with a writable /tmp, secrets injected by
 * the agent, a container health check, Spot/on-demand by capacity-provider strategy, rolling
 * deploys at 100/200 % guarded by the circuit breaker with rollback.
 */
export class ApiService extends pulumi.ComponentResource {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly service: aws.ecs.Service;
  readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ApiService", name, {}, opts);
    if (args.capacityProviderStrategy.length === 0) throw new Error(`${name}: the capacity-provider strategy is empty`);
    const { region } = awsAccount(this);
    const containerName = args.containerName ?? API_SERVICE_DEFAULTS.containerName;
    const healthPath = args.healthCheckPath ?? API_SERVICE_DEFAULTS.healthCheckPath;
    const stopTimeout = args.stopTimeoutSeconds ?? API_SERVICE_DEFAULTS.stopTimeoutSeconds;
    const drainDelay = args.drainDelaySeconds ?? API_SERVICE_DEFAULTS.drainDelaySeconds;
    const shutdownTimeout = args.shutdownTimeoutSeconds ?? API_SERVICE_DEFAULTS.shutdownTimeoutSeconds;
    const budget = stopBudgetProblem(stopTimeout, drainDelay, shutdownTimeout);
    if (budget) throw new Error(`${name}: ${budget}`);

    // The shutdown timings are the component's, next to the stopTimeout they must fit in.
    const shutdownEnv = {
      DRAIN_DELAY_MS: String(drainDelay * 1000),
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeout * 1000),
    };
    const environment = pulumi.all({ ...args.environment, ...shutdownEnv, AWS_REGION: region }).apply((env) =>
      Object.entries(env)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([envName, value]) => ({ name: envName, value })),
    );
    const containerDefinitions = pulumi
      .all([args.image, args.containerPort, environment, args.secrets, args.logGroupName, region])
      .apply(([image, port, env, secretList, logGroup, awsRegion]) =>
        JSON.stringify([
          {
            name: containerName,
            image,
            essential: true,
            user: args.user ?? API_SERVICE_DEFAULTS.user,
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: TMP_VOLUME.name, containerPath: TMP_VOLUME.containerPath, readOnly: false }],
            portMappings: [{ containerPort: port, hostPort: port, protocol: "tcp", name: "http" }],
            environment: env,
            secrets: secretList,
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": logGroup,
                "awslogs-region": awsRegion,
                "awslogs-stream-prefix": containerName,
              },
            },
            // Decides only whether ECS replaces a task; the ALB's check routes traffic. A draining task
            // failing it changes nothing: it is already stopping.
            healthCheck: {
              command: nodeHealthCheckCommand(port, healthPath),
              interval: 30,
              timeout: 5,
              retries: 3,
              startPeriod: 30,
            },
            // Reaps zombies and forwards SIGTERM so the app drains on Spot interruption and deploys.
            linuxParameters: { initProcessEnabled: true },
            stopTimeout,
          },
        ]),
      );

    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: apiServiceName(args.naming),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: String(args.cpu ?? API_SERVICE_DEFAULTS.cpu),
        memory: String(args.memory ?? API_SERVICE_DEFAULTS.memory),
        runtimePlatform: {
          operatingSystemFamily: "LINUX",
          cpuArchitecture: args.cpuArchitecture ?? API_SERVICE_DEFAULTS.cpuArchitecture,
        },
        executionRoleArn: args.executionRoleArn,
        taskRoleArn: args.taskRoleArn,
        volumes: [{ name: TMP_VOLUME.name }],
        containerDefinitions,
      },
      { parent: this },
    );

    this.service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: apiServiceName(args.naming),
        cluster: args.clusterArn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: args.desiredCount ?? API_SERVICE_DEFAULTS.desiredCount,
        capacityProviderStrategies: args.capacityProviderStrategy,
        // The provider refuses to change a capacity-provider strategy (e.g. a new Spot split) without a
        // new deployment; with this, such an update rolls the tasks onto the new split instead of failing.
        forceNewDeployment: true,
        platformVersion: "LATEST",
        networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: args.targetGroupArn, containerName, containerPort: args.containerPort }],
        healthCheckGracePeriodSeconds:
          args.healthCheckGracePeriodSeconds ?? API_SERVICE_DEFAULTS.healthCheckGracePeriodSeconds,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...(args.deploymentAlarmNames === undefined
          ? {}
          : { alarms: { alarmNames: args.deploymentAlarmNames, enable: true, rollback: true } }),
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        // `pulumi up` succeeds only once the deployment is steady (every task running and healthy in
        // the target group); a deployment that never gets healthy fails the update instead.
        waitForSteadyState: true,
      },
      {
        parent: this,
        dependsOn: args.dependsOn,
        // desiredCount is owned by auto scaling after creation; a deploy must not reset it.
        ignoreChanges: ["desiredCount"],
        customTimeouts: { create: STEADY_STATE_TIMEOUT, update: STEADY_STATE_TIMEOUT },
      },
    );
    this.serviceName = this.service.name;
    this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinition.arn });
  }
}
