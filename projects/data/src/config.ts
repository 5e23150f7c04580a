import type { AuroraPostgresMajor, DataAlarmThresholds } from "@mlapi/components";
import {
  ACU,
  AURORA_DEFAULTS,
  AURORA_POSTGRES_MAJORS,
  backupWindowProblem,
  databaseNameProblem,
  maintenanceWindowProblem,
  MAX_AURORA_READERS,
  readAlarmSubscriptions,
  readDataAlarmConfig,
} from "@mlapi/components";
import type { Profile, UpstreamLocation } from "@mlapi/core";
import { ConfigReader } from "@mlapi/core";

/** The data layer's settings, validated as a whole before any resource is declared. */
export interface DataConfig {
  /** Suffix of every physical name (docs/requirements.md, Configuration). Default: env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix: string;
  /** throwaway (default, fully destroyable) or production: Aurora and the sessions table deletion-protected, a final snapshot on destroy, readerCount ≥ 1. */
  profile: Profile;
  /** Days every log group keeps: 30; a production stack may choose a longer CloudWatch period. */
  logRetentionDays: number;
  /** Aurora PostgreSQL major, 16 or 17; RDS picks and upgrades the minor. Default 16. */
  engineMajorVersion: AuroraPostgresMajor;
  /** Serverless v2 minimum ACUs, 0.5–256 in 0.5 steps; billed around the clock per instance. Default 0.5. */
  minCapacity: number;
  /** Serverless v2 maximum ACUs, 1–256 in 0.5 steps, ≥ minCapacity. Default 2. */
  maxCapacity: number;
  /** Reader instances besides the writer, 0–15 (0: no failover target, half the cost). Default 1. */
  readerCount: number;
  /** Database created with the cluster. Default "mlapi". */
  databaseName: string;
  /** Days of automated backups, 7–35. Default 7. */
  backupRetentionDays: number;
  /** Daily backup window, UTC `hh:mm-hh:mm`. Default 03:00-04:00. */
  preferredBackupWindow: string;
  /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`, not overlapping backups. Default sun:04:30-sun:05:30. */
  preferredMaintenanceWindow: string;
  /** Names of existing Secrets Manager secrets the app needs; looked up, never created. Default none. */
  appSecretNames: string[];
  /** Email addresses / https:// endpoints subscribed to the region's alarm topic. Default none. */
  alarmEmails: string[];
  /** Aurora and sessions-table alarm thresholds (docs/monitoring.md). Defaults: DATA_ALARM_RULES. */
  alarms: DataAlarmThresholds;
  /** Where the network stack lives. Default: this stack's organization and stack name. */
  upstream: UpstreamLocation;
}

export function loadConfig(reader = new ConfigReader()): DataConfig {
  const acu = { min: ACU.min, max: ACU.max, step: ACU.step };
  const profile = reader.profile();
  const config: DataConfig = {
    environmentSuffix: reader.environmentSuffix(),
    profile,
    logRetentionDays: reader.logRetentionDays(profile),
    engineMajorVersion: reader.oneOf("engineMajorVersion", AURORA_POSTGRES_MAJORS, AURORA_DEFAULTS.engineMajorVersion),
    minCapacity: reader.number("minCapacity", { default: AURORA_DEFAULTS.minCapacity, ...acu }),
    maxCapacity: reader.number("maxCapacity", { default: AURORA_DEFAULTS.maxCapacity, ...acu }),
    readerCount: reader.number("readerCount", {
      default: AURORA_DEFAULTS.readerCount,
      min: 0,
      max: MAX_AURORA_READERS,
      step: 1,
    }),
    databaseName: reader.string("databaseName", AURORA_DEFAULTS.databaseName),
    backupRetentionDays: reader.number("backupRetentionDays", {
      default: AURORA_DEFAULTS.backupRetentionDays,
      min: 7,
      max: 35,
      step: 1,
    }),
    preferredBackupWindow: reader.string("preferredBackupWindow", AURORA_DEFAULTS.preferredBackupWindow),
    preferredMaintenanceWindow: reader.string("preferredMaintenanceWindow", AURORA_DEFAULTS.preferredMaintenanceWindow),
    appSecretNames: reader.stringList("appSecretNames", []),
    alarmEmails: readAlarmSubscriptions(reader),
    alarms: readDataAlarmConfig(reader),
    upstream: reader.upstreamLocation(),
  };
  // Cross-field and AWS-format rules; per-key ranges were checked by the readers above.
  reader.check(
    config.maxCapacity >= ACU.minOfMax,
    "maxCapacity",
    config.maxCapacity,
    `must be at least ${ACU.minOfMax} ACU (the AWS minimum for the maximum)`,
  );
  reader.check(
    config.minCapacity <= config.maxCapacity,
    "minCapacity",
    config.minCapacity,
    `must be <= maxCapacity (${config.maxCapacity})`,
  );
  const windowChecks: Array<[keyof DataConfig & string, string | undefined]> = [
    ["databaseName", databaseNameProblem(config.databaseName)],
    ["preferredBackupWindow", backupWindowProblem(config.preferredBackupWindow)],
    [
      "preferredMaintenanceWindow",
      maintenanceWindowProblem(config.preferredMaintenanceWindow, config.preferredBackupWindow),
    ],
  ];
  for (const [key, problem] of windowChecks) if (problem) reader.fail(key, config[key], problem);
  if (profile === "production") {
    reader.check(
      config.readerCount >= 1,
      "readerCount",
      config.readerCount,
      "a production stack has at least one Aurora reader (a failover target in another zone)",
    );
  }
  reader.done();
  return config;
}
