/**
 * The pricing rules: pure functions from plan documents, a price book and (optionally) a load profile
 * to cost lines. Each line names the plan resource it comes from, the unit, the quantity and the unit
 * price; a line whose price is unknown keeps `monthly: null` and is reported as not priced.
 */
import type { LayerName } from "@mlapi/core";
import type { PlanDocument, PlanStep } from "../plan";
import type { Capacity } from "./capacity";
import type { Price, PriceBook } from "./prices";

export type CostKind = "fixed" | "usage";

export interface CostLine {
  layer: LayerName;
  /** URN of the plan resource the line comes from. */
  resource: string;
  /** Its logical name. */
  name: string;
  type: string;
  kind: CostKind;
  /** What is charged ("NAT gateway hours"). */
  item: string;
  unit: string;
  quantity: number;
  /** US dollars per unit; null: not priced. */
  unitPrice: number | null;
  /** quantity x unitPrice; null: not priced. */
  monthly: number | null;
  note?: string;
}

/** A ceiling that stops the stack from serving the load before the bill does. */
export interface LimitFinding {
  limit: string;
  resource: string;
  needed: number;
  allowed: number;
  binds: boolean;
  message: string;
}

/** The usage a load profile describes; every default below is an assumption the report prints. */
export interface LoadProfile {
  /** Classify requests per minute, steady all month. */
  rpm: number;
  /** Uploaded image size, KiB. */
  imageKb: number;
  /** Share of requests on /api/v2/classify (the rest on v1). Default 0.5. */
  v2Share: number;
  /** JSON response size, KiB. Default 1. */
  responseKb: number;
  /** CPU share of a task the autoscaler is allowed to use. Default 0.7. */
  targetUtilization: number;
  /** Distinct client IP addresses sharing the load (per-IP rate limits). Default 1000. */
  clients: number;
  /** New ALB connections per request (CloudFront reuses its origin connections). Default 0.1. */
  newConnectionsPerRequest: number;
  /** Log bytes per request: the API's request line, each web ACL's log record, the CloudFront access log record, VPC flow log records. */
  logBytesPerRequest: { api: number; waf: number; cloudfront: number; flow: number };
  /** Single-row inserts per second one Aurora ACU absorbs (the ACU model above the minimum). Default 200. */
  auroraInsertsPerAcuSecond: number;
  /** Bytes a prediction row and its two indexes take in Aurora. Default 400. */
  predictionRowBytes: number;
  /** Billed Aurora Standard I/Os per INSERT. Default 1. */
  auroraIosPerInsert: number;
}

export const DEFAULT_PROFILE: Omit<LoadProfile, "rpm" | "imageKb"> = {
  v2Share: 0.5,
  responseKb: 1,
  targetUtilization: 0.7,
  clients: 1000,
  newConnectionsPerRequest: 0.1,
  logBytesPerRequest: { api: 400, waf: 1500, cloudfront: 600, flow: 150 },
  auroraInsertsPerAcuSecond: 200,
  predictionRowBytes: 400,
  auroraIosPerInsert: 1,
};

/** The API's readiness probe reads the sessions table every 15 s per task (apps/ml-api/src/main.ts: startPolling(15_000)). */
export const HEALTH_PROBE_SECONDS = 15;
const GIB = 1024 ** 3;
/** Rule evaluations per request ALB does not bill (elasticloadbalancing pricing). */
const FREE_RULE_EVALUATIONS = 10;

