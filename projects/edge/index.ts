// Edge layer (mlapi-edge): the CloudFront distribution in front of the API (R16-R17): a
// us-east-1 ACM certificate (or an existing one, or CloudFront's default for throwaway stacks),
// a CLOUDFRONT-scope WAF web ACL, JSON 403/404 documents from a private S3 bucket behind origin
// access control, access logs in CloudWatch Logs and the domain's A/AAAA alias records.
// Reads the service layer (the internal ALB: originAlbArn, originProtocol, originPort, originVpcId,
// originSecurityGroupId, originDomainName) and reaches it through a CloudFront VPC origin, whose
// security group is the ALB's only ingress. Nothing reads the edge except the flat-outputs tool
// and the integration tests (cloudFrontUrl). Also alarms on CloudFront and the edge WAF (in
// us-east-1) and owns the environment's dashboard (docs/monitoring.md).
import * as path from "node:path";
import * as awsConfig from "@pulumi/aws/config";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeOutputs, LayerOutputs } from "@mlapi/core";
import { SERVICE, startLayer, Upstream } from "@mlapi/core";
import {
  AlarmTopic,
  ApiDashboard,
  ApiDistribution,
  ApiVpcOrigin,
  CloudFrontAccessLogs,
  CloudFrontWebAcl,
  DnsAliasRecords,
  EdgeAlarms,
  edgeNeedsOwnAlarmTopic,
  ErrorPagesBucket,
  CLOUDFRONT_REGION,
  LogsKey,
  OriginCertificate,
  VENDED_LOGS_PREFIX,
  WAF_LOG_GROUP_PREFIX,
} from "@mlapi/components";
import { loadConfig } from "./src/config";

const cfg = loadConfig();
const { naming } = startLayer("edge", cfg.environmentSuffix, cfg);
const service = new Upstream(SERVICE, cfg.upstream);
const cert = cfg.certificate;
const domainName = cert.kind === "default" ? undefined : cert.domainName;
const hostedZoneId = cert.kind === "default" ? undefined : cert.hostedZoneId;

// CloudFront keeps its certificates, CLOUDFRONT-scope web ACLs, metrics and log delivery in
// us-east-1, whatever the stack's region: those components put their resources there with the
// per-resource `region` input, so the stack's one provider (all its `aws:` config) creates them.
const accessLogGroupName = `${VENDED_LOGS_PREFIX}${naming.logGroupName("cloudfront-access").slice(1)}`;
const wafLogGroupName = `${WAF_LOG_GROUP_PREFIX}${naming.name("edge-waf", "logGroup")}`;
const logsKey = new LogsKey("edge-logs", {
  aliasName: `alias/${naming.name("edge-logs")}`,
  description: `CloudFront access and WAF logs of mlapi ${cfg.environmentSuffix}`,
  logGroupNames: [accessLogGroupName, wafLogGroupName],
  region: CLOUDFRONT_REGION,
});
const webAcl = new CloudFrontWebAcl("edge-waf", {
  name: naming.name("edge", "wafWebAcl"),
  logGroupName: wafLogGroupName,
  kmsKeyArn: logsKey.keyArn,
  rateLimit: cfg.rateLimit,
  rateLimitWindowSeconds: cfg.rateLimitWindowSeconds,
  batchRateLimit: cfg.batchRateLimit,
  region: CLOUDFRONT_REGION,
});
// The service layer's DNS-validated certificate component; in us-east-1 it is CloudFront's.
const certificateArn =
  cert.kind === "create"
    ? new OriginCertificate("edge-certificate", {
        domainName: cert.domainName,
        hostedZoneId: cert.hostedZoneId,
        region: CLOUDFRONT_REGION,
      }).certificateArn
    : cert.kind === "existing"
      ? cert.certificateArn
      : undefined;

