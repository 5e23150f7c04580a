import type { ConfigReader, NumberRule } from "@mlapi/core";

// Alarm thresholds per layer area: one table per area gives each threshold its config key, its
// default and its rule, so the components' defaults and the layers' config can never disagree.

interface ThresholdRule extends NumberRule {
  /** The layer's config key, e.g. `alarmCpuPercent`. */
  key: string;
}

type ThresholdTable<T> = { readonly [K in keyof T]: ThresholdRule };

const percent = (key: string, def: number): ThresholdRule => ({ key, default: def, min: 0, max: 100 });
const count = (key: string, def: number): ThresholdRule => ({ key, default: def, min: 0, step: 1 });

// --- service (ALB, ECS, regional WAF) ---

export interface ServiceAlarmThresholds {
  /** ALB-generated 5xx responses (502/503/504: no healthy target answered) per minute. Default 10. */
  alb5xxPerMinute: number;
  /** Share of target responses that are 5xx, in percent. Default 5. */
  target5xxRatePercent: number;
  /** p95 of TargetResponseTime in seconds (inference on CPU is slow; 3 s is already bad). Default 3. */
  targetP95Seconds: number;
  /** p95 of the API's own inference stage (EMF `MlApi` `inferenceMs`), ms: the model's share of the latency. Default 150. */
  inferenceP95Ms: number;
  /**
   * Consecutive minutes with an unhealthy target before alarming (and rolling a deployment back).
   * Default 3: a Fargate Spot task that drains stays registered and shows unhealthy from its second
   * failed /health check until it stops (ECS deregisters it only then), up to 60 s when its requests
   * end within CloudFront's 30 s origin timeout; that touches 2 one-minute datapoints, never 3.
   */
  unhealthyHostMinutes: number;
  /** ECS service average CPU, percent. Default 80 (auto scaling should have acted long before). */
  cpuPercent: number;
  /** ECS service average memory, percent. Default 85 (OOM kills follow). */
  memoryPercent: number;
  /** Share of requests the regional web ACL blocks, percent. Default 25. */
  wafBlockedRatePercent: number;
  /** Requests per minute below which rate alarms stay quiet (1 error in 2 requests is not an outage). Default 20. */
  minRequestsForRates: number;
  /** Minutes a condition must hold before most alarms fire. Default 3. */
  evaluationPeriods: number;
}

export const SERVICE_ALARM_RULES: ThresholdTable<ServiceAlarmThresholds> = {
  alb5xxPerMinute: count("alarmAlb5xxPerMinute", 10),
  target5xxRatePercent: percent("alarmTarget5xxRatePercent", 5),
  targetP95Seconds: { key: "alarmTargetP95Seconds", default: 3, min: 0.01, max: 60 },
  inferenceP95Ms: { key: "alarmInferenceP95Ms", default: 150, min: 1, max: 60_000 },
  unhealthyHostMinutes: { key: "alarmUnhealthyHostMinutes", default: 3, min: 1, max: 30, step: 1 },
  cpuPercent: percent("alarmCpuPercent", 80),
  memoryPercent: percent("alarmMemoryPercent", 85),
  wafBlockedRatePercent: percent("alarmWafBlockedRatePercent", 25),
  minRequestsForRates: count("alarmMinRequestsForRates", 20),
  evaluationPeriods: { key: "alarmEvaluationPeriods", default: 3, min: 1, max: 30, step: 1 },
};

// --- data (Aurora Serverless v2, DynamoDB sessions table) ---

export interface DataAlarmThresholds {
  /** Aurora ACUUtilization (capacity / max ACU), percent, sustained 15 minutes. Default 90: the ACU range is too small. */
  acuUtilizationPercent: number;
  /** Aurora CPUUtilization, percent. Default 80. */
  cpuPercent: number;
  /** Aurora FreeableMemory floor in MiB. Default 256 (of 4 GiB at 2 ACU). */
  freeableMemoryMib: number;
  /** Aurora DatabaseConnections ceiling. Default 150 (max_connections at 2 ACU is a few hundred; leave headroom). */
  connections: number;
  /** DynamoDB ThrottledRequests per 5 minutes tolerated. Default 0: an on-demand table should never throttle. */
  dynamoThrottledRequests: number;
  /** DynamoDB SystemErrors per 5 minutes tolerated. Default 0. */
  dynamoSystemErrors: number;
}

