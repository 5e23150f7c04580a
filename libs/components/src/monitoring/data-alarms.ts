import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import type * as aws from "../aws";
import type { MetricSpec } from "./alarm";
import { AlarmSet } from "./alarm";
import type { DataAlarmThresholds } from "./thresholds";
import { DATA_ALARM_RULES, thresholdDefaults } from "./thresholds";

/**
 * DynamoDB publishes ThrottledRequests and SystemErrors per operation only (dimensions TableName
 * + Operation), so the alarms sum the item-level operations the API's task role may call.
 */
export const SESSION_TABLE_OPERATIONS = [
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "BatchGetItem",
  "BatchWriteItem",
] as const;

/** CloudWatch accepts at most 10 metrics in one alarm; one slot is the sum expression. */
const MAX_OPERATIONS = 9;

export interface DataAlarmsArgs {
  naming: Naming;
  /** Regional alarm topic (see AlarmTopic). */
  topicArn: pulumi.Input<string>;
  /** Aurora cluster identifier, the DBClusterIdentifier dimension. */
  clusterIdentifier: pulumi.Input<string>;
  /** The cluster's maximum ACU, quoted in the ACU alarm's description (ACUUtilization is relative to it). */
  maxCapacityAcu: number;
  /** Sessions table name, the TableName dimension. */
  sessionsTableName: pulumi.Input<string>;
  /**
   * DynamoDB operations whose throttles and system errors are summed (at most 9).
   * @default SESSION_TABLE_OPERATIONS
   */
  tableOperations?: readonly string[];
  /**
   * Thresholds; read them from config with `readDataAlarmConfig`.
   * @default the defaults of DATA_ALARM_RULES
   */
  thresholds?: Partial<DataAlarmThresholds>;
}

const BASES = {
  acuUtilization: "data-aurora-acu",
  cpu: "data-aurora-cpu",
  freeableMemory: "data-aurora-memory",
  connections: "data-aurora-connections",
  dynamoThrottles: "data-sessions-throttles",
  dynamoSystemErrors: "data-sessions-system-errors",
} as const;

export type DataAlarmKey = keyof typeof BASES;

const FIVE_MINUTES = 300;
const MIB = 1024 * 1024;

/** Aurora Serverless v2 and sessions-table alarms. */
export class DataAlarms extends pulumi.ComponentResource {
  readonly alarms: Record<DataAlarmKey, aws.cloudwatch.MetricAlarm>;
  readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: DataAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:monitoring:DataAlarms", name, {}, opts);
    const t: DataAlarmThresholds = { ...thresholdDefaults(DATA_ALARM_RULES), ...args.thresholds };
    const operations = args.tableOperations ?? SESSION_TABLE_OPERATIONS;
    if (operations.length === 0 || operations.length > MAX_OPERATIONS) {
      throw new Error(
        `DataAlarms ${name}: tableOperations must list 1 to ${MAX_OPERATIONS} operations, got ${operations.length}.`,
      );
    }
    const alarmSet = new AlarmSet(name, BASES, { naming: args.naming, topicArn: args.topicArn, parent: this });
    const rds = (metricName: string, stat: string): MetricSpec => ({
      namespace: "AWS/RDS",
      metricName,
      // Cluster-level metrics: the writer and any readers together, stable across instance replacement.
      dimensions: { DBClusterIdentifier: args.clusterIdentifier },
      stat,
    });
    const perOperation = (metricName: string) => ({
      expression: `SUM([${operations.map((_, i) => `op${i}`).join(", ")}])`,
      label: `${metricName} (all operations)`,
      metrics: Object.fromEntries(
        operations.map((operation, i) => [
          `op${i}`,
          {
            namespace: "AWS/DynamoDB",
            metricName,
            dimensions: { TableName: args.sessionsTableName, Operation: operation },
            stat: "Sum",
          },
        ]),
      ),
    });

    this.alarms = {
      acuUtilization: alarmSet.declare("acuUtilization", {
        description: `Aurora capacity above ${t.acuUtilizationPercent}% of its ${args.maxCapacityAcu}-ACU maximum for 15 min: the ACU range is too small for the load. First: raise maxCapacity or find the expensive queries.`,
        metric: rds("ACUUtilization", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.acuUtilizationPercent,
        period: FIVE_MINUTES,
        evaluationPeriods: 3,
        // Serverless v2 reports every minute, even idle at its minimum; a gap is shown, not paged twice
        // (the freeable-memory alarm pages for a vanished instance).
        treatMissingData: "missing",
      }),
      cpu: alarmSet.declare("cpu", {
        description: `Aurora CPU above ${t.cpuPercent}% for 15 min. First: Performance Insights top SQL.`,
        metric: rds("CPUUtilization", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.cpuPercent,
        period: FIVE_MINUTES,
        evaluationPeriods: 3,
        // As for ACUs: a gap is visible as INSUFFICIENT_DATA; the memory alarm pages for it.
        treatMissingData: "missing",
      }),
      freeableMemory: alarmSet.declare("freeableMemory", {
        description: `Aurora freeable memory below ${t.freeableMemoryMib} MiB for 15 min (or no instance reporting). First: connections and work_mem; raise maxCapacity.`,
        metric: rds("FreeableMemory", "Minimum"),
        comparison: "LessThanThreshold",
        threshold: t.freeableMemoryMib * MIB,
        period: FIVE_MINUTES,
        evaluationPeriods: 3,
        // A running instance always reports memory: silence means the database is gone.
        treatMissingData: "breaching",
      }),
      connections: alarmSet.declare("connections", {
        description: `More than ${t.connections} Aurora connections for 10 min: a connection leak or too many tasks without pooling. First: pg_stat_activity by client.`,
        metric: rds("DatabaseConnections", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.connections,
        period: FIVE_MINUTES,
        evaluationPeriods: 2,
        // A gap is visible as INSUFFICIENT_DATA; the memory alarm pages for a vanished instance.
        treatMissingData: "missing",
      }),
      dynamoThrottles: alarmSet.declare("dynamoThrottles", {
        description: `More than ${t.dynamoThrottledRequests} throttled sessions-table requests in 5 min: an on-demand table throttles only on a hot partition or a sudden 2x peak. First: the key design of the hottest session ids.`,
        math: perOperation("ThrottledRequests"),
        comparison: "GreaterThanThreshold",
        threshold: t.dynamoThrottledRequests,
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        // Published only when a request is throttled: no data means none were.
        treatMissingData: "notBreaching",
      }),
      dynamoSystemErrors: alarmSet.declare("dynamoSystemErrors", {
        description: `More than ${t.dynamoSystemErrors} DynamoDB system errors (HTTP 500) on the sessions table in 5 min: an AWS-side problem. First: the AWS Health dashboard; the SDK retries most of them.`,
        math: perOperation("SystemErrors"),
        comparison: "GreaterThanThreshold",
        threshold: t.dynamoSystemErrors,
        period: FIVE_MINUTES,
        evaluationPeriods: 1,
        // Published only when an error happens.
        treatMissingData: "notBreaching",
      }),
    };

    this.alarmArns = alarmSet.arns();
    this.registerOutputs({ alarmArns: this.alarmArns });
  }
}