/** Resource types that cost nothing by themselves, with the reason; everything else needs a rule. */
export const FREE_TYPES: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "no charge",
  "aws:ec2/subnet:Subnet": "no charge",
  "aws:ec2/route:Route": "no charge",
  "aws:ec2/routeTable:RouteTable": "no charge",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
  "aws:ec2/internetGateway:InternetGateway": "no charge (data transfer is priced where it leaves)",
  "aws:ec2/securityGroup:SecurityGroup": "no charge",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "no charge",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
  "aws:ec2/flowLog:FlowLog": "billed as log ingestion into its log group (load profile)",
  "aws:iam/role:Role": "no charge",
  "aws:iam/rolePolicy:RolePolicy": "no charge",
  "aws:kms/alias:Alias": "no charge",
  "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored (load profile)",
  "aws:cloudwatch/logDelivery:LogDelivery": "billed as log ingestion (load profile)",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": "no charge",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "no charge",
  "aws:sns/topic:Topic": "billed per notification published; alarms publish rarely",
  "aws:sns/topicPolicy:TopicPolicy": "no charge",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": "no charge",
  "aws:rds/subnetGroup:SubnetGroup": "no charge",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "no charge",
  "aws:ecs/taskDefinition:TaskDefinition": "priced through the service's tasks",
  "aws:appautoscaling/target:Target": "no charge",
  "aws:lb/listener:Listener": "no charge",
  "aws:lb/listenerRule:ListenerRule": "priced as ALB rule evaluations beyond the free 10 per request (load profile)",
  "aws:lb/targetGroup:TargetGroup": "no charge",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge",
  "aws:s3/bucket:Bucket": "billed per GB stored and request: error pages are a few KB; ALB access logs are not modelled",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "no charge",
  "aws:s3/bucketPolicy:BucketPolicy": "no charge",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "no charge",
  "aws:s3/bucketVersioning:BucketVersioning": "no charge",
  "aws:s3/bucketObjectv2:BucketObjectv2": "a few KB of storage",
  "aws:wafv2/webAclAssociation:WebAclAssociation": "no charge",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "billed as log ingestion into its log group (load profile)",
  "aws:cloudfront/distribution:Distribution": "no monthly fee: billed per request and GB (load profile)",
  "aws:cloudfront/originAccessControl:OriginAccessControl": "no charge",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "no charge",
  "aws:acm/certificate:Certificate": "public certificates carry no charge",
  "aws:acm/certificateValidation:CertificateValidation": "no charge",
  "aws:route53/record:Record": "records in a zone carry no monthly charge",
  "docker-build:index:Image": "built where the deploy runs; its storage is priced on the ECR repository",
};

export interface PlanSet {
  docs: PlanDocument[];
  prices: PriceBook;
}

export interface CostReport {
  stack: string;
  region: string;
  hoursPerMonth: number;
  lines: CostLine[];
  /** Resources without a charge of their own, by type, with the reason. */
  free: { layer: LayerName; type: string; count: number; reason: string }[];
  limits: LimitFinding[];
  assumptions: string[];
  totals: {
    layers: { layer: LayerName; fixed: number; usage: number; notPriced: number }[];
    fixed: number;
    usage: number;
    total: number;
    notPriced: number;
  };
  profile?: LoadProfile;
  capacity?: { file: string; measuredAt: string; peakRequestsPerSecondPerCore: number };
}

/** Resources that exist in AWS: custom, and not Pulumi's own (stack, providers, references). */
const awsResources = (doc: PlanDocument): PlanStep[] => doc.steps.filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"));

type Inputs = Record<string, unknown>;
const inputs = (s: PlanStep): Inputs => s.newState.inputs;
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const round = (n: number, digits = 6): number => Math.round(n * 10 ** digits) / 10 ** digits;

class LineBuilder {
  readonly lines: CostLine[] = [];
  constructor(private readonly prices: PriceBook) {}

  price(key: string): Price {
    const p = this.prices.prices[key];
    if (!p) throw new Error(`price ${key} is missing from prices.${this.prices.region}.json`);
    return p;
  }

  /** A line priced by one key of the price book. */
  add(layer: LayerName, step: PlanStep, kind: CostKind, item: string, key: string, quantity: number, note?: string): void {
    const p = this.price(key);
    this.push(layer, step, kind, item, p.unit, quantity, p.usd, note ?? (p.usd === null ? p.note : undefined));
  }

  push(layer: LayerName, step: PlanStep, kind: CostKind, item: string, unit: string, quantity: number, unitPrice: number | null, note?: string): void {
    const q = round(quantity);
    this.lines.push({
      layer,
      resource: step.urn,
      name: step.name,
      type: step.newState.type,
      kind,
      item,
      unit,
      quantity: q,
      unitPrice,
      monthly: unitPrice === null ? null : round(q * unitPrice),
      ...(note ? { note } : {}),
    });
  }
}

// --- what the plan says about the service (shared by the fixed and the usage rules) ---

interface ServiceShape {
  layer: LayerName;
  service: PlanStep;
  vcpu: number;
  memoryGb: number;
  minTasks: number;
  maxTasks: number;
  /** Share of tasks on FARGATE_SPOT once the base is placed, and the base on its provider. */
  spotShare: (tasks: number) => number;
  /** ALBRequestCountPerTarget target (requests per target per minute), when the service scales on it. */
  requestsPerTargetPerMinute?: number;
}

