// Checks a deployed stack end to end: the API through CloudFront, then each layer's resources with the
// AWS SDK. Reads cfn-outputs/flat-outputs.json; without it every test is reported as skipped.
import * as fs from "node:fs";
import * as path from "node:path";
import { CloudFrontClient, GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";
import type { LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchLogsClient, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Service } from "@aws-sdk/client-ecs";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { loadOutputs, regionOf } from "./outputs";

const outputs = loadOutputs();
const describeDeployed = outputs ? describe : describe.skip;
const out = () => outputs as NonNullable<typeof outputs>;

/** The error document the edge serves for 404 (projects/edge/error-pages/404.json). */
const NOT_FOUND_DOCUMENT = path.resolve(__dirname, "..", "..", "..", "projects", "edge", "error-pages", "404.json");

async function get(url: string, timeoutMs = 15_000): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, {
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
    headers: { "user-agent": "mlapi-integration-tests" },
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describeDeployed("the API through CloudFront", () => {
  const base = () => out().cloudFrontUrl.replace(/\/$/, "");

  it("answers GET /health with 200", async () => {
    expect((await get(`${base()}/health`)).status).toBe(200);
  });

  it.each(["/api/v1/classify", "/api/v2/classify"])(
    "routes %s to the API (which accepts only POST there)",
    async (p) => {
      const res = await get(`${base()}${p}`);
      // 405 with Allow comes from the API itself: the ALB's own default for unknown paths is a 404.
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toContain("POST");
    },
  );

  it("serves the custom 404 JSON document, in the API's error shape, for an unknown path", async () => {
    const res = await get(`${base()}/no-such-path-${Date.now()}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(JSON.parse(res.body)).toEqual(JSON.parse(fs.readFileSync(NOT_FOUND_DOCUMENT, "utf8")));
  });

  it("redirects plain HTTP to HTTPS", async () => {
    const res = await get(`${base().replace(/^https:/, "http:")}/health`);
    expect([301, 302, 307, 308]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/^https:\/\//);
  });

  it("does not let clients reach the ALB around CloudFront", async () => {
    // The ALB is internal: its name resolves to private addresses, unreachable from outside the VPC.
    await expect(get(`http://${out().albDnsName}/health`, 5_000)).rejects.toThrow();
  });
});

describeDeployed("the CloudFront distribution", () => {
  it("is enabled, HTTPS-only for viewers, HTTP/2 and 3, with the 403 error page and a web ACL", async () => {
    const cf = new CloudFrontClient({ region: "us-east-1" });
    const { DistributionConfig: d } = await cf.send(
      new GetDistributionConfigCommand({ Id: out().cloudFrontDistributionId }),
    );
    expect(d?.Enabled).toBe(true);
    expect(d?.HttpVersion).toBe("http2and3");
    expect(d?.DefaultCacheBehavior?.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect((d?.CustomErrorResponses?.Items ?? []).map((e) => e.ErrorCode)).toEqual([403]);
    expect(d?.WebACLId).toMatch(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\//);
  });
});

describeDeployed("the ECS service", () => {
  let service: Service;
  beforeAll(async () => {
    const ecs = new ECSClient({ region: regionOf(out()) });
    const res = await ecs.send(
      new DescribeServicesCommand({ cluster: out().ecsClusterName, services: [out().ecsServiceName] }),
    );
    service = res.services?.[0] ?? {};
  });

  it("runs at least 2 tasks", () => {
    expect(service.status).toBe("ACTIVE");
    expect(service.runningCount).toBeGreaterThanOrEqual(2);
  });

  it("places tasks with the FARGATE_SPOT/FARGATE capacity-provider strategy, not a launch type", () => {
    const weights = Object.fromEntries(
      (service.capacityProviderStrategy ?? []).map((s) => [s.capacityProvider, s.weight]),
    );
    expect(Object.keys(weights).sort()).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(weights.FARGATE_SPOT).toBeGreaterThan(weights.FARGATE ?? 0);
    expect(service.launchType).toBeUndefined();
  });

  it("rolls back failed deployments and gives tasks no public IP", () => {
    expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe("DISABLED");
  });

  it("has at least 2 healthy targets behind the ALB", async () => {
    const targetGroupArn = service.loadBalancers?.[0]?.targetGroupArn;
    expect(targetGroupArn).toBeDefined();
    const elb = new ElasticLoadBalancingV2Client({ region: regionOf(out()) });
    const { TargetHealthDescriptions: targets = [] } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    expect(targets.filter((t) => t.TargetHealth?.State === "healthy").length).toBeGreaterThanOrEqual(2);
  });
});

describeDeployed("the Aurora cluster", () => {
  it("is Serverless v2 PostgreSQL, encrypted with a customer key, scaling 0.5-2 ACU, private", async () => {
    const rds = new RDSClient({ region: regionOf(out()) });
    const { DBClusters: [cluster] = [] } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: out().rdsClusterIdentifier }),
    );
    expect(cluster.Engine).toBe("aurora-postgresql");
    expect(cluster.EngineMode).toBe("provisioned");
    expect(cluster.StorageEncrypted).toBe(true);
    expect(cluster.KmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(cluster.ServerlessV2ScalingConfiguration).toMatchObject({ MinCapacity: 0.5, MaxCapacity: 2 });
    expect(cluster.DeletionProtection).toBe(false);
    expect(cluster.Endpoint).toBe(out().rdsClusterEndpoint);
    const { DBInstances: instances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: "db-cluster-id", Values: [out().rdsClusterIdentifier] }] }),
    );
    expect(instances.length).toBeGreaterThanOrEqual(1);
    for (const i of instances) expect([i.DBInstanceClass, i.PubliclyAccessible]).toEqual(["db.serverless", false]);
  });
});

