/**
 * The usage a load profile adds on top of the idle floor, and the limits that bind before the cost
 * does: tasks from the API's measured capacity, LCUs, requests, writes, ACUs, log bytes.
 */
import type { PlanDocument, PlanStep } from "../plan-document";
import type { Capacity } from "./capacity";
import type { Inputs, LineBuilder } from "./lines";
import { addTasks, awsResources, inputs, num, round, serviceShape, str } from "./lines";
import type { PriceBook } from "./prices";
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

const GIB = 1024 ** 3;
/** Rule evaluations per request ALB does not bill (elasticloadbalancing pricing). */
const FREE_RULE_EVALUATIONS = 10;

const logGroupName = (arn: unknown): string | undefined => /:log-group:([^:]+)/.exec(String(arn ?? ""))?.[1];

/** The part of an ECS container definition that names its log group. */
interface ContainerLogs {
  logConfiguration?: { options?: Record<string, string> };
}

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
        for (const arn of (i.logDestinationConfigs as unknown[] | undefined) ?? [])
          roles.set(logGroupName(arn) ?? "", "waf");
        break;
      case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination":
        roles.set(
          logGroupName((i.deliveryDestinationConfiguration as Inputs | undefined)?.destinationResourceArn) ?? "",
          "cloudfront",
        );
        break;
      case "aws:ecs/taskDefinition:TaskDefinition":
        for (const c of JSON.parse(String(i.containerDefinitions ?? "[]")) as ContainerLogs[]) {
          const group = c.logConfiguration?.options?.["awslogs-group"];
          if (group) roles.set(group, "api");
        }
        break;
    }
  }
  return roles;
}

/** The usage lines of the whole stack into `b`, and the limits found on the way into `limits`. */
export function usageLines(
  docs: PlanDocument[],
  b: LineBuilder,
  prices: PriceBook,
  load: { profile: LoadProfile; capacity: Capacity },
  limits: LimitFinding[],
): void {
  const { profile, capacity } = load;
  const hours = prices.hoursPerMonth.value;
  const rps = profile.rpm / 60;
  const requests = rps * 3600 * hours;
  const imageBytes = profile.imageKb * 1024;
  const responseBytes = profile.responseKb * 1024;
  const find = (type: string): { doc: PlanDocument; step: PlanStep }[] =>
    docs.flatMap((doc) =>
      awsResources(doc)
        .filter((s) => s.newState.type === type)
        .map((step) => ({ doc, step })),
    );

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
        `${needed} tasks needed (${forCpu} for CPU at ${round(perTaskRps, 2)} req/s per task = ` +
        `${capacity.api.peakRequestsPerSecond} req/s per core x ${shape.vcpu} vCPU x ${profile.targetUtilization}` +
        (forScaling
          ? `; ${forScaling} for the ALBRequestCountPerTarget target of ${shape.requestsPerTargetPerMinute}/min`
          : "") +
        `), maxCapacity ${shape.maxTasks}` +
        (needed > shape.maxTasks
          ? `: maxCapacity binds first, ${shape.maxTasks} tasks serve about ${Math.round(shape.maxTasks * perTaskRps * 60)} req/min ` +
            "and the rest queues or fails"
          : ""),
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
    const dimension =
      lcu === bytesLcu ? "processed bytes" : lcu === connectionLcu ? "new connections" : "rule evaluations";
    b.add(doc.layer, step, "usage", `LCUs (${round(lcu, 2)}, set by ${dimension})`, "albLcuHour", lcu * hours);
  }

  // --- WAF: every request passes both web ACLs; per-client rate limits ---
  for (const { doc, step } of find("aws:wafv2/webAcl:WebAcl")) {
    const i = inputs(step);
    b.add(doc.layer, step, "usage", `requests inspected (${String(i.scope)})`, "wafRequestsPerMillion", requests / 1e6);
    const rules =
      typeof i.rules === "string" ? (JSON.parse(i.rules) as Inputs[]) : ((i.rules as Inputs[] | undefined) ?? []);
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
        message:
          `${round(perClientPerWindow, 1)} requests per client per ${window} s ` +
          `(${profile.rpm} req/min over ${profile.clients} clients) against a limit of ${limit}`,
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
    b.add(
      doc.layer,
      step,
      "usage",
      "responses out to viewers",
      "cloudfrontInternetGb",
      (requests * responseBytes) / GIB,
    );
    b.add(
      doc.layer,
      step,
      "usage",
      "image uploads forwarded to the origin",
      "cloudfrontOriginGb",
      (requests * imageBytes) / GIB,
    );
  }

  // --- DynamoDB: one session write per v2 classification ---
  for (const { doc, step } of find("aws:dynamodb/table:Table")) {
    if (inputs(step).billingMode !== "PAY_PER_REQUEST") continue;
    // v2: UpdateItem of a live session, or PutItem of a new one: one write of an item under 1 KB either
    // way (apps/ml-api/src/stores/sessions.ts). v1: none.
    const item = `session writes (1 WRU per v2 request, ${profile.v2Share * 100} % of requests)`;
    b.add(doc.layer, step, "usage", item, "dynamodbWriteRequestMillion", (requests * profile.v2Share) / 1e6);
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
      message:
        `writer needs ${round(neededAcu, 2)} ACU (${minAcu} + ${round(rps, 1)} inserts/s / ` +
        `${profile.auroraInsertsPerAcuSecond} per ACU), maximum ${maxAcu}`,
    });
    b.add(
      doc.layer,
      step,
      "usage",
      "writer ACU above the minimum",
      "auroraAcuHour",
      (Math.min(neededAcu, maxAcu) - minAcu) * hours,
    );
    const gb = (requests * profile.predictionRowBytes) / GIB;
    b.add(doc.layer, step, "usage", "storage added by a month of predictions", "auroraStorageGbMonth", gb);
    const ios = (requests * profile.auroraIosPerInsert) / 1e6;
    b.add(
      doc.layer,
      step,
      "usage",
      `I/O of the inserts (${profile.auroraIosPerInsert} per INSERT)`,
      "auroraIoPerMillion",
      ios,
    );
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
    const ingestion = `${role} log ingestion (${profile.logBytesPerRequest[role]} B per request)`;
    b.add(doc.layer, step, "usage", ingestion, "cloudwatchLogsIngestGb", gb);
    const retention = num(inputs(step).retentionInDays) ?? 30;
    const storage = `${role} log storage (${retention}-day retention, uncompressed bytes)`;
    b.add(doc.layer, step, "usage", storage, "cloudwatchLogsStorageGbMonth", gb * Math.min(retention / 30.4, 1));
  }
  const nat = find("aws:ec2/natGateway:NatGateway")[0];
  if (nat)
    b.add(
      nat.doc.layer,
      nat.step,
      "usage",
      "data processed (the API's log traffic to CloudWatch Logs)",
      "natGatewayGb",
      natGb,
    );
}