export const DATA_ALARM_RULES: ThresholdTable<DataAlarmThresholds> = {
  acuUtilizationPercent: percent("alarmAcuUtilizationPercent", 90),
  cpuPercent: percent("alarmDbCpuPercent", 80),
  freeableMemoryMib: count("alarmDbFreeableMemoryMib", 256),
  connections: count("alarmDbConnections", 150),
  dynamoThrottledRequests: count("alarmDynamoThrottledRequests", 0),
  dynamoSystemErrors: count("alarmDynamoSystemErrors", 0),
};

// --- edge (CloudFront, CLOUDFRONT-scope WAF) ---

export interface EdgeAlarmThresholds {
  /** CloudFront 5xxErrorRate, percent. Default 5. */
  cloudFront5xxRatePercent: number;
  /** CloudFront TotalErrorRate (4xx + 5xx), percent. Default 15: scanners make 404s, a broken client makes many more. */
  cloudFrontTotalErrorRatePercent: number;
  /** Share of requests the edge web ACL blocks, percent. Default 25. */
  wafBlockedRatePercent: number;
  /** Requests per minute below which the CloudFront error-rate and WAF blocked-rate alarms stay quiet. Default 20. */
  minRequestsForRates: number;
  /** Minutes a condition must hold before an edge alarm fires. Default 5 (CloudFront metrics are noisy). */
  evaluationPeriods: number;
}

export const EDGE_ALARM_RULES: ThresholdTable<EdgeAlarmThresholds> = {
  cloudFront5xxRatePercent: percent("alarmCloudFront5xxRatePercent", 5),
  cloudFrontTotalErrorRatePercent: percent("alarmCloudFrontTotalErrorRatePercent", 15),
  wafBlockedRatePercent: percent("alarmEdgeWafBlockedRatePercent", 25),
  minRequestsForRates: count("alarmMinRequestsForRates", 20),
  evaluationPeriods: { key: "alarmEvaluationPeriods", default: 5, min: 1, max: 30, step: 1 },
};

/** The defaults of a table: what a component uses for every threshold its caller leaves out. */
export function thresholdDefaults<T>(table: ThresholdTable<T>): T {
  return Object.fromEntries(
    Object.entries(table).map(([field, rule]) => [field, (rule as ThresholdRule).default]),
  ) as T;
}

function readThresholds<T>(reader: ConfigReader, table: ThresholdTable<T>): T {
  return Object.fromEntries(
    Object.entries(table).map(([field, rule]) => [
      field,
      reader.number((rule as ThresholdRule).key, rule as ThresholdRule),
    ]),
  ) as T;
}

/** Reads and validates the service alarm thresholds; problems are collected by `reader` (call `done()` once). */
export function readServiceAlarmConfig(reader: ConfigReader): ServiceAlarmThresholds {
  return readThresholds(reader, SERVICE_ALARM_RULES);
}

/** Reads and validates the data alarm thresholds; problems are collected by `reader`. */
export function readDataAlarmConfig(reader: ConfigReader): DataAlarmThresholds {
  return readThresholds(reader, DATA_ALARM_RULES);
}

/** Reads and validates the edge alarm thresholds; problems are collected by `reader`. */
export function readEdgeAlarmConfig(reader: ConfigReader): EdgeAlarmThresholds {
  return readThresholds(reader, EDGE_ALARM_RULES);
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;
const HTTPS_URL = /^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/;

/**
 * `alarmEmails`: who hears about alarms, as a list of email addresses and/or https:// endpoints
 * (a chat webhook, an incident tool). Empty by default: the topic exists and can be subscribed later.
 */
export function readAlarmSubscriptions(reader: ConfigReader, key = "alarmEmails"): string[] {
  const list = reader.stringList(key, []);
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const value = entry.trim();
    if (value === "") return; // stringList already reported it
    reader.check(
      EMAIL.test(value) || HTTPS_URL.test(value),
      `${key}[${i}]`,
      entry,
      "must be an email address or an https:// URL",
    );
    reader.check(!seen.has(value.toLowerCase()), `${key}[${i}]`, entry, "is listed twice");
    seen.add(value.toLowerCase());
  });
  return list.map((e) => e.trim());
}

/** `email` or `https`, the SNS protocol of a subscription endpoint. */
export function subscriptionProtocol(endpoint: string): "email" | "https" {
  return endpoint.startsWith("https://") ? "https" : "email";
}
