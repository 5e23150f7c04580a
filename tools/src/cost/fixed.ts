/** The fixed monthly cost: one rule per resource type, resource by resource, at idle. */
import type { PlanDocument, PlanStep } from "../plan-document";
import type { Inputs, LineBuilder } from "./lines";
import { addTasks, awsResources, inputs, num, serviceShape, str } from "./lines";
import type { PriceBook } from "./prices";

/** The API's readiness probe reads the sessions table every 15 s per task (apps/ml-api/src/main.ts: startPolling(15_000)). */
export const HEALTH_PROBE_SECONDS = 15;

/** Resource types that cost nothing by themselves, with the reason; everything else needs a rule. */
export const FREE_TYPES: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "no charge",
  "aws:ec2/subnet:Subnet": "no charge",
  "aws:ec2/route:Route": "no charge",
  "aws:ec2/routeTable:RouteTable": "no charge",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
  "aws:ec2/internetGateway:InternetGateway": "no charge (data transfer is priced where it leaves)",
  "aws:ec2/securityGroup:SecurityGroup": "no charge",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "no charge",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
  "aws:ec2/flowLog:FlowLog": "billed as log ingestion into its log group (load profile)",
  "aws:iam/role:Role": "no charge",
  "aws:iam/rolePolicy:RolePolicy": "no charge",
  "aws:kms/alias:Alias": "no charge",
  "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored (load profile)",
  "aws:cloudwatch/logDelivery:LogDelivery": "billed as log ingestion (load profile)",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": "no charge",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "no charge",
  "aws:sns/topic:Topic": "billed per notification published; alarms publish rarely",
  "aws:sns/topicPolicy:TopicPolicy": "no charge",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": "no charge",
  "aws:rds/subnetGroup:SubnetGroup": "no charge",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "no charge",
  "aws:ecs/taskDefinition:TaskDefinition": "priced through the service's tasks",
  "aws:appautoscaling/target:Target": "no charge",
  "aws:lb/listener:Listener": "no charge",
  "aws:lb/listenerRule:ListenerRule": "priced as ALB rule evaluations beyond the free 10 per request (load profile)",
  "aws:lb/targetGroup:TargetGroup": "no charge",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge",
  "aws:s3/bucket:Bucket":
    "billed per GB stored and request: error pages are a few KB; ALB access logs are not modelled",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "no charge",
  "aws:s3/bucketPolicy:BucketPolicy": "no charge",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "no charge",
  "aws:s3/bucketVersioning:BucketVersioning": "no charge",
  "aws:s3/bucketObjectv2:BucketObjectv2": "a few KB of storage",
  "aws:wafv2/webAclAssociation:WebAclAssociation": "no charge",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
    "billed as log ingestion into its log group (load profile)",
  "aws:cloudfront/distribution:Distribution": "no monthly fee: billed per request and GB (load profile)",
  "aws:cloudfront/originAccessControl:OriginAccessControl": "no charge",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "no charge",
  "aws:acm/certificate:Certificate": "public certificates carry no charge",
  "aws:acm/certificateValidation:CertificateValidation": "no charge",
  "aws:route53/record:Record": "records in a zone carry no monthly charge",
  "docker-build:index:Image": "built where the deploy runs; its storage is priced on the ECR repository",
};

function alarmMetrics(alarm: Inputs): number {
  const queries = alarm.metricQueries as Inputs[] | undefined;
  return queries && queries.length > 0 ? queries.filter((q) => q.metric !== undefined).length : 1;
}

function webAclRules(acl: Inputs): number {
  const rules =
    typeof acl.rules === "string" ? (JSON.parse(acl.rules) as unknown[]) : ((acl.rules as unknown[] | undefined) ?? []);
  return rules.length;
}

export type FreeCounts = Map<string, { count: number; reason: string }>;