interface Strategy {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

function spotSplit(strategies: Strategy[]): (tasks: number) => number {
  const weight = (p: string): number => strategies.filter((s) => s.capacityProvider === p).reduce((n, s) => n + (s.weight ?? 0), 0);
  const base = strategies.find((s) => (s.base ?? 0) > 0);
  const spot = weight("FARGATE_SPOT");
  const all = spot + weight("FARGATE");
  return (tasks: number): number => {
    if (tasks <= 0) return 0;
    if (strategies.length === 0) return 0; // launchType FARGATE
    const baseTasks = Math.min(base?.base ?? 0, tasks);
    const baseSpot = base?.capacityProvider === "FARGATE_SPOT" ? baseTasks : 0;
    const rest = tasks - baseTasks;
    return (baseSpot + (all === 0 ? 0 : (rest * spot) / all)) / tasks;
  };
}

function serviceShape(docs: PlanDocument[]): ServiceShape | undefined {
  for (const doc of docs) {
    const steps = awsResources(doc);
    const service = steps.find((s) => s.newState.type === "aws:ecs/service:Service");
    if (!service) continue;
    const svc = inputs(service);
    const family = /task-definition\/([^:]+)/.exec(str(svc.taskDefinition) ?? "")?.[1];
    const taskDef = steps.find((s) => s.newState.type === "aws:ecs/taskDefinition:TaskDefinition" && (family === undefined || inputs(s).family === family));
    const cpu = num(taskDef && inputs(taskDef).cpu);
    const memory = num(taskDef && inputs(taskDef).memory);
    if (cpu === undefined || memory === undefined) throw new Error(`${doc.layer}: the ECS service ${service.name} has no task definition with cpu and memory in the plan`);
    const resourceId = `service/${String(svc.cluster ?? "").split("/").pop()}/${String(svc.name)}`;
    const target = steps.find((s) => s.newState.type === "aws:appautoscaling/target:Target" && inputs(s).resourceId === resourceId);
    const policy = steps.find((s) => s.newState.type === "aws:appautoscaling/policy:Policy" && inputs(s).resourceId === resourceId);
    const tracking = policy ? (inputs(policy).targetTrackingScalingPolicyConfiguration as Inputs | undefined) : undefined;
    const metric = (tracking?.predefinedMetricSpecification as Inputs | undefined)?.predefinedMetricType;
    const desired = num(svc.desiredCount) ?? 1;
    return {
      layer: doc.layer,
      service,
      vcpu: cpu / 1024,
      memoryGb: memory / 1024,
      minTasks: num(target && inputs(target).minCapacity) ?? desired,
      maxTasks: num(target && inputs(target).maxCapacity) ?? desired,
      spotShare: spotSplit((svc.capacityProviderStrategies as Strategy[] | undefined) ?? []),
      requestsPerTargetPerMinute: metric === "ALBRequestCountPerTarget" ? num(tracking?.targetValue) : undefined,
    };
  }
  return undefined;
}

/** The on-demand and Spot price of one task-hour. */
function taskHourPrices(shape: ServiceShape, b: LineBuilder, prices: PriceBook): { onDemand: number | null; spot: number | null } {
  const vcpu = b.price("fargateVcpuHour").usd;
  const gb = b.price("fargateGbHour").usd;
  if (vcpu === null || gb === null) return { onDemand: null, spot: null };
  const onDemand = shape.vcpu * vcpu + shape.memoryGb * gb;
  return { onDemand, spot: onDemand * (1 - prices.assumptions.fargateSpotDiscount.value) };
}

function addTasks(b: LineBuilder, prices: PriceBook, shape: ServiceShape, kind: CostKind, tasks: number, floor: number, hours: number): void {
  // Tasks above `floor` (0 for the fixed part): the Spot share of the total minus that of the floor.
  const spotTasks = tasks * shape.spotShare(tasks) - floor * shape.spotShare(floor);
  const onDemandTasks = tasks - floor - spotTasks;
  const { onDemand, spot } = taskHourPrices(shape, b, prices);
  const size = `${shape.vcpu} vCPU, ${shape.memoryGb} GB`;
  const what = kind === "fixed" ? "at minCapacity" : "above minCapacity";
  b.push(shape.layer, shape.service, kind, `FARGATE_SPOT tasks ${what} (${round(spotTasks, 3)} tasks)`, `task-hour (${size}, Spot)`, spotTasks * hours, spot);
  b.push(shape.layer, shape.service, kind, `FARGATE tasks ${what} (${round(onDemandTasks, 3)} tasks)`, `task-hour (${size})`, onDemandTasks * hours, onDemand);
}

// --- fixed monthly cost, resource by resource ---

function alarmMetrics(alarm: Inputs): number {
  const queries = alarm.metricQueries as Inputs[] | undefined;
  return queries && queries.length > 0 ? queries.filter((q) => q.metric !== undefined).length : 1;
}

function webAclRules(acl: Inputs): number {
  const rules = typeof acl.rules === "string" ? (JSON.parse(acl.rules) as unknown[]) : ((acl.rules as unknown[] | undefined) ?? []);
  return rules.length;
}

function fixedLines(doc: PlanDocument, all: PlanDocument[], b: LineBuilder, prices: PriceBook, free: Map<string, { count: number; reason: string }>): void {
  const hours = prices.hoursPerMonth.value;
  const steps = awsResources(doc);
  const layer = doc.layer;
  const shape = serviceShape(all);
  for (const step of steps) {
    const i = inputs(step);
    switch (step.newState.type) {
      case "aws:ec2/natGateway:NatGateway":
        b.add(layer, step, "fixed", "NAT gateway hours", "natGatewayHour", hours);
        break;
      case "aws:ec2/eip:Eip":
        b.add(layer, step, "fixed", "Elastic IP (public IPv4) hours", "publicIpv4Hour", hours);
        break;
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        if ((str(i.vpcEndpointType) ?? "Gateway") === "Gateway") countFree(free, step, "gateway endpoints carry no charge");
        else b.push(layer, step, "fixed", `${String(i.vpcEndpointType)} endpoint hours`, "endpoint-hour per zone", hours, null, "interface endpoint prices are not in the price file");
        break;
      case "aws:kms/key:Key":
        b.add(layer, step, "fixed", "customer managed key", "kmsKeyMonth", 1);
        break;
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const highResolution = (num(i.period) ?? 60) < 60;
        if (highResolution) b.push(layer, step, "fixed", "high-resolution alarm metrics", "alarm metric-month", alarmMetrics(i), null, "high-resolution alarm prices are not in the price file");
        else b.add(layer, step, "fixed", "alarm metrics", "cloudwatchAlarmMetricMonth", alarmMetrics(i));
        break;
      }
      case "aws:cloudwatch/dashboard:Dashboard":
        b.add(layer, step, "fixed", "dashboard", "cloudwatchDashboardMonth", 1);
        break;
      case "aws:rds/cluster:Cluster":
        if (i.manageMasterUserPassword === true) b.add(layer, step, "fixed", "master user secret (managed by RDS)", "secretsManagerSecretMonth", 1);
        b.add(layer, step, "fixed", "storage at idle (grows with predictions: load profile)", "auroraStorageGbMonth", 0);
        break;
      case "aws:rds/clusterInstance:ClusterInstance": {
        const cluster = steps.find((s) => s.newState.type === "aws:rds/cluster:Cluster" && inputs(s).clusterIdentifier === i.clusterIdentifier);
        const scaling = cluster ? (inputs(cluster).serverlessv2ScalingConfiguration as Inputs | undefined) : undefined;
        const minAcu = num(scaling?.minCapacity);
        if (i.instanceClass === "db.serverless" && minAcu !== undefined) {
          const role = num(i.promotionTier) === 0 ? "writer" : "reader";
          b.add(layer, step, "fixed", `Serverless v2 ${role} at its minimum ${minAcu} ACU`, "auroraAcuHour", minAcu * hours);
        } else {
          b.push(layer, step, "fixed", `instance ${String(i.instanceClass)}`, "instance-hour", hours, null, "provisioned instance prices are not in the price file");
        }
        break;
      }
      case "aws:dynamodb/table:Table":
        if (i.billingMode === "PAY_PER_REQUEST") {
          const tasks = shape?.minTasks ?? 0;
          const reads = (tasks * hours * 3600) / HEALTH_PROBE_SECONDS;
          b.add(layer, step, "fixed", `readiness probe GetItem every ${HEALTH_PROBE_SECONDS} s from ${tasks} tasks (0.5 RRU each)`, "dynamodbReadRequestMillion", (reads * 0.5) / 1e6);
        } else {
          b.push(layer, step, "fixed", "provisioned capacity", "capacity unit-hour", 0, null, "provisioned DynamoDB prices are not in the price file");
        }
        if ((i.pointInTimeRecovery as Inputs | undefined)?.enabled === true) b.add(layer, step, "fixed", "point-in-time recovery of the table's size", "dynamodbPitrGbMonth", 0);
        break;
      case "aws:ecs/cluster:Cluster": {
        const insights = ((i.settings as Inputs[] | undefined) ?? []).find((s) => s.name === "containerInsights");
        if (insights && insights.value !== "disabled") b.add(layer, step, "fixed", `Container Insights (${String(insights.value)})`, "containerInsightsMonth", 1);
        else countFree(free, step, "no charge");
        break;
      }
      case "aws:appautoscaling/policy:Policy":
        // Target tracking runs on CloudWatch alarms Application Auto Scaling creates itself (not in the
        // plan): one to scale out, one to scale in unless scale-in is disabled. They bill like any alarm.
        if (i.policyType === "TargetTrackingScaling") {
          const noScaleIn = (i.targetTrackingScalingPolicyConfiguration as Inputs | undefined)?.disableScaleIn === true;
          b.add(layer, step, "fixed", "alarm metrics of the alarms target tracking creates", "cloudwatchAlarmMetricMonth", noScaleIn ? 1 : 2);
        } else countFree(free, step, "no charge: step scaling runs on alarms the plan declares");
        break;
      case "aws:ecs/service:Service":
        if (shape && shape.service === step) addTasks(b, prices, shape, "fixed", shape.minTasks, 0, hours);
        break;
      case "aws:lb/loadBalancer:LoadBalancer": {
        b.add(layer, step, "fixed", "load balancer hours", "albHour", hours);
        // An internet-facing ALB holds one public IPv4 address per zone it is in; an internal one none.
        const internal = i.internal === true || i.scheme === "internal";
        const zones = ((i.subnets as unknown[] | undefined) ?? (i.subnetMappings as unknown[] | undefined) ?? []).length;
        if (!internal) b.add(layer, step, "fixed", `public IPv4 addresses, one per zone (${zones} zones, internet-facing)`, "publicIpv4Hour", zones * hours);
        const reserved = num((i.minimumLoadBalancerCapacity as Inputs | undefined)?.capacityUnits);
        if (reserved) b.add(layer, step, "fixed", `reserved capacity (${reserved} LCU)`, "albReservedLcuHour", reserved * hours);
        else b.add(layer, step, "fixed", "LCU at idle (no capacity reservation)", "albLcuHour", 0);
        break;
      }
      case "aws:wafv2/webAcl:WebAcl":
        b.add(layer, step, "fixed", `web ACL (${String(i.scope)})`, "wafWebAclMonth", 1);
        b.add(layer, step, "fixed", "rules and managed rule groups", "wafRuleMonth", webAclRules(i));
        break;
      case "aws:ecr/repository:Repository": {
        // Priced per GB, but the plan does not carry the image size: a line, not a guess.
        const p = b.price("ecrStorageGbMonth");
        b.push(layer, step, "fixed", "image storage (image size not in the plan)", p.unit, 0, null, `$${String(p.usd)} per ${p.unit}; the plan does not know the image size`);
        break;
      }
      case "aws:secretsmanager/secret:Secret":
        b.add(layer, step, "fixed", "secret", "secretsManagerSecretMonth", 1);
        break;
      case "aws:route53/zone:Zone":
        b.add(layer, step, "fixed", "hosted zone", "route53HostedZoneMonth", 1);
        break;
      case "aws:cloudfront/vpcOrigin:VpcOrigin":
        b.add(layer, step, "fixed", "VPC origin", "cloudfrontVpcOriginMonth", 1, b.price("cloudfrontVpcOriginMonth").note);
        break;
      default: {
        const reason = FREE_TYPES[step.newState.type];
        if (reason !== undefined) countFree(free, step, reason);
        else b.push(layer, step, "fixed", "unknown resource type", "-", 1, null, `no pricing rule for ${step.newState.type}: not priced`);
      }
    }
  }
}

