// A tiny Pulumi program for the monitoring components' tests: stand-ins for the resources each
// layer owns (their outputs come from the realistic mocks, so dimensions are built from real
// resource outputs), every monitoring component wired to them, thresholds and subscriptions read
// from config exactly as the layers read them. Never deployed.
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, Naming } from "@mlapi/core";
import {
  AlarmTopic,
  ApiDashboard,
  DataAlarms,
  EdgeAlarms,
  ServiceAlarms,
  readAlarmSubscriptions,
  readDataAlarmConfig,
  readEdgeAlarmConfig,
  readServiceAlarmConfig,
} from "../../src";
import * as aws from "../../src/aws";

const reader = new ConfigReader();
const subscriptions = readAlarmSubscriptions(reader);
const serviceThresholds = readServiceAlarmConfig(reader);
const dataThresholds = readDataAlarmConfig(reader);
const edgeThresholds = readEdgeAlarmConfig(reader);
reader.done();

const naming = new Naming("test");
// The fixture's stand-in for the edge's us-east-1 provider (a test fixture may name the region).
const usEast1 = new aws.Provider("cloudfront-region", { region: "us-east-1" });

// --- stand-ins for the layers' resources ---
const alb = new aws.lb.LoadBalancer("alb", { name: naming.name("alb", "alb"), loadBalancerType: "application" });
const targetGroup = new aws.lb.TargetGroup("tg", {
  name: naming.name("api", "targetGroup"),
  port: 8080,
  protocol: "HTTP",
  targetType: "ip",
});
const cluster = new aws.ecs.Cluster("cluster", { name: naming.name("cluster", "ecsCluster") });
const service = new aws.ecs.Service("api", { name: naming.name("api"), cluster: cluster.arn });
const visibility = (metricName: string) => ({
  metricName,
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
});
const webAcl = new aws.wafv2.WebAcl("waf", {
  name: naming.name("api", "wafWebAcl"),
  scope: "REGIONAL",
  defaultAction: { allow: {} },
  visibilityConfig: visibility("mlapiApiTest"),
});
const edgeWebAcl = new aws.wafv2.WebAcl(
  "edge-waf",
  {
    name: naming.name("edge", "wafWebAcl"),
    scope: "CLOUDFRONT",
    defaultAction: { allow: {} },
    visibilityConfig: visibility("mlapiEdgeTest"),
  },
  { provider: usEast1 },
);
const db = new aws.rds.Cluster("db", {
  clusterIdentifier: naming.name("db", "rdsCluster"),
  engine: "aurora-postgresql",
});
const table = new aws.dynamodb.Table("sessions", {
  name: naming.name("sessions", "dynamoTable"),
  billingMode: "PAY_PER_REQUEST",
  hashKey: "sessionId",
  attributes: [{ name: "sessionId", type: "S" }],
});
const distribution = new aws.cloudfront.Distribution("cdn", {
  enabled: true,
  origins: [{ originId: "alb", domainName: alb.dnsName }],
  defaultCacheBehavior: {
    targetOriginId: "alb",
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD"],
    cachedMethods: ["GET", "HEAD"],
  },
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: { cloudfrontDefaultCertificate: true },
});
const webAclMetric = (acl: aws.wafv2.WebAcl) => acl.visibilityConfig.apply((v) => v.metricName);

// --- monitoring ---
const topic = new AlarmTopic("alarms", { naming, subscriptions });
const edgeTopic = new AlarmTopic("edge-alarms", { naming, baseName: "edge-alarms" }, { provider: usEast1 });

const serviceAlarms = new ServiceAlarms("service", {
  naming,
  topicArn: topic.topicArn,
  albArnSuffix: alb.arnSuffix,
  targetGroupArnSuffix: targetGroup.arnSuffix,
  clusterName: cluster.name,
  serviceName: service.name,
  webAclMetricName: webAclMetric(webAcl),
  minRunningTasks: 2,
  thresholds: serviceThresholds,
});
new DataAlarms("data", {
  naming,
  topicArn: topic.topicArn,
  clusterIdentifier: db.clusterIdentifier,
  maxCapacityAcu: 2,
  sessionsTableName: table.name,
  thresholds: dataThresholds,
});
new EdgeAlarms(
  "edge",
  {
    naming,
    topicArn: edgeTopic.topicArn,
    distributionId: distribution.id,
    webAclMetricName: webAclMetric(edgeWebAcl),
    thresholds: edgeThresholds,
  },
  { provider: usEast1 },
);
const dashboard = new ApiDashboard("dashboard", {
  naming,
  cloudFrontRegion: aws.getRegionOutput({}, { provider: usEast1 }).region,
  cloudFrontDistributionId: distribution.id,
  edgeWebAclMetricName: webAclMetric(edgeWebAcl),
  albArnSuffix: alb.arnSuffix,
  targetGroupArnSuffix: targetGroup.arnSuffix,
  webAclMetricName: webAclMetric(webAcl),
  ecsClusterName: cluster.name,
  ecsServiceName: service.name,
  rdsClusterIdentifier: db.clusterIdentifier,
  maxCapacityAcu: 2,
  sessionsTableName: table.name,
});

export const alarmTopicArn = topic.topicArn;
export const edgeAlarmTopicArn = edgeTopic.topicArn;
export const deploymentAlarmNames = serviceAlarms.deploymentAlarmNames;
export const dashboardName = dashboard.dashboardName;
export const stackRegion = pulumi.output(aws.getRegionOutput().region);