describeDeployed("the sessions table", () => {
  const ddb = () => new DynamoDBClient({ region: regionOf(out()) });

  it("expires items by TTL", async () => {
    const { TimeToLiveDescription: ttl } = await ddb().send(
      new DescribeTimeToLiveCommand({ TableName: out().sessionsTableName }),
    );
    expect(ttl?.TimeToLiveStatus).toBe("ENABLED");
  });

  it("has point-in-time recovery on", async () => {
    const res = await ddb().send(new DescribeContinuousBackupsCommand({ TableName: out().sessionsTableName }));
    expect(res.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe("ENABLED");
  });

  it("bills on demand and encrypts with a customer key", async () => {
    const { Table: table } = await ddb().send(new DescribeTableCommand({ TableName: out().sessionsTableName }));
    expect(table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table?.SSEDescription).toMatchObject({ Status: "ENABLED", SSEType: "KMS" });
  });
});

describeDeployed("log groups", () => {
  /** The environment suffix: ENVIRONMENT_SUFFIX, else read from the cluster name `mlapi-cluster-<suffix>`. */
  const suffix = () => process.env.ENVIRONMENT_SUFFIX ?? out().ecsClusterName.replace(/^mlapi-cluster-/, "");

  async function logGroups(region: string, prefixes: string[]): Promise<LogGroup[]> {
    const logs = new CloudWatchLogsClient({ region });
    const found: LogGroup[] = [];
    for (const logGroupNamePrefix of prefixes) {
      for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix }))
        found.push(...(page.logGroups ?? []));
    }
    return found.filter((g) => g.logGroupName?.endsWith(`-${suffix()}`));
  }

  it("keep 30 days and are KMS-encrypted, in the stack's region and us-east-1 (CloudFront)", async () => {
    const prefixes = ["/mlapi/", "/aws/rds/cluster/mlapi-", "aws-waf-logs-mlapi-"];
    const groups = [
      ...(await logGroups(regionOf(out()), prefixes)),
      ...(regionOf(out()) === "us-east-1" ? [] : await logGroups("us-east-1", prefixes)),
    ];
    const named = Object.entries(out())
      .filter(([k, v]) => k.endsWith("LogGroupName") && typeof v === "string")
      .map(([, v]) => v as string);
    // Every log group an output names is among those found.
    expect(named.filter((n) => !groups.some((g) => g.logGroupName === n))).toEqual([]);
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(groups.filter((g) => g.retentionInDays !== 30 || !g.kmsKeyId).map((g) => g.logGroupName)).toEqual([]);
  });
});
