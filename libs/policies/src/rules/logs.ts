import type { ResourceRule } from "../resource";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const LOG_RETENTION_DAYS = 30;

export const logGroupRetentionAndKey: ResourceRule = {
  kind: "resource",
  name: "log-group-retention-kms",
  description: `Every CloudWatch log group keeps exactly ${LOG_RETENTION_DAYS} days and is encrypted with a customer-managed KMS key (SPEC R14): logs neither grow forever nor sit readable by anyone with logs:Get*.`,
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== LOG_GROUP) return [];
    const problems: string[] = [];
    const retention = r.props["retentionInDays"];
    if (retention !== LOG_RETENTION_DAYS) {
      problems.push(`retentionInDays is ${retention === undefined ? "unset (never expire)" : String(retention)}; every log group keeps exactly ${LOG_RETENTION_DAYS} days (use EncryptedLogGroup).`);
    }
    if (typeof r.props["kmsKeyId"] !== "string" || r.props["kmsKeyId"] === "") {
      problems.push("kmsKeyId is unset; log groups are encrypted with a customer-managed key (use LogsKey + EncryptedLogGroup).");
    }
    return problems;
  },
};