function countFree(free: Map<string, { count: number; reason: string }>, step: PlanStep, reason: string): void {
  const entry = free.get(step.newState.type) ?? { count: 0, reason };
  entry.count += 1;
  free.set(step.newState.type, entry);
}

// --- the usage a load profile adds ---

const logGroupName = (arn: unknown): string | undefined => /:log-group:([^:]+)/.exec(String(arn ?? ""))?.[1];

/** Which log group receives which per-request log: read from the resources that write to them. */
function logRoles(docs: PlanDocument[]): Map<string, keyof LoadProfile["logBytesPerRequest"]> {
  const roles = new Map<string, keyof LoadProfile["logBytesPerRequest"]>();
  for (const step of docs.flatMap(awsResources)) {
    const i = inputs(step);
    switch (step.newState.type) {
      case "aws:ec2/flowLog:FlowLog":
        if (i.logDestinationType === "cloud-watch-logs") roles.set(logGroupName(i.logDestination) ?? "", "flow");
        break;
      case "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
        for (const arn of (i.logDestinationConfigs as unknown[] | undefined) ?? []) roles.set(logGroupName(arn) ?? "", "waf");
        break;
      case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination":
        roles.set(logGroupName((i.deliveryDestinationConfiguration as Inputs | undefined)?.destinationResourceArn) ?? "", "cloudfront");
        break;
      case "aws:ecs/taskDefinition:TaskDefinition":
        for (const c of JSON.parse(String(i.containerDefinitions ?? "[]")) as { logConfiguration?: { options?: Record<string, string> } }[]) {
          const group = c.logConfiguration?.options?.["awslogs-group"];
          if (group) roles.set(group, "api");
        }
        break;
    }
  }
  return roles;
}

