import * as fs from "node:fs";
import * as path from "node:path";
import type { DataOutputs } from "@mlapi/core";
import { SERVICE } from "@mlapi/core";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import {
  MANAGED_IDS,
  MOCK_ACCOUNT_ID,
  ofType,
  one,
  policyDocument,
  programLoader,
  ref,
  renderProgram,
} from "@mlapi/testing";
import {
  APP_PORT,
  APP_SECRET_ARN,
  APP_SECRET_KEY_ARN,
  DATA_KEY_ARN,
  MASTER_SECRET_ARN,
  PREBUILT_IMAGE,
  REGION,
  TABLE_ARN,
  dataOutputs,
  upstream,
} from "./fixtures";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const ROOT = path.resolve(__dirname, "..", "..", "..");

const render = (config: Record<string, unknown> = {}, stack = "dev", stackOutputs = upstream(stack)) =>
  renderProgram({
    project: "mlapi-service",
    stack,
    config: { "aws:region": REGION, ...config },
    stackOutputs,
    load,
  });

const T = {
  service: "aws:ecs/service:Service",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  capacity: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  alb: "aws:lb/loadBalancer:LoadBalancer",
  tg: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  rule: "aws:lb/listenerRule:ListenerRule",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  image: "docker-build:index:Image",
};

