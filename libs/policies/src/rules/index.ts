import type { Rule } from "../resource";
import { configRoleManagedPolicy, noGuardDuty } from "./account";
import { albAccessLogs, cloudfrontLogging, containerInsights, wafOnEntryPoints } from "./advisory";
import { destroyable } from "./destroyability";
import { customerKeyEncryption, kmsKeyRotation, s3BucketEncryption } from "./encryption";
import {
  albOriginExposure,
  ecsNoPublicIp,
  rdsNotPublic,
  s3PublicAccessBlock,
  securityGroupNoOpenIngress,
} from "./exposure";
import { iamLeastPrivilege, iamNoFullAccess, iamRoleBoundary, iamSingleServiceTrust } from "./iam";
import { logGroupRetentionAndKey } from "./logs";
import { namingSuffix } from "./naming";
import {
  containerInsightsLogGroup,
  ecsProductionOnDemandBase,
  ecsServiceSteadyState,
  vendedLogsPrefix,
} from "./operations";
import { requiredTags } from "./tags";
import { albHttpRedirect, albTlsPolicy, cloudfrontTls, rdsForceSsl } from "./tls";
import { wafBodyRulesUploadException, wafRateLimitKey } from "./waf";

/** Every rule of the platform, in the order the report lists them. Written once, run by both the pack and the plan. */
export const RULES: readonly Rule[] = [
  namingSuffix,
  requiredTags,
  logGroupRetentionAndKey,
  customerKeyEncryption,
  kmsKeyRotation,
  s3BucketEncryption,
  rdsNotPublic,
  s3PublicAccessBlock,
  ecsNoPublicIp,
  securityGroupNoOpenIngress,
  albOriginExposure,
  wafRateLimitKey,
  iamLeastPrivilege,
  iamSingleServiceTrust,
  iamNoFullAccess,
  iamRoleBoundary,
  albTlsPolicy,
  albHttpRedirect,
  cloudfrontTls,
  rdsForceSsl,
  destroyable,
  ecsServiceSteadyState,
  ecsProductionOnDemandBase,
  containerInsightsLogGroup,
  vendedLogsPrefix,
  noGuardDuty,
  configRoleManagedPolicy,
  albAccessLogs,
  cloudfrontLogging,
  wafOnEntryPoints,
  containerInsights,
  wafBodyRulesUploadException,
];

export * from "./account";
export * from "./advisory";
export * from "./destroyability";
export * from "./encryption";
export * from "./exposure";
export * from "./iam";
export * from "./logs";
export * from "./naming";
export * from "./operations";
export * from "./profile";
export * from "./tags";
export * from "./tls";
export * from "./waf";