function usageLines(docs: PlanDocument[], b: LineBuilder, prices: PriceBook, profile: LoadProfile, capacity: Capacity, limits: LimitFinding[]): void {
  const hours = prices.hoursPerMonth.value;
  const rps = profile.rpm / 60;
  const requests = rps * 3600 * hours;
  const imageBytes = profile.imageKb * 1024;
  const responseBytes = profile.responseKb * 1024;
  const find = (type: string): { doc: PlanDocument; step: PlanStep }[] =>
    docs.flatMap((doc) => awsResources(doc).filter((s) => s.newState.type === type).map((step) => ({ doc, step })));

  // --- tasks: the API's measured capacity, and the request-count target it scales on ---
  const shape = serviceShape(docs);
  if (shape) {
    const perTaskRps = capacity.api.peakRequestsPerSecond * shape.vcpu * profile.targetUtilization;
    const forCpu = Math.ceil(rps / perTaskRps);
    const forScaling = shape.requestsPerTargetPerMinute ? Math.ceil(profile.rpm / shape.requestsPerTargetPerMinute) : 0;
    const needed = Math.max(shape.minTasks, forCpu, forScaling);
    const running = Math.min(needed, shape.maxTasks);
    limits.push({
      limit: "ECS service maxCapacity",
      resource: shape.service.urn,
      needed,
      allowed: shape.maxTasks,
      binds: needed > shape.maxTasks,
      message:
        `${needed} tasks needed (${forCpu} for CPU at ${round(perTaskRps, 2)} req/s per task = ${capacity.api.peakRequestsPerSecond} req/s per core x ${shape.vcpu} vCPU x ${profile.targetUtilization}` +
        (forScaling ? `; ${forScaling} for the ALBRequestCountPerTarget target of ${shape.requestsPerTargetPerMinute}/min` : "") +
        `), maxCapacity ${shape.maxTasks}` +
        (needed > shape.maxTasks ? `: maxCapacity binds first, ${shape.maxTasks} tasks serve about ${Math.round(shape.maxTasks * perTaskRps * 60)} req/min and the rest queues or fails` : ""),
    });
    addTasks(b, prices, shape, "usage", running, shape.minTasks, hours);
  }

  // --- ALB: LCUs, the largest of its dimensions ---
  const rules = find("aws:lb/listenerRule:ListenerRule").length + 1; // + the default action
  for (const { doc, step } of find("aws:lb/loadBalancer:LoadBalancer")) {
    const bytesLcu = (rps * 3600 * (imageBytes + responseBytes)) / GIB;
    const connectionLcu = (rps * profile.newConnectionsPerRequest) / 25;
    const ruleLcu = (Math.max(0, rules - FREE_RULE_EVALUATIONS) * rps) / 1000;
    const lcu = Math.max(bytesLcu, connectionLcu, ruleLcu);
    const dimension = lcu === bytesLcu ? "processed bytes" : lcu === connectionLcu ? "new connections" : "rule evaluations";
    b.add(doc.layer, step, "usage", `LCUs (${round(lcu, 2)}, set by ${dimension})`, "albLcuHour", lcu * hours);
  }

  // --- WAF: every request passes both web ACLs; per-client rate limits ---
  for (const { doc, step } of find("aws:wafv2/webAcl:WebAcl")) {
    const i = inputs(step);
    b.add(doc.layer, step, "usage", `requests inspected (${String(i.scope)})`, "wafRequestsPerMillion", requests / 1e6);
    const rules = typeof i.rules === "string" ? (JSON.parse(i.rules) as Inputs[]) : ((i.rules as Inputs[] | undefined) ?? []);
    for (const rule of rules) {
      const rate = (rule.statement as Inputs | undefined)?.rateBasedStatement as Inputs | undefined;
      const limit = num(rate?.limit);
      if (!rate || limit === undefined) continue;
      const window = num(rate.evaluationWindowSec) ?? 300;
      const perClientPerWindow = (profile.rpm / profile.clients) * (window / 60);
      limits.push({
        limit: `WAF rate limit ${String(rule.name)} (${String(rate.aggregateKeyType)})`,
        resource: step.urn,
        needed: round(perClientPerWindow, 1),
        allowed: limit,
        binds: perClientPerWindow > limit,
        message: `${round(perClientPerWindow, 1)} requests per client per ${window} s (${profile.rpm} req/min over ${profile.clients} clients) against a limit of ${limit}`,
      });
    }
  }

  // --- CloudFront: requests, bytes out to viewers, uploads to the origin; its per-distribution quotas ---
  for (const { doc, step } of find("aws:cloudfront/distribution:Distribution")) {
    const { cloudfrontRequestsPerSecond: rpsQuota, cloudfrontGbps: gbpsQuota } = prices.quotas;
    const gbps = (rps * (imageBytes + responseBytes) * 8) / 1e9;
    limits.push({
      limit: "CloudFront requests per second per distribution",
      resource: step.urn,
      needed: round(rps, 1),
      allowed: rpsQuota.value,
      binds: rps > rpsQuota.value,
      message: `${round(rps, 1)} requests/s against the default quota of ${rpsQuota.value} (${rpsQuota.source})`,
    });
    limits.push({
      limit: "CloudFront data transfer rate per distribution",
      resource: step.urn,
      needed: round(gbps, 3),
      allowed: gbpsQuota.value,
      binds: gbps > gbpsQuota.value,
      message: `${round(gbps, 3)} Gbps (uploads and responses) against the default quota of ${gbpsQuota.value} Gbps`,
    });
    b.add(doc.layer, step, "usage", "HTTPS requests", "cloudfrontHttpsRequests10k", requests / 1e4);
    b.add(doc.layer, step, "usage", "responses out to viewers", "cloudfrontInternetGb", (requests * responseBytes) / GIB);
    b.add(doc.layer, step, "usage", "image uploads forwarded to the origin", "cloudfrontOriginGb", (requests * imageBytes) / GIB);
  }

  // --- DynamoDB: one session write per v2 classification ---
  for (const { doc, step } of find("aws:dynamodb/table:Table")) {
    if (inputs(step).billingMode !== "PAY_PER_REQUEST") continue;
    // v2: UpdateItem of a live session, or PutItem of a new one: one write of an item under 1 KB either way (apps/ml-api/src/stores/sessions.ts). v1: none.
    b.add(doc.layer, step, "usage", `session writes (1 WRU per v2 request, ${profile.v2Share * 100} % of requests)`, "dynamodbWriteRequestMillion", (requests * profile.v2Share) / 1e6);
  }

  // --- Aurora: one INSERT per classification (v1 and v2) on the writer ---
  for (const { doc, step } of find("aws:rds/cluster:Cluster")) {
    const scaling = inputs(step).serverlessv2ScalingConfiguration as Inputs | undefined;
    const minAcu = num(scaling?.minCapacity);
    const maxAcu = num(scaling?.maxCapacity);
    if (minAcu === undefined || maxAcu === undefined) continue;
    const neededAcu = minAcu + rps / profile.auroraInsertsPerAcuSecond;
    limits.push({
      limit: "Aurora Serverless v2 maxCapacity (ACU)",
      resource: step.urn,
      needed: round(neededAcu, 2),
      allowed: maxAcu,
      binds: neededAcu > maxAcu,
      message: `writer needs ${round(neededAcu, 2)} ACU (${minAcu} + ${round(rps, 1)} inserts/s / ${profile.auroraInsertsPerAcuSecond} per ACU), maximum ${maxAcu}`,
    });
    b.add(doc.layer, step, "usage", "writer ACU above the minimum", "auroraAcuHour", (Math.min(neededAcu, maxAcu) - minAcu) * hours);
    const gb = (requests * profile.predictionRowBytes) / GIB;
    b.add(doc.layer, step, "usage", "storage added by a month of predictions", "auroraStorageGbMonth", gb);
    b.add(doc.layer, step, "usage", `I/O of the inserts (${profile.auroraIosPerInsert} per INSERT)`, "auroraIoPerMillion", (requests * profile.auroraIosPerInsert) / 1e6);
  }

  // --- logs: ingestion and 30-day storage per log group; the API's logs leave through the NAT ---
  const roles = logRoles(docs);
  let natGb = 0;
  for (const { doc, step } of find("aws:cloudwatch/logGroup:LogGroup")) {
    const name = str(inputs(step).name) ?? "";
    const role = roles.get(name);
    if (!role) continue;
    const gb = (requests * profile.logBytesPerRequest[role]) / GIB;
    if (role === "api") natGb += gb;
    b.add(doc.layer, step, "usage", `${role} log ingestion (${profile.logBytesPerRequest[role]} B per request)`, "cloudwatchLogsIngestGb", gb);
    const retention = num(inputs(step).retentionInDays) ?? 30;
    b.add(doc.layer, step, "usage", `${role} log storage (${retention}-day retention, uncompressed bytes)`, "cloudwatchLogsStorageGbMonth", gb * Math.min(retention / 30.4, 1));
  }
  const nat = find("aws:ec2/natGateway:NatGateway")[0];
  if (nat) b.add(nat.doc.layer, nat.step, "usage", "data processed (the API's log traffic to CloudWatch Logs)", "natGatewayGb", natGb);
}