type Statement = Record<string, unknown>;
const statements = (value: unknown): Statement[] => policyDocument(value).Statement;
const bySid = (value: unknown, sid: string): Statement => {
  const found = statements(value).find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

interface Container {
  name: string;
  image: string;
  user: string;
  readonlyRootFilesystem: boolean;
  mountPoints: unknown[];
  portMappings: Array<{ containerPort: number }>;
  environment: Array<{ name: string; value: string }>;
  secrets: Array<{ name: string; valueFrom: string }>;
  logConfiguration: { logDriver: string; options: Record<string, string> };
  healthCheck: { command: string[]; interval: number };
  stopTimeout: number;
}
const container = (r: RenderResult): Container =>
  (JSON.parse(String(one(r, T.taskDef).inputs.containerDefinitions)) as Container[])[0];

describe("service layer with the default config (no certificate)", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });
  const service = () => one(r, T.service);

  describe("capacity (R9)", () => {
    it("puts 7 of every 10 tasks on FARGATE_SPOT and 3 on FARGATE, and never sets a launch type", () => {
      expect(service().inputs.capacityProviderStrategies).toEqual([
        { capacityProvider: "FARGATE_SPOT", weight: 7 },
        { capacityProvider: "FARGATE", weight: 3 },
      ]);
      expect(service().inputs.launchType).toBeUndefined();
    });

    it("forces a new deployment on update, which the provider requires to change the strategy on a live service", () => {
      expect(service().inputs.forceNewDeployment).toBe(true);
    });

    it("associates FARGATE and FARGATE_SPOT with the cluster, with the same default strategy", () => {
      const cp = one(r, T.capacity);
      expect(cp.inputs.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
      expect(cp.inputs.clusterName).toBe("mlapi-cluster-dev");
      expect(cp.inputs.defaultCapacityProviderStrategies).toEqual(service().inputs.capacityProviderStrategies);
    });

    it("turns Container Insights on for the cluster", () => {
      expect(one(r, "aws:ecs/cluster:Cluster").inputs.settings).toEqual([
        { name: "containerInsights", value: "enabled" },
      ]);
    });

    it("makes the service wait for the capacity-provider association and every listener rule", () => {
      const rules = ofType(r, T.rule);
      expect(rules).toHaveLength(3);
      expect(service().dependsOn).toEqual(expect.arrayContaining([ref(one(r, T.capacity)), ...rules.map(ref)]));
    });
  });

  describe("service (R10)", () => {
    it("starts 2 tasks and leaves the count to auto scaling afterwards", () => {
      expect(service().inputs.desiredCount).toBe(2);
      expect(service().ignoreChanges).toEqual(["desiredCount"]);
    });

    it("rolls back a failing deployment and replaces tasks at 100/200 percent", () => {
      expect(service().inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
      expect(service().inputs.deploymentMinimumHealthyPercent).toBe(100);
      expect(service().inputs.deploymentMaximumPercent).toBe(200);
    });

    it("runs tasks in the private subnets with the app security group and no public IP", () => {
      expect(service().inputs.networkConfiguration).toEqual({
        subnets: ["subnet-priv-a", "subnet-priv-b", "subnet-priv-c"],
        securityGroups: ["sg-app"],
        assignPublicIp: false,
      });
    });

    it("registers the container on the network's app port with the target group, after a 60 s grace period", () => {
      expect(service().inputs.loadBalancers).toEqual([
        { targetGroupArn: one(r, T.tg).id, containerName: "api", containerPort: APP_PORT },
      ]);
      expect(service().inputs.healthCheckGracePeriodSeconds).toBe(60);
    });

    it("has no ECS Exec (read-only root filesystem), and no runbook sends on-call there", () => {
      expect(service().inputs.enableExecuteCommand).toBeUndefined();
      const runbooks = ["docs/operations.md", "projects/data/README.md", "projects/service/README.md"].map((f) =>
        fs.readFileSync(path.join(ROOT, f), "utf8"),
      );
      for (const text of runbooks) expect(text).not.toMatch(/use ECS Exec|ECS Exec into/i);
    });

    it("propagates the service's tags to its tasks and adds the ECS-managed ones", () => {
      expect(service().inputs.propagateTags).toBe("SERVICE");
      expect(service().inputs.enableEcsManagedTags).toBe(true);
    });
  });

  describe("task definition", () => {
    it("is an awsvpc Fargate task of 1 vCPU / 2 GiB (the size apps/ml-api's benchmark recommends) on X86_64", () => {
      expect(one(r, T.taskDef).inputs).toMatchObject({
        family: "mlapi-api-dev",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "1024",
        memory: "2048",
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        volumes: [{ name: "tmp" }],
      });
    });

    it("runs the image as a non-root user on a read-only root filesystem with a writable /tmp", () => {
      const c = container(r);
      expect(c.image).toBe(one(r, T.image).state.ref);
      expect(c.user).toBe("1000:1000");
      expect(c.readonlyRootFilesystem).toBe(true);
      expect(c.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
    });

    it("listens on the network's app port", () => {
      expect(container(r).portMappings.map((p) => p.containerPort)).toEqual([APP_PORT]);
    });

    it("passes region, table, database location and secret ARN and one inference worker per vCPU as plain environment variables", () => {
      expect(Object.fromEntries(container(r).environment.map((e) => [e.name, e.value]))).toEqual({
        AWS_REGION: REGION,
        DB_HOST: `mlapi-db-dev.cluster-abc.${REGION}.rds.amazonaws.com`,
        DB_NAME: "mlapi",
        DB_PORT: "5432",
        // the app re-reads the rotated secret by this ARN (R23); the task role may read exactly it
        DB_SECRET_ARN: MASTER_SECRET_ARN,
        // the `service` dimension of the API's EMF metrics, which the dashboard and the inference alarm read
        METRICS_SERVICE: "mlapi-api-dev",
        // keep serving while the ALB marks the stopping task unhealthy, then give requests 60 s (see below)
        DRAIN_DELAY_MS: "30000",
        SHUTDOWN_TIMEOUT_MS: "60000",
        NODE_ENV: "production",
        PORT: String(APP_PORT),
        SESSIONS_TABLE_NAME: "mlapi-sessions-dev",
        WORKER_THREADS: "1",
      });
    });

    it("injects the database credentials and the app secrets from Secrets Manager, never as plain values", () => {
      expect(container(r).secrets).toEqual([
        { name: "DB_SECRET", valueFrom: MASTER_SECRET_ARN },
        { name: "MODEL_API_KEY", valueFrom: APP_SECRET_ARN },
      ]);
    });

    it("logs to the service's own log group through awslogs", () => {
      expect(container(r).logConfiguration).toEqual({
        logDriver: "awslogs",
        options: { "awslogs-group": "/mlapi/api-dev", "awslogs-region": REGION, "awslogs-stream-prefix": "api" },
      });
    });

    it("health-checks the container on /health with node (slim images have no curl)", () => {
      const hc = container(r).healthCheck;
      expect(hc.command.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
      expect(hc.command[3]).toContain(`port:${APP_PORT},path:'/health'`);
      expect(hc.interval).toBe(30);
    });
  });

  describe("stopping a task (Spot interruption, deploy, scale-in)", () => {
    const env = (name: string) => Number(container(r).environment.find((e) => e.name === name)?.value);
    const tgCheck = () => one(r, T.tg).inputs.healthCheck as { interval: number; unhealthyThreshold: number };

    it("gives the container Fargate's longest stop timeout, the whole 2-minute Spot notice", () => {
      expect(container(r).stopTimeout).toBe(120);
    });

    it("keeps serving with /health failing until the ALB has marked the task unhealthy, with one check of margin", () => {
      const { interval, unhealthyThreshold } = tgCheck();
      expect(env("DRAIN_DELAY_MS")).toBe(30_000);
      expect(env("DRAIN_DELAY_MS")).toBeGreaterThanOrEqual((interval * unhealthyThreshold + interval) * 1000);
    });

    it("fits drain delay, in-flight wait and closing the stores inside the stop timeout, before SIGKILL", () => {
      expect(env("SHUTDOWN_TIMEOUT_MS")).toBe(60_000);
      // 10 s: the app's buffered-prediction flush (3 s) and closing its pools after the in-flight wait
      expect(env("DRAIN_DELAY_MS") + env("SHUTDOWN_TIMEOUT_MS") + 10_000).toBeLessThanOrEqual(
        container(r).stopTimeout * 1000,
      );
    });

    it("lets deregistration (deploys, scale-in) wait as long as CloudFront waits for the origin, under Spot's 2 minutes", () => {
      expect(one(r, T.tg).inputs.deregistrationDelay).toBe(30);
    });
  });

  describe("load balancer (R11)", () => {
    it("is internal, in the private subnets, behind the alb security group, dropping invalid headers", () => {
      expect(one(r, T.alb).inputs).toMatchObject({
        name: "mlapi-alb-dev",
        loadBalancerType: "application",
        internal: true,
        subnets: ["subnet-priv-a", "subnet-priv-b", "subnet-priv-c"],
        securityGroups: ["sg-alb"],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: false,
      });
    });

    it("writes access logs to its own bucket, after the bucket policy lets ELB write there", () => {
      const bucket = one(r, "aws:s3/bucket:Bucket");
      expect(one(r, T.alb).inputs.accessLogs).toEqual({ enabled: true, bucket: bucket.state.bucket, prefix: "alb" });
      expect(one(r, T.alb).dependsOn).toContain(ref(one(r, "aws:s3/bucketPolicy:BucketPolicy")));
    });

    it("opens nothing itself and hands the edge what its VPC origin and the ALB's one ingress rule need", () => {
      expect(ofType(r, T.ingress)).toEqual([]);
      expect(r.outputs).toMatchObject({
        originAlbArn: one(r, T.alb).id,
        originPort: 80,
        originVpcId: "vpc-0abc",
        originSecurityGroupId: "sg-alb",
      });
    });

    it("health-checks targets with GET /health every 10 s, unhealthy after 2 failures", () => {
      const tg = one(r, T.tg);
      expect(tg.inputs).toMatchObject({
        targetType: "ip",
        protocol: "HTTP",
        port: APP_PORT,
        vpcId: "vpc-0abc",
        deregistrationDelay: 30,
      });
      expect(tg.inputs.healthCheck).toEqual({
        enabled: true,
        protocol: "HTTP",
        path: "/health",
        port: "traffic-port",
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        matcher: "200",
      });
    });

    it("autonames the target group (no fixed name) so a replacement can be created before the old one goes", () => {
      const tg = one(r, T.tg);
      expect(tg.inputs.name).toBeUndefined();
      expect(tg.name).toBe("api-tg-dev");
    });

    it("listens on HTTP 80 only when there is no certificate", () => {
      const listeners = ofType(r, T.listener);
      expect(listeners.map((l) => [l.inputs.port, l.inputs.protocol])).toEqual([[80, "HTTP"]]);
      expect(r.outputs.originProtocol).toBe("http");
      expect(r.outputs.originDomainName).toBe(r.outputs.albDnsName);
    });

    it("answers every path it does not route with a JSON 404", () => {
      expect(one(r, T.listener).inputs.defaultActions).toEqual([
        {
          type: "fixed-response",
          fixedResponse: {
            contentType: "application/json",
            statusCode: "404",
            messageBody: JSON.stringify({
              error: {
                code: "not_found",
                message:
                  "No route for this path. The API is served under /api/v1/ and /api/v2/; health checks use /health.",
              },
            }),
          },
        },
      ]);
    });

    it("forwards /api/v1/*, /api/v2/* and /health to the target group", () => {
      const rules = ofType(r, T.rule);
      const listener = one(r, T.listener);
      const tg = one(r, T.tg);
      expect(
        rules.map(
          (rule) => (rule.inputs.conditions as Array<{ pathPattern: { values: string[] } }>)[0].pathPattern.values,
        ),
      ).toEqual([["/api/v1/*"], ["/api/v2/*"], ["/health"]]);
      for (const rule of rules) {
        expect(rule.inputs.listenerArn).toBe(listener.id);
        expect(rule.inputs.actions).toEqual([{ type: "forward", targetGroupArn: tg.id }]);
      }
      expect(new Set(rules.map((rule) => rule.inputs.priority)).size).toBe(3);
    });
  });

  describe("access-log bucket", () => {
    it("is private, SSE-S3 encrypted (all ALB log delivery supports), expires logs after 30 days and is force-destroyable", () => {
      expect(one(r, "aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(true);
      expect(one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(
        one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules,
      ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
      const lifecycle = one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules as Array<Record<string, unknown>>;
      expect(lifecycle[0]).toMatchObject({ status: "Enabled", expiration: { days: 30 } });
    });

    it("lets only ELB log delivery write, and only under this account's prefix", () => {
      const bucket = String(one(r, "aws:s3/bucket:Bucket").state.bucket);
      const policy = one(r, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy;
      const objects = `arn:aws:s3:::${bucket}/alb/AWSLogs/${MOCK_ACCOUNT_ID}/*`;
      expect(bySid(policy, "ElbLogDeliveryWrite")).toEqual({
        Sid: "ElbLogDeliveryWrite",
        Effect: "Allow",
        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: objects,
      });
      expect(bySid(policy, "ElbRegionalAccountWrite")).toEqual({
        Sid: "ElbRegionalAccountWrite",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${MANAGED_IDS.elbServiceAccount}:root` },
        Action: "s3:PutObject",
        Resource: objects,
      });
      expect(bySid(policy, "DenyInsecureTransport")).toMatchObject({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
      expect(statements(policy)).toHaveLength(3);
    });
  });

  describe("WAF (R12)", () => {
    // The ACL's rules: libs/components/src/service/web-acl.test.ts.
    const acl = () => one(r, "aws:wafv2/webAcl:WebAcl");

    it("is the layer's ACL, associated with the ALB", () => {
      expect(acl().inputs.name).toBe("mlapi-alb-dev");
      expect(one(r, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs).toEqual({
        resourceArn: one(r, T.alb).id,
        webAclArn: acl().state.arn,
      });
    });

    it("logs to an aws-waf-logs- log group kept 30 days under KMS", () => {
      const logging = one(r, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
      const group = one(r, T.logGroup, "waf-logs-log-group");
      expect(group.inputs).toMatchObject({ name: "aws-waf-logs-mlapi-alb-dev", retentionInDays: 30 });
      expect(logging.inputs.logDestinationConfigs).toEqual([group.state.arn]);
      expect(logging.inputs.resourceArn).toBe(acl().state.arn);
    });
  });

  describe("auto scaling (R10, R13)", () => {
    it("scales the service between 2 and 10 tasks, after the service exists", () => {
      const target = one(r, T.scalingTarget);
      expect(target.inputs).toMatchObject({
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/mlapi-cluster-dev/mlapi-api-dev",
        minCapacity: 2,
        maxCapacity: 10,
      });
      expect(target.dependsOn).toContain(ref(service()));
    });

    it("tracks 1000 ALB requests per target, labelled with the ALB and target group ARN suffixes", () => {
      const policy = one(r, T.scalingPolicy, "api-scaling-requests");
      const albSuffix = String(one(r, T.alb).state.arnSuffix);
      const tgSuffix = String(one(r, T.tg).state.arnSuffix);
      expect(albSuffix).toMatch(/^app\/mlapi-alb-dev\/[0-9a-f]{16}$/);
      expect(tgSuffix).toMatch(/^targetgroup\/api-tg-dev-[0-9a-f]{7}\/[0-9a-f]{16}$/);
      expect(policy.inputs).toMatchObject({
        policyType: "TargetTrackingScaling",
        resourceId: "service/mlapi-cluster-dev/mlapi-api-dev",
      });
      expect(policy.inputs.targetTrackingScalingPolicyConfiguration).toEqual({
        targetValue: 1000,
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: `${albSuffix}/${tgSuffix}`,
        },
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      });
      expect(policy.dependsOn).toContain(ref(one(r, T.scalingTarget)));
    });

    it("also tracks 70 % average CPU: a batch request carries up to 16 images, so requests alone miss batch load", () => {
      const policy = one(r, T.scalingPolicy, "api-scaling-cpu");
      expect(policy.inputs).toMatchObject({
        name: "mlapi-api-cpu-dev",
        policyType: "TargetTrackingScaling",
        resourceId: "service/mlapi-cluster-dev/mlapi-api-dev",
      });
      expect(policy.inputs.targetTrackingScalingPolicyConfiguration).toEqual({
        targetValue: 70,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      });
      expect(ofType(r, T.scalingPolicy)).toHaveLength(2);
    });
  });

  describe("IAM (R15)", () => {
    // The roles' exact statements and trust: libs/components/src/service/task-roles.test.ts.
    const policyOf = (name: string) => one(r, T.rolePolicy, name).inputs.policy;

    it("gives the execution role this layer's repository, the API log group, and the data layer's secrets and their keys", () => {
      const repoArn = one(r, "aws:ecr/repository:Repository").state.arn;
      const logArn = one(r, T.logGroup, "api-logs-log-group").state.arn;
      const doc = policyOf("api-roles-execution-policy");
      expect(bySid(doc, "PullThisRepository").Resource).toBe(repoArn);
      expect(bySid(doc, "WriteThisLogGroup").Resource).toBe(`${String(logArn)}:log-stream:*`);
      expect(bySid(doc, "ReadInjectedSecrets").Resource).toEqual([MASTER_SECRET_ARN, APP_SECRET_ARN]);
      // the data key (master secret) and the key the app secret is under
      expect(bySid(doc, "DecryptSecretsViaSecretsManager").Resource).toEqual([DATA_KEY_ARN, APP_SECRET_KEY_ARN]);
    });

    it("reads every secret the task definition injects, and no other", () => {
      const injected = new Set(container(r).secrets.map((s) => s.valueFrom.replace(/:[a-z]+::$/, "")));
      expect(injected.size).toBe(2);
      expect(asList(bySid(policyOf("api-roles-execution-policy"), "ReadInjectedSecrets").Resource).sort()).toEqual(
        [...injected].sort(),
      );
    });

    it("gives the task role the data layer's sessions table, its key and the master secret", () => {
      const doc = policyOf("api-roles-task-policy");
      expect(bySid(doc, "SessionsTableItems").Resource).toBe(TABLE_ARN);
      expect(bySid(doc, "TableKeyViaDynamoDb").Resource).toBe(DATA_KEY_ARN);
      expect(bySid(doc, "ReadRotatedDbSecret").Resource).toBe(MASTER_SECRET_ARN);
      expect(bySid(doc, "DecryptDbSecretViaSecretsManager").Resource).toBe(DATA_KEY_ARN);
    });

    it("makes the service wait for the role policies, so the first tasks can pull and read secrets", () => {
      expect(service().dependsOn).toEqual(expect.arrayContaining(ofType(r, T.rolePolicy).map(ref)));
    });
  });

  describe("image built at deploy (no config image)", () => {
    // How the image is built, tagged and pushed: libs/components/src/service/api-image.test.ts.
    const image = () => one(r, T.image);

    it("builds apps/ml-api/Dockerfile from the repository root for linux/amd64", () => {
      expect(image().inputs.platforms).toEqual(["linux/amd64"]);
      const dockerfile = path.resolve((image().inputs.dockerfile as { location: string }).location);
      expect(dockerfile).toBe(path.join(ROOT, "apps", "ml-api", "Dockerfile"));
      expect(fs.existsSync(dockerfile)).toBe(true);
    });

    it("runs the pushed digest (<tag>@sha256:...) and exports it as apiImage", () => {
      const ref = String(image().state.ref);
      expect(ref).toMatch(new RegExp(`^${String((image().inputs.tags as string[])[0])}@sha256:[0-9a-f]{64}$`));
      expect(container(r).image).toBe(ref);
      expect(r.outputs.apiImage).toBe(ref);
    });

    it("pushes to the layer's repository, waiting for nothing else (issue 27)", () => {
      expect(image().dependsOn).toEqual([]);
      const repositoryUrl = String(one(r, "aws:ecr/repository:Repository").state.repositoryUrl);
      expect(String((image().inputs.tags as string[])[0]).startsWith(`${repositoryUrl}:`)).toBe(true);
    });
  });

  describe("image repository", () => {
    it("scans on push, keeps tags immutable, encrypts with a customer key and can be deleted with images in it", () => {
      expect(one(r, "aws:ecr/repository:Repository").inputs).toMatchObject({
        name: "mlapi-api-dev",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [
          { encryptionType: "KMS", kmsKey: one(r, "aws:kms/key:Key", "api-image-key").state.arn },
        ],
        forceDelete: true,
      });
    });

    it("encrypts images with its own rotating key that only this account's IAM governs", () => {
      const key = one(r, "aws:kms/key:Key", "api-image-key");
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
      expect(statements(key.inputs.policy)).toEqual([
        {
          Sid: "AccountAdministration",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ]);
      expect(one(r, "aws:kms/alias:Alias", "api-image-key-alias").inputs.name).toBe("alias/mlapi-ecr-dev");
    });

    it("expires untagged images after 7 days and keeps the last 20 tagged ones", () => {
      const policy = JSON.parse(String(one(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy)) as {
        rules: Array<{ selection: Record<string, unknown> }>;
      };
      expect(policy.rules.map((rule) => rule.selection)).toEqual([
        { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
        { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
      ]);
    });
  });

  describe("log groups (R14)", () => {
    it("keeps every log group 30 days under the layer's logs key", () => {
      const key = one(r, "aws:kms/key:Key", "service-logs-key");
      const groups = ofType(r, T.logGroup);
      expect(groups.map((g) => g.inputs.name).sort()).toEqual([
        "/aws/ecs/containerinsights/mlapi-cluster-dev/performance",
        "/mlapi/api-dev",
        "aws-waf-logs-mlapi-alb-dev",
      ]);
      for (const g of groups) expect(g.inputs).toMatchObject({ retentionInDays: 30, kmsKeyId: key.state.arn });
    });
  });

  describe("teardown and outputs (R19, R20)", () => {
    it("protects and retains nothing", () => {
      expect(r.resources.filter((res: PlannedResource) => res.protect || res.retainOnDelete)).toEqual([]);
    });

    it("exports every output of the service contract, none of them secret", () => {
      expect(Object.keys(r.outputs).sort()).toEqual([...SERVICE.outputNames].sort());
      expect(r.secretOutputNames).toEqual([]);
      expect(r.outputs).toMatchObject({
        ecsClusterName: "mlapi-cluster-dev",
        ecsServiceName: "mlapi-api-dev",
        serviceLogGroupName: "/mlapi/api-dev",
      });
      expect(r.outputs.ecrRepositoryUrl).toBe(`${MOCK_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/mlapi-api-dev`);
    });
  });
});

describe("service layer with a domain and hosted zone (certificate created)", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ "mlapi-service:domainName": "api.example.com", "mlapi-service:hostedZoneId": "Z0123456789ABC" });
  });

  // How the certificate is validated: libs/components/src/service/origin-certificate.test.ts.
  it("creates a regional certificate for origin.<domain>, validated in the hosted zone", () => {
    expect(one(r, "aws:acm/certificate:Certificate").inputs).toMatchObject({ domainName: "origin.api.example.com" });
    expect(one(r, "aws:acm/certificate:Certificate").inputs.region).toBeUndefined();
    const validation = ofType(r, "aws:route53/record:Record").find((rec) => rec.inputs.allowOverwrite === true);
    expect(validation?.inputs.zoneId).toBe("Z0123456789ABC");
  });

  it("serves HTTPS on 443 only, with a TLS 1.3/1.2 policy and the validated certificate", () => {
    const https = one(r, T.listener);
    expect(https.name).toBe("api-lb-https");
    expect(https.inputs).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: one(r, "aws:acm/certificateValidation:CertificateValidation").state.certificateArn,
    });
  });

  it("puts the forwarding rules on the HTTPS listener", () => {
    const https = one(r, T.listener, "api-lb-https");
    expect(ofType(r, T.rule).map((rule) => rule.inputs.listenerArn)).toEqual([https.id, https.id, https.id]);
  });

  it("tells the edge to open and use 443, and opens nothing itself", () => {
    expect(ofType(r, T.ingress)).toEqual([]);
    expect(r.outputs.originPort).toBe(443);
  });

  it("points origin.<domain> at the ALB and tells the edge to use HTTPS to it", () => {
    const alb = one(r, T.alb);
    const alias = ofType(r, "aws:route53/record:Record").find((rec) => rec.inputs.type === "A");
    expect(alias?.inputs).toMatchObject({
      zoneId: "Z0123456789ABC",
      name: "origin.api.example.com",
      aliases: [{ name: alb.state.dnsName, zoneId: alb.state.zoneId, evaluateTargetHealth: true }],
    });
    expect(r.outputs).toMatchObject({ originProtocol: "https", originDomainName: "origin.api.example.com" });
  });
});

describe("service layer with an existing certificate", () => {
  const CERT = `arn:aws:acm:${REGION}:${MOCK_ACCOUNT_ID}:certificate/0a1b2c3d-1111-2222-3333-444455556666`;
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ "mlapi-service:certificateArn": CERT, "mlapi-service:domainName": "api.example.com" });
  });

  it("uses it on the HTTPS listener and creates no certificate or DNS record", () => {
    expect(one(r, T.listener, "api-lb-https").inputs.certificateArn).toBe(CERT);
    expect(ofType(r, "aws:acm/certificate:Certificate")).toHaveLength(0);
    expect(ofType(r, "aws:route53/record:Record")).toHaveLength(0);
    expect(r.outputs).toMatchObject({ originProtocol: "https", originDomainName: "origin.api.example.com" });
  });
});

describe("service layer with other settings", () => {
  it("follows spotWeight/onDemandWeight and leaves out a provider of weight 0", async () => {
    const r = await render({
      "mlapi-service:spotWeight": 0,
      "mlapi-service:onDemandWeight": 1,
      "mlapi-service:onDemandBase": 1,
    });
    expect(one(r, T.service).inputs.capacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
    ]);
  });

  it("runs ARM64 tasks of 1 vCPU / 2 GB and scales 3 to 6 on 500 requests or 60 % CPU", async () => {
    const r = await render({
      "mlapi-service:cpuArchitecture": "ARM64",
      "mlapi-service:cpu": 1024,
      "mlapi-service:memory": 2048,
      "mlapi-service:desiredCount": 3,
      "mlapi-service:minCapacity": 3,
      "mlapi-service:maxCapacity": 6,
      "mlapi-service:requestsPerTarget": 500,
      "mlapi-service:cpuTargetPercent": 60,
    });
    expect(one(r, T.taskDef).inputs).toMatchObject({
      cpu: "1024",
      memory: "2048",
      runtimePlatform: { cpuArchitecture: "ARM64" },
    });
    expect(one(r, T.service).inputs.desiredCount).toBe(3);
    expect(one(r, T.scalingTarget).inputs).toMatchObject({ minCapacity: 3, maxCapacity: 6 });
    expect(
      (
        one(r, T.scalingPolicy, "api-scaling-requests").inputs.targetTrackingScalingPolicyConfiguration as Record<
          string,
          unknown
        >
      ).targetValue,
    ).toBe(500);
    expect(
      (
        one(r, T.scalingPolicy, "api-scaling-cpu").inputs.targetTrackingScalingPolicyConfiguration as Record<
          string,
          unknown
        >
      ).targetValue,
    ).toBe(60);
  });

  it("keeps ALB and target group names within AWS's 32 characters with the longest legal suffix", async () => {
    const suffix = "abcdefghijklmnop";
    const r = await render({ "mlapi-service:environmentSuffix": suffix }, "long");
    const albName = String(one(r, T.alb).state.name);
    const tgName = String(one(r, T.tg).state.name);
    expect(albName).toBe(`mlapi-alb-${suffix}`);
    expect(albName.length).toBeLessThanOrEqual(32);
    // Pulumi appends "-" and 7 random characters to the autonamed target group.
    expect(tgName).toMatch(new RegExp(`^api-tg-${suffix}-[0-9a-f]{7}$`));
    expect(tgName.length).toBeLessThanOrEqual(32);
    for (const role of ofType(r, T.role)) expect(String(role.inputs.name).length).toBeLessThanOrEqual(64);
  });
});

describe("service layer with 2 vCPUs", () => {
  it("runs two inference workers", async () => {
    const r = await render({ "mlapi-service:cpu": 2048, "mlapi-service:memory": 4096 });
    expect(container(r).environment).toContainEqual({ name: "WORKER_THREADS", value: "2" });
  });
});

describe("service layer on ARM64 (Graviton)", () => {
  it("builds the image for linux/arm64 and runs it on ARM64 tasks", async () => {
    const r = await render({ "mlapi-service:cpuArchitecture": "ARM64" });
    expect(one(r, T.image).inputs.platforms).toEqual(["linux/arm64"]);
    expect(one(r, T.image).inputs.tags).toEqual([expect.stringMatching(/:arm64-[0-9a-f]{20}$/)]);
    expect(one(r, T.taskDef).inputs.runtimePlatform).toEqual({
      operatingSystemFamily: "LINUX",
      cpuArchitecture: "ARM64",
    });
  });
});

describe("service layer with a prebuilt image (config image)", () => {
  it("runs that image as given and builds nothing", async () => {
    const r = await render({ "mlapi-service:image": PREBUILT_IMAGE });
    expect(ofType(r, T.image)).toEqual([]);
    expect(container(r).image).toBe(PREBUILT_IMAGE);
    expect(r.outputs.apiImage).toBe(PREBUILT_IMAGE);
  });

  it("lets the execution role pull from that image's repository, and from no other", async () => {
    const image = `210987654321.dkr.ecr.${REGION}.amazonaws.com/mlapi-releases:1.4.2`;
    const r = await render({ "mlapi-service:image": image });
    const pulls = statements(one(r, T.rolePolicy, "api-roles-execution-policy").inputs.policy).filter((s) =>
      asList(s.Action).includes("ecr:BatchGetImage"),
    );
    expect(pulls).toEqual([
      expect.objectContaining({ Resource: `arn:aws:ecr:${REGION}:210987654321:repository/mlapi-releases` }),
    ]);
  });
});

describe("service layer rejects bad config before declaring anything", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "CPU 300",
      { "mlapi-service:cpu": 300 },
      "mlapi-service:cpu = 300: Fargate accepts cpu 256, 512, 1024, 2048, 4096, 8192, 16384 (1024 = 1 vCPU)",
    ],
    [
      "memory 1024 with CPU 4096",
      { "mlapi-service:cpu": 4096, "mlapi-service:memory": 1024 },
      "mlapi-service:memory = 1024: with cpu 4096 Fargate accepts memory (MiB) 8192 to 30720 in steps of 1024",
    ],
    [
      "min 3 max 2",
      { "mlapi-service:minCapacity": 3, "mlapi-service:maxCapacity": 2 },
      "mlapi-service:minCapacity = 3: must be <= maxCapacity (2)",
    ],
    [
      "desired outside min..max",
      { "mlapi-service:desiredCount": 12 },
      "mlapi-service:desiredCount = 12: must be within minCapacity..maxCapacity (2..10)",
    ],
    [
      "a CPU target above 95 %",
      { "mlapi-service:cpuTargetPercent": 100 },
      'mlapi-service:cpuTargetPercent = "100": must be a number >= 10, <= 95, a whole number',
    ],
    [
      "spotWeight -1",
      { "mlapi-service:spotWeight": -1 },
      'mlapi-service:spotWeight = "-1": must be a number >= 0, <= 1000, a whole number',
    ],
    [
      "both weights 0",
      { "mlapi-service:spotWeight": 0, "mlapi-service:onDemandWeight": 0 },
      "mlapi-service:spotWeight = 0: spotWeight and onDemandWeight cannot both be 0: at least one capacity provider must take tasks",
    ],
    [
      "an image without a tag or digest",
      { "mlapi-service:image": "registry.example.com/mlapi/api" },
      'mlapi-service:image = "registry.example.com/mlapi/api": must be a private ECR image with a tag or digest',
    ],
    [
      "an image outside private ECR",
      { "mlapi-service:image": "docker.io/acme/mlapi:1.4.2" },
      'mlapi-service:image = "docker.io/acme/mlapi:1.4.2": must be a private ECR image with a tag or digest, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>',
    ],
    [
      "certificateArn without domainName",
      {
        "mlapi-service:certificateArn": `arn:aws:acm:${REGION}:${MOCK_ACCOUNT_ID}:certificate/0a1b2c3d-1111-2222-3333-444455556666`,
      },
      "needs domainName too: CloudFront reaches the ALB as origin.<domainName>",
    ],
    [
      "domainName without hostedZoneId",
      { "mlapi-service:domainName": "api.example.com" },
      'mlapi-service:domainName = "api.example.com": needs hostedZoneId',
    ],
    [
      "an empty permissions boundary",
      { "mlapi-service:permissionsBoundary": "" },
      'mlapi-service:permissionsBoundary = "": must be the name of a customer managed policy of the account (the bootstrap\'s: mlapi-workload-boundary) or none',
    ],
    [
      "an unknown architecture",
      { "mlapi-service:cpuArchitecture": "arm" },
      'mlapi-service:cpuArchitecture = "arm": must be one of X86_64, ARM64',
    ],
    [
      "the retired ALB rate limit",
      { "mlapi-service:wafRateLimit": 500 },
      'mlapi-service:wafRateLimit = "500": was removed: the ALB sees only CloudFront and the client writes X-Forwarded-For, so per-client limits are the edge\'s (set mlapi-edge:rateLimit); delete this key',
    ],
  ])("%s", async (_label, config, message) => {
    await expect(render(config)).rejects.toThrow(message);
  });

  it("reports every problem at once", async () => {
    await expect(
      render({ "mlapi-service:cpu": 300, "mlapi-service:spotWeight": -1, "mlapi-service:image": "api:latest@sha1:x" }),
    ).rejects.toThrow(/3 problems/);
  });
});

describe("service layer without a data output it needs", () => {
  it("stops with an error naming the data stack and the missing output", async () => {
    const withoutTable: Partial<DataOutputs> = { ...dataOutputs("dev") };
    delete withoutTable.sessionsTableArn;
    const stackOutputs = { ...upstream("dev"), "organization/mlapi-data/dev": withoutTable as Record<string, unknown> };
    await expect(render({}, "dev", stackOutputs)).rejects.toThrow(
      'Stack "organization/mlapi-data/dev" has no output "sessionsTableArn". Deploy or update the data layer first',
    );
  });
});

describe("service layer permissionsBoundary", () => {
  it("puts the bootstrap's workload boundary on the execution and task roles by default", async () => {
    const roles = ofType(await render(), "aws:iam/role:Role");
    expect(roles.map((role) => [role.inputs.name, role.inputs.permissionsBoundary])).toEqual([
      ["mlapi-api-execution-dev", "arn:aws:iam::123456789012:policy/mlapi-workload-boundary"],
      ["mlapi-api-task-dev", "arn:aws:iam::123456789012:policy/mlapi-workload-boundary"],
    ]);
  });

  it("leaves the roles without a boundary with none", async () => {
    const roles = ofType(await render({ "mlapi-service:permissionsBoundary": "none" }), "aws:iam/role:Role");
    expect(roles.map((role) => role.inputs.permissionsBoundary)).toEqual([undefined, undefined]);
  });
});
