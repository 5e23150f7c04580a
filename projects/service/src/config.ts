import { ConfigReader } from "@mlapi/core";
import type { Profile, UpstreamLocation } from "@mlapi/core";
import type { ServiceAlarmThresholds } from "@mlapi/components";
import {
  API_SERVICE_DEFAULTS,
  CAPACITY_STRATEGY_DEFAULTS,
  ecrRepositoryArn,
  fargateSizeProblem,
  readPermissionsBoundary,
  readServiceAlarmConfig,
  SERVICE_SCALING_DEFAULTS,
} from "@mlapi/components";

/** How the ALB gets its certificate (R11): none (HTTP only), an existing one, or one created here. */
export type OriginTls =
  | { kind: "none" }
  | { kind: "existing"; certificateArn: string; domainName: string; hostedZoneId?: string }
  | { kind: "create"; domainName: string; hostedZoneId: string };

/** The service layer's settings, validated as a whole before any resource is declared. */
export interface ServiceConfig {
  /** Suffix of every physical name (docs/requirements.md, Configuration). Default: env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix: string;
  /** throwaway (default, fully destroyable) or production: the ALB is deletion-protected and onDemandBase ≥ 1. */
  profile: Profile;
  /** Days every log group keeps: 30; a production stack may choose a longer CloudWatch period. */
  logRetentionDays: number;
  /** Policy name the execution and task roles carry as permissions boundary; undefined for `none`. Default mlapi-workload-boundary (the bootstrap's). */
  permissionsBoundary?: string;
  /** Where the network and data stacks are. Default: this organization and stack name. */
  upstream: UpstreamLocation;
  /** A prebuilt API image in private ECR (tag or digest required); the tasks may pull from its repository only. Default: apps/ml-api built and pushed to the layer's repository at deploy. */
  image?: string;
  /** Fargate CPU units of the task. Default API_SERVICE_DEFAULTS.cpu. */
  cpu: number;
  /** Task memory in MiB, a Fargate-valid pair with cpu. Default API_SERVICE_DEFAULTS.memory. */
  memory: number;
  /** CPU architecture the image is built for. Default API_SERVICE_DEFAULTS.cpuArchitecture. */
  cpuArchitecture: "X86_64" | "ARM64";
  /** Tasks at creation (auto scaling owns it afterwards). Default API_SERVICE_DEFAULTS.desiredCount. */
  desiredCount: number;
  /** Auto scaling floor. Default SERVICE_SCALING_DEFAULTS.minCapacity. */
  minCapacity: number;
  /** Auto scaling ceiling. Default SERVICE_SCALING_DEFAULTS.maxCapacity. */
  maxCapacity: number;
  /** FARGATE_SPOT weight of the capacity-provider strategy. Default CAPACITY_STRATEGY_DEFAULTS.spotWeight. */
  spotWeight: number;
  /** FARGATE (on-demand) weight. Default CAPACITY_STRATEGY_DEFAULTS.onDemandWeight. */
  onDemandWeight: number;
  /** Tasks always on on-demand before the weights apply. Default CAPACITY_STRATEGY_DEFAULTS.onDemandBase; production: 1, and at least 1. */
  onDemandBase: number;
  /** ALB requests per target per minute auto scaling aims for. Default SERVICE_SCALING_DEFAULTS.requestsPerTarget. */
  requestsPerTarget: number;
  /** Average CPU percent the second scaling policy aims for (batches carry many images per request). Default SERVICE_SCALING_DEFAULTS.cpuTargetPercent. */
  cpuTargetPercent: number;
  /** Seconds the ALB health check is ignored after a task starts. Default API_SERVICE_DEFAULTS.healthCheckGracePeriodSeconds. */
  healthCheckGracePeriodSeconds: number;
  /** Certificate for the ALB, from certificateArn / domainName / hostedZoneId. Default none (HTTP only). */
  originTls: OriginTls;
  /** ALB, ECS and WAF alarm thresholds (docs/monitoring.md); the running-task floor is minCapacity. Defaults: SERVICE_ALARM_RULES. */
  alarms: ServiceAlarmThresholds;
}