function assumptionsOf(prices: PriceBook, profile?: LoadProfile): string[] {
  const list = [
    `A month is ${prices.hoursPerMonth.value} hours (${prices.hoursPerMonth.note})`,
    `Fargate Spot at ${prices.assumptions.fargateSpotDiscount.value * 100} % off: ${prices.assumptions.fargateSpotDiscount.note}`,
    "Tasks split between FARGATE_SPOT and FARGATE by the strategy's weights as a long-run average (ECS places whole tasks)",
    "Account-wide free tiers (CloudWatch, CloudFront, DynamoDB, KMS requests) are not subtracted: another stack may use them",
    "KMS, Secrets Manager and CloudWatch API requests, cross-zone traffic and S3 request charges are not modelled",
    "The ALB's request rate is not checked against a quota: the price file holds none for it (it scales by LCU)",
  ];
  if (profile) {
    list.push(
      `Load steady all month: ${profile.rpm} classify requests/min, ${profile.imageKb} KiB images, ${profile.responseKb} KiB responses, ${profile.v2Share * 100} % on v2`,
      `A task serves its vCPU x the measured per-core peak (apps/ml-api/benchmarks/capacity.json, its own image size) x ${profile.targetUtilization * 100} %; ${profile.newConnectionsPerRequest} new ALB connections per request; ${profile.clients} client IPs`,
      "Usage lines price the whole load even where a limit binds (requests past a limit still reach CloudFront and the web ACLs)",
      `Aurora: one INSERT per request, ${profile.auroraInsertsPerAcuSecond} inserts/s per ACU above the minimum, ${profile.predictionRowBytes} B per row, ${profile.auroraIosPerInsert} billed I/O per INSERT; backups stay within the free share (the cluster's own size)`,
      `Log bytes per request: API ${profile.logBytesPerRequest.api}, each web ACL ${profile.logBytesPerRequest.waf}, CloudFront ${profile.logBytesPerRequest.cloudfront}, VPC flow logs ${profile.logBytesPerRequest.flow}; GB means GiB`,
    );
  }
  return list;
}

