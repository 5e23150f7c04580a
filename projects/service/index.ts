// Service layer (mlapi-service): the API on ECS Fargate (70 % Spot) behind an internal ALB that
// only the edge's CloudFront VPC origin reaches, with a REGIONAL WAF ACL, request-count and CPU auto scaling,
// an ECR repository, encrypted log groups and least-privilege task roles. Reads the network layer
// (subnets, alb/app security groups, appPort) and the data layer (table, RDS endpoint and
// master secret, app secrets, data key, alarm topic); the edge layer reads its outputs. Alarms on
// the ALB, ECS and WAF notify the data layer's topic; three of them roll back a bad deployment.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { LayerOutputs, ServiceOutputs } from "@mlapi/core";
import { DATA, NETWORK, startLayer, Upstream } from "@mlapi/core";
import {
  AccessLogsBucket,
  AlbWebAcl,
  ApiImage,
  ApiLoadBalancer,
  ApiService,
  apiSecrets,
  albWafLogGroupName,
  apiServiceName,
  capacityProviderStrategy,
  containerInsightsLogGroupName,
  EncryptedLogGroup,
  FargateCluster,
  fargateClusterName,
  ecrRepositoryArn,
  ImageRepository,
  LogsKey,
  OriginCertificate,
  requestCountResourceLabel,
  ServiceAlarms,
  ServiceScaling,
  TaskRoles,
} from "@mlapi/components";
import { loadConfig } from "./src/config";

const cfg = loadConfig();
const { naming, suffix } = startLayer("service", cfg.environmentSuffix, cfg);
const network = new Upstream(NETWORK, cfg.upstream);
const data = new Upstream(DATA, cfg.upstream);
const appPort = network.require("appPort");

// --- logs: one key for the task, WAF and Container Insights log groups (WAF requires the aws-waf-logs- prefix) ---
const apiLogGroupName = naming.logGroupName("api");
const wafLogGroupName = albWafLogGroupName(naming);
const logsKey = new LogsKey("service-logs", {
  aliasName: `alias/${naming.name("service-logs")}`,
  description: `API, WAF and Container Insights logs of mlapi ${suffix}`,
  logGroupNames: [apiLogGroupName, wafLogGroupName, containerInsightsLogGroupName(fargateClusterName(naming))],
});
const apiLogs = new EncryptedLogGroup("api-logs", { name: apiLogGroupName, kmsKeyArn: logsKey.keyArn });
const wafLogs = new EncryptedLogGroup("waf-logs", { name: wafLogGroupName, kmsKeyArn: logsKey.keyArn });

// --- image: apps/ml-api built and pushed at deploy, unless config `image` names a prebuilt one ---
const repository = new ImageRepository("api-image", { naming, keyAlias: true });
const image =
  cfg.image ??
  new ApiImage("api-build", {
    repositoryUrl: repository.repositoryUrl,
    registryId: repository.registryId,
    // The repository root is the build context: the image installs from the workspace lockfile.
    source: { contextDir: path.resolve(__dirname, "..", ".."), dockerfile: "apps/ml-api/Dockerfile" },
    cpuArchitecture: cfg.cpuArchitecture,
  }).imageRef;

// --- load balancer: CloudFront VPC origin (edge) → internal ALB → tasks; the edge adds the ALB's ingress ---
const tls = cfg.originTls;
const originDomainName = tls.kind === "none" ? undefined : `origin.${tls.domainName}`;
const certificateArn =
  tls.kind === "existing"
    ? tls.certificateArn
    : tls.kind === "create"
      ? new OriginCertificate("origin", { domainName: `origin.${tls.domainName}`, hostedZoneId: tls.hostedZoneId })
          .certificateArn
      : undefined;
const originZoneId = tls.kind === "none" ? undefined : tls.hostedZoneId;
const accessLogs = new AccessLogsBucket("alb-logs", { naming });
const alb = new ApiLoadBalancer("api-lb", {
  naming,
  vpcId: network.require("vpcId"),
  privateSubnetIds: network.require("privateSubnetIds"),
  securityGroupId: network.require("albSecurityGroupId"),
  targetPort: appPort,
  accessLogs: { bucket: accessLogs.bucketName, prefix: accessLogs.prefix },
  certificateArn,
  originRecord:
    originDomainName !== undefined && originZoneId !== undefined
      ? { zoneId: originZoneId, name: originDomainName }
      : undefined,
  // The production profile: ELB refuses to delete it until the protection is lifted (docs/operations.md).
  deletionProtection: cfg.profile === "production",
  dependsOn: [accessLogs.policy],
});
const waf = new AlbWebAcl("api-waf", { naming, loadBalancerArn: alb.loadBalancer.arn, logGroupArn: wafLogs.arn });