// 403 (a WAF block, whose own body is CloudFront's HTML) and 404 (R16) are replaced by documents in
// the API's error shape. CloudFront replaces every 404, the app's precise one included: the price of
// one documented page per status (README "What error pages callers see").
const errorPages = new ErrorPagesBucket("error-pages", {
  naming,
  documents: [403, 404].map((statusCode) => ({
    statusCode,
    file: path.join(__dirname, "error-pages", `${statusCode}.json`),
  })),
});
// --- origin: the service's internal ALB through a VPC origin; its ingress comes from the VPC origin's group ---
const vpcOrigin = new ApiVpcOrigin("api-origin", {
  name: naming.name("api-origin"),
  loadBalancerArn: service.require("originAlbArn"),
  protocol: service.require("originProtocol"),
  port: service.require("originPort"),
  vpcId: service.require("originVpcId"),
  albSecurityGroupId: service.require("originSecurityGroupId"),
});
const distribution = new ApiDistribution("api", {
  naming,
  comment: `mlapi API (${cfg.environmentSuffix})`,
  apiOrigin: {
    domainName: service.require("originDomainName"),
    vpcOriginId: vpcOrigin.vpcOriginId,
    readTimeoutSeconds: cfg.originReadTimeoutSeconds,
  },
  errorPages: {
    bucketName: errorPages.bucketName,
    bucketArn: errorPages.bucketArn,
    bucketRegionalDomainName: errorPages.bucketRegionalDomainName,
    originAccessControlId: errorPages.originAccessControl.id,
    keyPrefix: errorPages.keyPrefix,
    pagePaths: errorPages.pagePaths,
    dependsOn: errorPages.publicAccessBlock,
  },
  certificate: certificateArn && domainName ? { acmCertificateArn: certificateArn, aliases: [domainName] } : "default",
  webAclArn: webAcl.arn,
  priceClass: cfg.priceClass,
  errorCachingMinTtlSeconds: cfg.errorCachingTtlSeconds,
});
const accessLogs = new CloudFrontAccessLogs("access-logs", {
  distributionArn: distribution.distributionArn,
  deliveryName: naming.name("cloudfront-access", "logDelivery"),
  logGroupName: accessLogGroupName,
  kmsKeyArn: logsKey.keyArn,
  region: CLOUDFRONT_REGION,
});
if (domainName && hostedZoneId) {
  new DnsAliasRecords("api-dns", {
    hostedZoneId,
    domainName,
    targetDomainName: distribution.domainName,
    targetZoneId: distribution.hostedZoneId,
  });
}

// --- monitoring: CloudFront's metrics and so its alarms are in us-east-1, and an alarm can only
// notify a topic of its own region: outside us-east-1 the edge needs a topic of its own there ---
const ownAlarmTopic = edgeNeedsOwnAlarmTopic(
  awsConfig.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"],
)
  ? new AlarmTopic("alarms", {
      naming,
      baseName: "edge-alarms",
      subscriptions: cfg.alarmEmails,
      region: CLOUDFRONT_REGION,
    })
  : undefined;
if (!ownAlarmTopic && cfg.alarmEmails.length > 0)
  pulumi.log.warn(
    "alarmEmails is unused in us-east-1: the edge alarms notify the data layer's topic; subscribe there.",
  );
new EdgeAlarms("edge-alarms", {
  naming,
  topicArn: ownAlarmTopic?.topicArn ?? service.require("alarmTopicArn"),
  distributionId: distribution.distributionId,
  webAclMetricName: webAcl.metricName,
  thresholds: cfg.alarms,
  region: CLOUDFRONT_REGION,
});
const dashboard = new ApiDashboard("dashboard", {
  naming,
  cloudFrontRegion: CLOUDFRONT_REGION,
  cloudFrontDistributionId: distribution.distributionId,
  edgeWebAclMetricName: webAcl.metricName,
  albArnSuffix: service.require("albArnSuffix"),
  targetGroupArnSuffix: service.require("targetGroupArnSuffix"),
  webAclMetricName: service.require("wafWebAclMetricName"),
  ecsClusterName: service.require("ecsClusterName"),
  ecsServiceName: service.require("ecsServiceName"),
  rdsClusterIdentifier: service.require("rdsClusterIdentifier"),
  sessionsTableName: service.require("sessionsTableName"),
});

const outputs: LayerOutputs<EdgeOutputs> = {
  cloudFrontUrl: domainName ? `https://${domainName}` : distribution.domainName.apply((d) => `https://${d}`),
  cloudFrontDistributionId: distribution.distributionId,
  cloudFrontDomainName: distribution.domainName,
  errorPagesBucketName: errorPages.bucketName,
  cloudFrontWebAclArn: webAcl.arn,
  cloudFrontLogGroupName: accessLogs.logGroup.name,
  alarmTopicArn: ownAlarmTopic?.topicArn ?? service.require("alarmTopicArn"),
  dashboardName: dashboard.dashboardName,
};
export = outputs;