/** Tasks a production stack always keeps on demand (and its default onDemandBase): Spot must never hold them all. */
export const PRODUCTION_ON_DEMAND_BASE = 1;

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
const DOMAIN = /^(?=.{1,240}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function originTls(reader: ConfigReader): OriginTls {
  const certificateArn = reader.optionalString("certificateArn");
  const domainName = reader.optionalString("domainName");
  const hostedZoneId = reader.optionalString("hostedZoneId");
  if (certificateArn !== undefined)
    reader.check(
      CERTIFICATE_ARN.test(certificateArn),
      "certificateArn",
      certificateArn,
      "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) in this stack's region",
    );
  if (domainName !== undefined)
    reader.check(
      DOMAIN.test(domainName),
      "domainName",
      domainName,
      "must be a lowercase DNS name such as api.example.com",
    );
  if (hostedZoneId !== undefined)
    reader.check(
      /^Z[A-Z0-9]{1,31}$/.test(hostedZoneId),
      "hostedZoneId",
      hostedZoneId,
      "must be a Route 53 hosted zone id (Z…)",
    );

  if (certificateArn !== undefined) {
    // CloudFront connects to origin.<domainName>; the certificate must cover that name.
    if (domainName === undefined) {
      reader.fail(
        "certificateArn",
        certificateArn,
        "needs domainName too: CloudFront reaches the ALB as origin.<domainName>, a name the certificate must cover",
      );
      return { kind: "none" };
    }
    return { kind: "existing", certificateArn, domainName, hostedZoneId };
  }
  if (domainName !== undefined) {
    if (hostedZoneId === undefined) {
      reader.fail(
        "domainName",
        domainName,
        "needs hostedZoneId (to validate a certificate for origin.<domainName> in Route 53), or set certificateArn",
      );
      return { kind: "none" };
    }
    return { kind: "create", domainName, hostedZoneId };
  }
  if (hostedZoneId !== undefined)
    reader.fail("hostedZoneId", hostedZoneId, "is used only with domainName; set domainName too or remove it");
  return { kind: "none" };
}

// A private ECR image with an explicit tag or digest: an implicit `latest` would make redeploys
// unpredictable, and the execution role can be granted a pull on a private ECR repository only.
function prebuiltImage(reader: ConfigReader): string | undefined {
  const image = reader.optionalString("image");
  if (image !== undefined) {
    let isEcrImage = true;
    try {
      ecrRepositoryArn(image);
    } catch {
      isEcrImage = false;
    }
    reader.check(
      isEcrImage,
      "image",
      image,
      "must be a private ECR image with a tag or digest, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or @sha256:<digest>), which the execution role is granted to pull; unset it to build apps/ml-api at deploy",
    );
  }
  return image;
}

export function loadConfig(reader = new ConfigReader()): ServiceConfig {
  const count = (key: string, def: number, max: number) => reader.number(key, { default: def, min: 0, max, step: 1 });
  const profile = reader.profile();
  const config: ServiceConfig = {
    environmentSuffix: reader.environmentSuffix(),
    profile,
    logRetentionDays: reader.logRetentionDays(profile),
    permissionsBoundary: readPermissionsBoundary(reader),
    upstream: reader.upstreamLocation(),
    image: prebuiltImage(reader),
    cpu: reader.number("cpu", { default: API_SERVICE_DEFAULTS.cpu, min: 256, max: 16384, step: 1 }),
    memory: reader.number("memory", { default: API_SERVICE_DEFAULTS.memory, min: 512, max: 122880, step: 1 }),
    cpuArchitecture: reader.oneOf(
      "cpuArchitecture",
      ["X86_64", "ARM64"] as const,
      API_SERVICE_DEFAULTS.cpuArchitecture,
    ),
    desiredCount: count("desiredCount", API_SERVICE_DEFAULTS.desiredCount, 1000),
    minCapacity: count("minCapacity", SERVICE_SCALING_DEFAULTS.minCapacity, 1000),
    maxCapacity: reader.number("maxCapacity", {
      default: SERVICE_SCALING_DEFAULTS.maxCapacity,
      min: 1,
      max: 1000,
      step: 1,
    }),
    spotWeight: count("spotWeight", CAPACITY_STRATEGY_DEFAULTS.spotWeight, 1000),
    onDemandWeight: count("onDemandWeight", CAPACITY_STRATEGY_DEFAULTS.onDemandWeight, 1000),
    onDemandBase: count(
      "onDemandBase",
      profile === "production" ? PRODUCTION_ON_DEMAND_BASE : CAPACITY_STRATEGY_DEFAULTS.onDemandBase,
      100000,
    ),
    requestsPerTarget: reader.number("requestsPerTarget", {
      default: SERVICE_SCALING_DEFAULTS.requestsPerTarget,
      min: 1,
      max: 1000000,
      step: 1,
    }),
    cpuTargetPercent: reader.number("cpuTargetPercent", {
      default: SERVICE_SCALING_DEFAULTS.cpuTargetPercent,
      min: 10,
      max: 95,
      step: 1,
    }),
    healthCheckGracePeriodSeconds: reader.number("healthCheckGracePeriodSeconds", {
      default: API_SERVICE_DEFAULTS.healthCheckGracePeriodSeconds,
      min: 0,
      max: 3600,
      step: 1,
    }),
    originTls: originTls(reader),
    alarms: readServiceAlarmConfig(reader),
  };

  // --- retired keys: a stack file that still sets one is told where the setting went ---
  const wafRateLimit = reader.optionalString("wafRateLimit");
  if (wafRateLimit !== undefined) {
    reader.fail(
      "wafRateLimit",
      wafRateLimit,
      "was removed: the ALB sees only CloudFront and the client writes X-Forwarded-For, so per-client limits are the edge's (set mlapi-edge:rateLimit); delete this key",
    );
  }

  // --- cross-field rules ---
  const size = fargateSizeProblem(config.cpu, config.memory);
  if (size) reader.fail(size.key, size.key === "cpu" ? config.cpu : config.memory, size.rule);
  reader.check(
    config.spotWeight > 0 || config.onDemandWeight > 0,
    "spotWeight",
    config.spotWeight,
    "spotWeight and onDemandWeight cannot both be 0: at least one capacity provider must take tasks",
  );
  if (config.minCapacity > config.maxCapacity) {
    reader.fail("minCapacity", config.minCapacity, `must be <= maxCapacity (${config.maxCapacity})`);
  } else {
    reader.check(
      config.minCapacity <= config.desiredCount && config.desiredCount <= config.maxCapacity,
      "desiredCount",
      config.desiredCount,
      `must be within minCapacity..maxCapacity (${config.minCapacity}..${config.maxCapacity})`,
    );
  }
  if (profile === "production") {
    reader.check(
      config.onDemandBase >= PRODUCTION_ON_DEMAND_BASE,
      "onDemandBase",
      config.onDemandBase,
      `a production stack keeps at least ${PRODUCTION_ON_DEMAND_BASE} task on FARGATE (on demand): with every task on Spot one capacity reclaim can stop them all at once; remove the key or set ${reader.key("profile")}: throwaway`,
    );
  }
  reader.done();
  return config;
}