// --- compute: cluster, roles, task definition and service, auto scaling ---
const strategy = capacityProviderStrategy(cfg.spotWeight, cfg.onDemandWeight, cfg.onDemandBase);
const cluster = new FargateCluster("api-cluster", { naming, defaultStrategy: strategy, logsKmsKeyArn: logsKey.keyArn });
const masterSecretArn = data.require("rdsMasterSecretArn");
const appSecretArns = data.require("appSecretArns");
const roles = new TaskRoles("api-roles", {
  naming,
  // A prebuilt image is pulled from its own repository, and only from there.
  repositoryArn: cfg.image === undefined ? repository.arn : ecrRepositoryArn(cfg.image),
  logGroupArn: apiLogs.arn,
  secretArns: pulumi.all([masterSecretArn, appSecretArns]).apply(([master, apps]) => [master, ...apps]),
  secretsKmsKeyArns: pulumi
    .all([data.require("dataKmsKeyArn"), data.require("appSecretKmsKeyArns")])
    .apply(([dataKey, apps]) => [dataKey, ...apps]),
  dbSecretArn: masterSecretArn,
  dbSecretKmsKeyArn: data.require("dataKmsKeyArn"),
  tableArn: data.require("sessionsTableArn"),
  tableKmsKeyArn: data.require("dataKmsKeyArn"),
  permissionsBoundaryName: cfg.permissionsBoundary,
});
// --- alarms: declared before the service, whose deployments watch three of them (docs/monitoring.md) ---
const alarms = new ServiceAlarms("api-alarms", {
  naming,
  topicArn: data.require("alarmTopicArn"),
  albArnSuffix: alb.loadBalancer.arnSuffix,
  targetGroupArnSuffix: alb.targetGroup.arnSuffix,
  clusterName: cluster.name,
  serviceName: apiServiceName(naming),
  webAclMetricName: waf.webAcl.visibilityConfig.metricName,
  minRunningTasks: cfg.minCapacity,
  thresholds: cfg.alarms,
});
const api = new ApiService("api", {
  naming,
  clusterArn: cluster.arn,
  capacityProviderStrategy: strategy,
  image,
  cpu: cfg.cpu,
  memory: cfg.memory,
  cpuArchitecture: cfg.cpuArchitecture,
  containerPort: appPort,
  environment: {
    NODE_ENV: "production",
    PORT: pulumi.interpolate`${appPort}`,
    SESSIONS_TABLE_NAME: data.require("sessionsTableName"),
    DB_HOST: data.require("rdsClusterEndpoint"),
    DB_PORT: pulumi.interpolate`${data.require("rdsClusterPort")}`,
    DB_NAME: data.require("rdsDatabaseName"),
    // After the weekly rotation the injected DB_SECRET is stale: the app re-reads the secret by ARN (R23).
    DB_SECRET_ARN: masterSecretArn,
    // Inference threads = whole vCPUs of the task (at least 1), rather than what the container guesses from cgroups.
    WORKER_THREADS: String(Math.max(1, Math.floor(cfg.cpu / 1024))),
    // The API's EMF metrics carry this as their `service` dimension: environments sharing an account stay apart.
    METRICS_SERVICE: apiServiceName(naming),
  },
  secrets: pulumi.all([masterSecretArn, appSecretArns]).apply(([master, apps]) => apiSecrets(master, apps)),
  logGroupName: apiLogs.name,
  executionRoleArn: roles.executionRole.arn,
  taskRoleArn: roles.taskRole.arn,
  subnetIds: network.require("privateSubnetIds"),
  securityGroupIds: [network.require("appSecurityGroupId")],
  targetGroupArn: alb.targetGroup.arn,
  desiredCount: cfg.desiredCount,
  healthCheckGracePeriodSeconds: cfg.healthCheckGracePeriodSeconds,
  dependsOn: [cluster.capacityProviders, ...alb.rules, ...roles.policies],
  deploymentAlarmNames: alarms.deploymentAlarmNames,
});
new ServiceScaling("api-scaling", {
  clusterName: cluster.name,
  serviceName: api.serviceName,
  service: api.service,
  minCapacity: cfg.minCapacity,
  maxCapacity: cfg.maxCapacity,
  resourceLabel: requestCountResourceLabel(alb.loadBalancer.arnSuffix, alb.targetGroup.arnSuffix),
  naming,
  requestsPerTarget: cfg.requestsPerTarget,
  cpuTargetPercent: cfg.cpuTargetPercent,
});

const outputs: LayerOutputs<ServiceOutputs> = {
  albDnsName: alb.loadBalancer.dnsName,
  albZoneId: alb.loadBalancer.zoneId,
  albArnSuffix: alb.loadBalancer.arnSuffix,
  targetGroupArnSuffix: alb.targetGroup.arnSuffix,
  originProtocol: alb.protocol,
  originDomainName: originDomainName ?? alb.loadBalancer.dnsName,
  // What the edge needs for its VPC origin and the ALB's one ingress rule.
  originAlbArn: alb.loadBalancer.arn,
  originPort: alb.listenerPort,
  originVpcId: network.require("vpcId"),
  originSecurityGroupId: network.require("albSecurityGroupId"),
  ecsClusterName: cluster.name,
  ecsServiceName: api.serviceName,
  ecrRepositoryUrl: repository.repositoryUrl,
  apiImage: image,
  wafWebAclArn: waf.arn,
  serviceLogGroupName: apiLogs.name,
  albAccessLogsBucketName: accessLogs.bucketName,
  wafWebAclMetricName: waf.webAcl.visibilityConfig.metricName,
  // Re-exported so the edge, which reads only this layer, can alarm and draw the dashboard.
  alarmTopicArn: data.require("alarmTopicArn"),
  rdsClusterIdentifier: data.require("rdsClusterIdentifier"),
  sessionsTableName: data.require("sessionsTableName"),
};
export = outputs;