/** One layer's fixed lines into `b`; resources without a charge of their own are counted in `free`. */
export function fixedLines(
  doc: PlanDocument,
  all: PlanDocument[],
  b: LineBuilder,
  prices: PriceBook,
  free: FreeCounts,
): void {
  const hours = prices.hoursPerMonth.value;
  const steps = awsResources(doc);
  const layer = doc.layer;
  const shape = serviceShape(all);
  for (const step of steps) {
    const i = inputs(step);
    switch (step.newState.type) {
      case "aws:ec2/natGateway:NatGateway":
        b.add(layer, step, "fixed", "NAT gateway hours", "natGatewayHour", hours);
        break;
      case "aws:ec2/eip:Eip":
        b.add(layer, step, "fixed", "Elastic IP (public IPv4) hours", "publicIpv4Hour", hours);
        break;
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        if ((str(i.vpcEndpointType) ?? "Gateway") === "Gateway")
          countFree(free, step, "gateway endpoints carry no charge");
        else {
          const item = `${String(i.vpcEndpointType)} endpoint hours`;
          b.push(
            layer,
            step,
            "fixed",
            item,
            "endpoint-hour per zone",
            hours,
            null,
            "interface endpoint prices are not in the price file",
          );
        }
        break;
      case "aws:kms/key:Key":
        b.add(layer, step, "fixed", "customer managed key", "kmsKeyMonth", 1);
        break;
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const highResolution = (num(i.period) ?? 60) < 60;
        const note = "high-resolution alarm prices are not in the price file";
        const metrics = alarmMetrics(i);
        if (highResolution)
          b.push(layer, step, "fixed", "high-resolution alarm metrics", "alarm metric-month", metrics, null, note);
        else b.add(layer, step, "fixed", "alarm metrics", "cloudwatchAlarmMetricMonth", metrics);
        break;
      }
      case "aws:cloudwatch/dashboard:Dashboard":
        b.add(layer, step, "fixed", "dashboard", "cloudwatchDashboardMonth", 1);
        break;
      case "aws:rds/cluster:Cluster":
        if (i.manageMasterUserPassword === true) {
          b.add(layer, step, "fixed", "master user secret (managed by RDS)", "secretsManagerSecretMonth", 1);
        }
        b.add(
          layer,
          step,
          "fixed",
          "storage at idle (grows with predictions: load profile)",
          "auroraStorageGbMonth",
          0,
        );
        break;
      case "aws:rds/clusterInstance:ClusterInstance": {
        const cluster = steps.find(
          (s) => s.newState.type === "aws:rds/cluster:Cluster" && inputs(s).clusterIdentifier === i.clusterIdentifier,
        );
        const scaling = cluster ? (inputs(cluster).serverlessv2ScalingConfiguration as Inputs | undefined) : undefined;
        const minAcu = num(scaling?.minCapacity);
        if (i.instanceClass === "db.serverless" && minAcu !== undefined) {
          const role = num(i.promotionTier) === 0 ? "writer" : "reader";
          b.add(
            layer,
            step,
            "fixed",
            `Serverless v2 ${role} at its minimum ${minAcu} ACU`,
            "auroraAcuHour",
            minAcu * hours,
          );
        } else {
          const note = "provisioned instance prices are not in the price file";
          b.push(layer, step, "fixed", `instance ${String(i.instanceClass)}`, "instance-hour", hours, null, note);
        }
        break;
      }
      case "aws:dynamodb/table:Table":
        if (i.billingMode === "PAY_PER_REQUEST") {
          const tasks = shape?.minTasks ?? 0;
          const reads = (tasks * hours * 3600) / HEALTH_PROBE_SECONDS;
          const item = `readiness probe GetItem every ${HEALTH_PROBE_SECONDS} s from ${tasks} tasks (0.5 RRU each)`;
          b.add(layer, step, "fixed", item, "dynamodbReadRequestMillion", (reads * 0.5) / 1e6);
        } else {
          const note = "provisioned DynamoDB prices are not in the price file";
          b.push(layer, step, "fixed", "provisioned capacity", "capacity unit-hour", 0, null, note);
        }
        if ((i.pointInTimeRecovery as Inputs | undefined)?.enabled === true) {
          b.add(layer, step, "fixed", "point-in-time recovery of the table's size", "dynamodbPitrGbMonth", 0);
        }
        break;
      case "aws:ecs/cluster:Cluster": {
        const insights = ((i.settings as Inputs[] | undefined) ?? []).find((s) => s.name === "containerInsights");
        if (insights && insights.value !== "disabled") {
          b.add(layer, step, "fixed", `Container Insights (${String(insights.value)})`, "containerInsightsMonth", 1);
        } else countFree(free, step, "no charge");
        break;
      }
      case "aws:appautoscaling/policy:Policy":
        // Target tracking runs on CloudWatch alarms Application Auto Scaling creates itself (not in the
        // plan): one to scale out, one to scale in unless scale-in is disabled. They bill like any alarm.
        if (i.policyType === "TargetTrackingScaling") {
          const noScaleIn = (i.targetTrackingScalingPolicyConfiguration as Inputs | undefined)?.disableScaleIn === true;
          const item = "alarm metrics of the alarms target tracking creates";
          b.add(layer, step, "fixed", item, "cloudwatchAlarmMetricMonth", noScaleIn ? 1 : 2);
        } else countFree(free, step, "no charge: step scaling runs on alarms the plan declares");
        break;
      case "aws:ecs/service:Service":
        if (shape && shape.service === step) addTasks(b, prices, shape, "fixed", shape.minTasks, 0, hours);
        break;
      case "aws:lb/loadBalancer:LoadBalancer": {
        b.add(layer, step, "fixed", "load balancer hours", "albHour", hours);
        // An internet-facing ALB holds one public IPv4 address per zone it is in; an internal one none.
        const internal = i.internal === true || i.scheme === "internal";
        const zones = ((i.subnets as unknown[] | undefined) ?? (i.subnetMappings as unknown[] | undefined) ?? [])
          .length;
        if (!internal) {
          const item = `public IPv4 addresses, one per zone (${zones} zones, internet-facing)`;
          b.add(layer, step, "fixed", item, "publicIpv4Hour", zones * hours);
        }
        const reserved = num((i.minimumLoadBalancerCapacity as Inputs | undefined)?.capacityUnits);
        if (reserved)
          b.add(layer, step, "fixed", `reserved capacity (${reserved} LCU)`, "albReservedLcuHour", reserved * hours);
        else b.add(layer, step, "fixed", "LCU at idle (no capacity reservation)", "albLcuHour", 0);
        break;
      }
      case "aws:wafv2/webAcl:WebAcl":
        b.add(layer, step, "fixed", `web ACL (${String(i.scope)})`, "wafWebAclMonth", 1);
        b.add(layer, step, "fixed", "rules and managed rule groups", "wafRuleMonth", webAclRules(i));
        break;
      case "aws:ecr/repository:Repository": {
        // Priced per GB, but the plan does not carry the image size: a line, not a guess.
        const p = b.price("ecrStorageGbMonth");
        const note = `$${String(p.usd)} per ${p.unit}; the plan does not know the image size`;
        b.push(layer, step, "fixed", "image storage (image size not in the plan)", p.unit, 0, null, note);
        break;
      }
      case "aws:secretsmanager/secret:Secret":
        b.add(layer, step, "fixed", "secret", "secretsManagerSecretMonth", 1);
        break;
      case "aws:route53/zone:Zone":
        b.add(layer, step, "fixed", "hosted zone", "route53HostedZoneMonth", 1);
        break;
      case "aws:cloudfront/vpcOrigin:VpcOrigin":
        b.add(
          layer,
          step,
          "fixed",
          "VPC origin",
          "cloudfrontVpcOriginMonth",
          1,
          b.price("cloudfrontVpcOriginMonth").note,
        );
        break;
      default: {
        const reason = FREE_TYPES[step.newState.type];
        if (reason !== undefined) countFree(free, step, reason);
        else
          b.push(
            layer,
            step,
            "fixed",
            "unknown resource type",
            "-",
            1,
            null,
            `no pricing rule for ${step.newState.type}: not priced`,
          );
      }
    }
  }
}

function countFree(free: FreeCounts, step: PlanStep, reason: string): void {
  const entry = free.get(step.newState.type) ?? { count: 0, reason };
  entry.count += 1;
  free.set(step.newState.type, entry);
}
