import type { ResourceRule } from "../resource";
import { isProduction } from "./profile";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const LOG_RETENTION_DAYS = 30;

/** The longer periods a production stack may keep its logs: CloudWatch's valid values from 30 days up. */
export const PRODUCTION_LOG_RETENTION_DAYS = [
  30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export const logGroupRetentionAndKey: ResourceRule = {
  kind: "resource",
  name: "log-group-retention-kms",
  description:
    `Every CloudWatch log group keeps exactly ${LOG_RETENTION_DAYS} days (a production stack: ${LOG_RETENTION_DAYS} or a longer CloudWatch period) and is ` +
    "encrypted with a customer-managed KMS key (R14): logs neither grow forever nor sit readable by anyone with logs:Get*.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== LOG_GROUP) return [];
    const problems: string[] = [];
    const retention = r.props["retentionInDays"];
    if (isProduction(r)) {
      if (!PRODUCTION_LOG_RETENTION_DAYS.includes(retention as number)) {
        problems.push(
          `retentionInDays is ${retention === undefined ? "unset (never expire)" : String(retention)}; a production stack keeps one of ${PRODUCTION_LOG_RETENTION_DAYS.join(", ")} days (logRetentionDays).`,
        );
      }
    } else if (retention !== LOG_RETENTION_DAYS) {
      problems.push(
        `retentionInDays is ${retention === undefined ? "unset (never expire)" : String(retention)}; every log group keeps exactly ${LOG_RETENTION_DAYS} days (use EncryptedLogGroup).`,
      );
    }
    if (typeof r.props["kmsKeyId"] !== "string" || r.props["kmsKeyId"] === "") {
      problems.push(
        "kmsKeyId is unset; log groups are encrypted with a customer-managed key (use LogsKey + EncryptedLogGroup).",
      );
    }
    return problems;
  },
};
