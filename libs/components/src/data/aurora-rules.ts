// AWS rules for Aurora PostgreSQL Serverless v2 settings that a mock would accept but CreateDBCluster
// rejects. Pure functions, shared by the data layer's config validation and the component itself.

/** Aurora PostgreSQL majors in RDS standard support through 2026 (16 until 2029, 17 until 2030). */
export const AURORA_POSTGRES_MAJORS = [16, 17] as const;
export type AuroraPostgresMajor = (typeof AURORA_POSTGRES_MAJORS)[number];

/** Serverless v2 capacity bounds: ACUs in 0.5 steps; AWS requires a maximum of at least 1 ACU. */
export const ACU = { min: 0.5, max: 256, step: 0.5, minOfMax: 1 } as const;

/** Aurora allows at most 15 replicas per cluster. */
export const MAX_AURORA_READERS = 15;

/** The cluster parameter group family of a major, e.g. `aurora-postgresql16`. */
export function parameterGroupFamily(major: AuroraPostgresMajor): string {
  return `aurora-postgresql${major}`;
}

/** Where RDS writes a cluster's exported postgresql log; the stack must create it first (R6). */
export function auroraLogGroupName(clusterIdentifier: string): string {
  return `/aws/rds/cluster/${clusterIdentifier}/postgresql`;
}

const isAcu = (v: number): boolean =>
  Number.isFinite(v) && v >= ACU.min && v <= ACU.max && Number.isInteger(v / ACU.step);

/** Problems with a Serverless v2 ACU range, as `[field, rule]` pairs; empty when valid. */
export function acuRangeProblems(
  minCapacity: number,
  maxCapacity: number,
): Array<[field: "minCapacity" | "maxCapacity", rule: string]> {
  const rule = `must be a number of ACUs from ${ACU.min} to ${ACU.max} in steps of ${ACU.step}`;
  const problems: Array<["minCapacity" | "maxCapacity", string]> = [];
  if (!isAcu(minCapacity)) problems.push(["minCapacity", rule]);
  if (!isAcu(maxCapacity)) problems.push(["maxCapacity", rule]);
  else if (maxCapacity < ACU.minOfMax)
    problems.push(["maxCapacity", `must be at least ${ACU.minOfMax} ACU (AWS minimum for the maximum capacity)`]);
  if (problems.length === 0 && minCapacity > maxCapacity) {
    problems.push(["minCapacity", `must be <= maxCapacity (${maxCapacity})`]);
  }
  return problems;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const HHMM = "([01]\\d|2[0-3]):([0-5]\\d)";
const BACKUP_WINDOW = new RegExp(`^${HHMM}-${HHMM}$`);
const MAINTENANCE_WINDOW = new RegExp(`^(${DAYS.join("|")}):${HHMM}-(${DAYS.join("|")}):${HHMM}$`);
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** [start, end) in minutes, end > start (wrapping past midnight / the week's end adds a period). */
type Span = [number, number];

function backupSpan(window: string): Span | undefined {
  const m = BACKUP_WINDOW.exec(window);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return [start, end > start ? end : end + DAY_MINUTES];
}

function maintenanceSpan(window: string): Span | undefined {
  const m = MAINTENANCE_WINDOW.exec(window);
  if (!m) return undefined;
  const at = (day: string, h: string, min: string) =>
    DAYS.indexOf(day as (typeof DAYS)[number]) * DAY_MINUTES + Number(h) * 60 + Number(min);
  const start = at(m[1], m[2], m[3]);
  const end = at(m[4], m[5], m[6]);
  return [start, end > start ? end : end + WEEK_MINUTES];
}

/** Why a daily backup window (`hh:mm-hh:mm`, UTC) is not accepted by RDS, or undefined. */
export function backupWindowProblem(window: string): string | undefined {
  const span = backupSpan(window);
  if (!span) return "must be hh:mm-hh:mm in UTC, e.g. 03:00-04:00";
  if (span[1] - span[0] < 30) return "must be at least 30 minutes long";
  return undefined;
}

/**
 * Why a weekly maintenance window (`ddd:hh:mm-ddd:hh:mm`, UTC) is not accepted by RDS, or undefined:
 * at least 30 minutes, at most 24 hours, and not overlapping the daily backup window on any day.
 */
export function maintenanceWindowProblem(window: string, backupWindow: string): string | undefined {
  const span = maintenanceSpan(window);
  if (!span) return "must be ddd:hh:mm-ddd:hh:mm in UTC (ddd = mon..sun), e.g. sun:04:30-sun:05:30";
  const length = span[1] - span[0];
  if (length < 30) return "must be at least 30 minutes long";
  if (length > DAY_MINUTES) return "must be at most 24 hours long";
  const backup = backupSpan(backupWindow);
  if (backup) {
    // Compare against the backup window on every day, and one week later for windows that wrap.
    for (let day = 0; day <= 7; day++) {
      const b: Span = [backup[0] + day * DAY_MINUTES, backup[1] + day * DAY_MINUTES];
      for (const shift of [0, WEEK_MINUTES]) {
        if (span[0] + shift < b[1] && b[0] < span[1] + shift)
          return `must not overlap the backup window ${backupWindow}`;
      }
    }
  }
  return undefined;
}

/** Why a name is not a valid initial database name for Aurora PostgreSQL, or undefined. */
export function databaseNameProblem(value: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(value))
    return "must start with a letter and hold 1-63 letters, digits or underscores";
  if (["postgres", "rdsadmin", "template0", "template1"].includes(value.toLowerCase()))
    return "is a database RDS or PostgreSQL already creates";
  return undefined;
}

/**
 * The identifier of the final snapshot RDS takes when a production cluster is deleted:
 * `<cluster identifier>-final-<token>`, where the token is random per cluster (a new one after each
 * destroy), because snapshots outlive the stack and a second destroy must not reuse a name.
 */
export function finalSnapshotIdentifier(clusterIdentifier: string, token: string): string {
  return `${clusterIdentifier}-final-${token}`;
}

/**
 * Why a value is not a valid DB cluster snapshot identifier (RDS CreateDBClusterSnapshot): 1-255
 * letters, digits or hyphens, starting with a letter, no two hyphens in a row, no trailing hyphen.
 */
export function snapshotIdentifierProblem(value: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,254}$/.test(value))
    return "must start with a letter and hold 1-255 letters, digits or hyphens";
  if (value.includes("--") || value.endsWith("-"))
    return "must not contain two consecutive hyphens or end with a hyphen";
  return undefined;
}