/** The whole report: fixed lines for every layer's resources, plus usage when a profile is given. */
export function costReport(plans: PlanSet, load?: { profile: LoadProfile; capacity: Capacity; capacityFile: string }): CostReport {
  const { docs, prices } = plans;
  if (docs.length === 0) throw new Error("no plan documents to price");
  const b = new LineBuilder(prices);
  const free: CostReport["free"] = [];
  for (const doc of docs) {
    const byType = new Map<string, { count: number; reason: string }>();
    fixedLines(doc, docs, b, prices, byType);
    for (const [type, { count, reason }] of byType) free.push({ layer: doc.layer, type, count, reason });
  }
  const limits: LimitFinding[] = [];
  if (load) usageLines(docs, b, prices, load.profile, load.capacity, limits);
  const sum = (lines: CostLine[]): number => round(lines.reduce((n, l) => n + (l.monthly ?? 0), 0), 2);
  const layers = docs.map((d) => {
    const mine = b.lines.filter((l) => l.layer === d.layer);
    return { layer: d.layer, fixed: sum(mine.filter((l) => l.kind === "fixed")), usage: sum(mine.filter((l) => l.kind === "usage")), notPriced: mine.filter((l) => l.monthly === null).length };
  });
  const fixed = round(layers.reduce((n, l) => n + l.fixed, 0), 2);
  const usage = round(layers.reduce((n, l) => n + l.usage, 0), 2);
  return {
    stack: docs[0].stack,
    region: prices.region,
    hoursPerMonth: prices.hoursPerMonth.value,
    lines: b.lines,
    free,
    limits,
    assumptions: assumptionsOf(prices, load?.profile),
    totals: { layers, fixed, usage, total: round(fixed + usage, 2), notPriced: b.lines.filter((l) => l.monthly === null).length },
    ...(load ? { profile: load.profile, capacity: { file: load.capacityFile, measuredAt: load.capacity.measuredAt, peakRequestsPerSecondPerCore: load.capacity.api.peakRequestsPerSecond } } : {}),
  };
}
