import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount } from "../logging";
import { API_EMF } from "./service-alarms";

export interface ApiDashboardArgs {
  naming: Naming;
  /**
   * Base of the dashboard name: `mlapi-<baseName>-<suffix>`.
   * @default "api"
   */
  baseName?: string;
  /** Region CloudFront and CLOUDFRONT-scope WAF metrics live in: the region of the us-east-1 provider. */
  cloudFrontRegion: pulumi.Input<string>;
  /** CloudFront distribution id (DistributionId dimension). */
  cloudFrontDistributionId: pulumi.Input<string>;
  /** `visibilityConfig.metricName` of the CLOUDFRONT-scope web ACL. */
  edgeWebAclMetricName: pulumi.Input<string>;
  /** ALB `arnSuffix` (LoadBalancer dimension). */
  albArnSuffix: pulumi.Input<string>;
  /** Target group `arnSuffix` (TargetGroup dimension). */
  targetGroupArnSuffix: pulumi.Input<string>;
  /** `visibilityConfig.metricName` of the REGIONAL web ACL on the ALB. */
  webAclMetricName: pulumi.Input<string>;
  ecsClusterName: pulumi.Input<string>;
  /** ECS service name: also the `service` dimension of the API's own EMF metrics (METRICS_SERVICE). */
  ecsServiceName: pulumi.Input<string>;
  /** Aurora cluster identifier (DBClusterIdentifier dimension). */
  rdsClusterIdentifier: pulumi.Input<string>;
  /**
   * The cluster's maximum ACU, drawn as a line on the capacity graph.
   * @default none: the graph's right axis shows ACUUtilization, capacity as a share of the maximum
   */
  maxCapacityAcu?: pulumi.Input<number>;
  /** Sessions table name (TableName dimension). */
  sessionsTableName: pulumi.Input<string>;
}

/** CloudWatch dashboard names: letters, digits, `-` and `_`, at most 255 characters. */
const DASHBOARD_NAME = /^[\w-]{1,255}$/;

/**
 * AWS/Usage publishes Fargate capacity per purchase option for the whole account and region,
 * not per service: these dimension values are AWS's, not ours.
 */
export const FARGATE_USAGE_DIMENSIONS = { Service: "Fargate", Type: "Resource", Class: "None" } as const;

type Metric = unknown[];
const HALF = 12;
const HEIGHT = 6;

/**
 * One dashboard per environment, read top to bottom in the order on-call asks: is traffic
 * arriving and failing (CloudFront, ALB), how slow is it (and where inside the API: its own EMF
 * metrics), are enough tasks running (and on what
 * capacity), is the database or the sessions table the bottleneck, is the WAF blocking it.
 * Every metric names the real resources passed in; regions come from the providers.
 */
export class ApiDashboard extends pulumi.ComponentResource {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardName: string;

  constructor(name: string, args: ApiDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:monitoring:ApiDashboard", name, {}, opts);
    this.dashboardName = args.naming.name(args.baseName ?? "api");
    if (!DASHBOARD_NAME.test(this.dashboardName)) {
      throw new Error(
        `Dashboard name "${this.dashboardName}" is not valid: letters, digits, - and _ only, at most 255 characters.`,
      );
    }
    const { region } = awsAccount(this);
    const cf = args.cloudFrontRegion;

    const lb = ["LoadBalancer", args.albArnSuffix];
    const tg = ["LoadBalancer", args.albArnSuffix, "TargetGroup", args.targetGroupArnSuffix];
    const ecs = ["ClusterName", args.ecsClusterName, "ServiceName", args.ecsServiceName];
    const rds = ["DBClusterIdentifier", args.rdsClusterIdentifier];
    const table = ["TableName", args.sessionsTableName];
    const api = (metric: string, options: Record<string, unknown>): Metric => [
      API_EMF.namespace,
      metric,
      API_EMF.serviceDimension,
      args.ecsServiceName,
      options,
    ];
    const distribution = ["DistributionId", args.cloudFrontDistributionId, "Region", "Global"];
    const usage = (resource: "OnDemand" | "Spot", label: string): Metric => [
      "AWS/Usage",
      "ResourceCount",
      "Service",
      FARGATE_USAGE_DIMENSIONS.Service,
      "Type",
      FARGATE_USAGE_DIMENSIONS.Type,
      "Resource",
      resource,
      "Class",
      FARGATE_USAGE_DIMENSIONS.Class,
      { stat: "Maximum", label },
    ];

    let y = 0;
    const row = (
      ...widgets: Array<{ width: number; title: string; metrics: Metric[]; props?: Record<string, unknown> }>
    ) => {
      let x = 0;
      const placed = widgets.map((w) => {
        const widget = {
          type: "metric",
          x,
          y,
          width: w.width,
          height: HEIGHT,
          properties: {
            title: w.title,
            region,
            view: "timeSeries",
            stacked: false,
            period: 60,
            metrics: w.metrics,
            ...w.props,
          },
        };
        x += w.width;
        return widget;
      });
      y += HEIGHT;
      return placed;
    };

    const widgets = [
      // 1. Is traffic arriving, and is it failing?
      ...row(
        {
          width: HALF,
          title: "Requests per minute: CloudFront and ALB",
          metrics: [
            ["AWS/CloudFront", "Requests", ...distribution, { stat: "Sum", region: cf, label: "CloudFront" }],
            ["AWS/ApplicationELB", "RequestCount", ...lb, { stat: "Sum", label: "ALB" }],
          ],
        },
        {
          width: HALF,
          title: "Error rate (%): CloudFront and ALB targets",
          metrics: [
            [
              "AWS/CloudFront",
              "5xxErrorRate",
              ...distribution,
              { stat: "Average", region: cf, label: "CloudFront 5xx %" },
            ],
            [
              "AWS/CloudFront",
              "TotalErrorRate",
              ...distribution,
              { stat: "Average", region: cf, label: "CloudFront 4xx+5xx %" },
            ],
            [{ expression: "100 * FILL(t5xx, 0) / treq", label: "ALB target 5xx %", id: "t5xxrate" }],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...tg, { stat: "Sum", id: "t5xx", visible: false }],
            ["AWS/ApplicationELB", "RequestCount", ...tg, { stat: "Sum", id: "treq", visible: false }],
            [
              "AWS/ApplicationELB",
              "HTTPCode_ELB_5XX_Count",
              ...lb,
              { stat: "Sum", label: "ALB-generated 5xx (count)", yAxis: "right" },
            ],
          ],
        },
      ),
      // 2. How slow? One target group serves every API path, so latency is overall.
      ...row(
        {
          width: HALF,
          title: "Target response time (s): p50 / p95 / p99",
          metrics: ["p50", "p95", "p99"].map((stat) => [
            "AWS/ApplicationELB",
            "TargetResponseTime",
            ...tg,
            { stat, label: stat },
          ]),
        },
        {
          width: HALF,
          title: "Targets: healthy vs unhealthy",
          metrics: [
            ["AWS/ApplicationELB", "HealthyHostCount", ...tg, { stat: "Minimum", label: "healthy" }],
            ["AWS/ApplicationELB", "UnHealthyHostCount", ...tg, { stat: "Maximum", label: "unhealthy" }],
          ],
        },
      ),
      // 3. Where does the time go inside the API, and what is waiting? Its own EMF metrics
      // (apps/ml-api/src/metrics.ts): stage latencies per request, gauges once a minute.
      ...row(
        {
          width: HALF,
          title: "API stages (ms): inference p50 / p95, queue p95, request p95",
          metrics: [
            api("inferenceMs", { stat: "p50", label: "inference p50" }),
            api("inferenceMs", { stat: "p95", label: "inference p95" }),
            api("queueMs", { stat: "p95", label: "queue p95" }),
            api("requestMs", { stat: "p95", label: "request p95" }),
          ],
        },
        {
          width: HALF,
          title: "API: images queued, requests admitted and waiting, prediction rows buffered",
          metrics: [
            api("mlapi_inference_queue_depth", { stat: "Maximum", label: "images waiting for a worker" }),
            api("mlapi_requests_in_flight", { stat: "Maximum", label: "requests in flight" }),
            api("mlapi_requests_waiting", { stat: "Maximum", label: "requests waiting for admission" }),
            api("mlapi_store_buffer_size", { stat: "Maximum", label: "prediction rows buffered", yAxis: "right" }),
          ],
        },
      ),
      // 4. Enough tasks, and on which capacity?
      ...row(
        {
          width: HALF,
          title: "Tasks: running vs desired",
          metrics: ["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount"].map((m) => [
            "ECS/ContainerInsights",
            m,
            ...ecs,
            { stat: "Average", label: m.replace("TaskCount", "") },
          ]),
        },
        {
          width: HALF,
          title: "Fargate capacity: Spot vs on-demand (account-wide, this region)",
          metrics: [usage("Spot", "FARGATE_SPOT"), usage("OnDemand", "FARGATE")],
          props: { view: "timeSeries", stacked: true },
        },
      ),
      // 5. Is the database the bottleneck?
      ...row(
        {
          width: HALF,
          title: "Aurora capacity (ACU) and utilization of the maximum",
          metrics: [
            ["AWS/RDS", "ServerlessDatabaseCapacity", ...rds, { stat: "Average", label: "ACUs" }],
            ["AWS/RDS", "ACUUtilization", ...rds, { stat: "Maximum", label: "% of max ACU", yAxis: "right" }],
          ],
          props:
            args.maxCapacityAcu === undefined
              ? {}
              : { annotations: { horizontal: [{ label: "max ACU", value: args.maxCapacityAcu }] } },
        },
        {
          width: HALF,
          title: "Aurora connections and CPU",
          metrics: [
            ["AWS/RDS", "DatabaseConnections", ...rds, { stat: "Maximum", label: "connections" }],
            ["AWS/RDS", "CPUUtilization", ...rds, { stat: "Maximum", label: "CPU %", yAxis: "right" }],
          ],
        },
      ),
      // 6. Is the sessions table keeping up?
      ...row(
        {
          width: HALF,
          title: "Sessions table: consumed capacity",
          metrics: [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", ...table, { stat: "Sum", label: "read units" }],
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", ...table, { stat: "Sum", label: "write units" }],
          ],
        },
        {
          width: HALF,
          title: "Sessions table: throttles",
          metrics: [
            ["AWS/DynamoDB", "ReadThrottleEvents", ...table, { stat: "Sum", label: "read throttles" }],
            ["AWS/DynamoDB", "WriteThrottleEvents", ...table, { stat: "Sum", label: "write throttles" }],
          ],
        },
      ),
      // 7. Is the WAF letting clients through?
      ...row(
        {
          width: HALF,
          title: "WAF at CloudFront: allowed vs blocked",
          metrics: ["AllowedRequests", "BlockedRequests"].map((m) => [
            "AWS/WAFV2",
            m,
            "WebACL",
            args.edgeWebAclMetricName,
            "Rule",
            "ALL",
            { stat: "Sum", region: cf, label: m.replace("Requests", "") },
          ]),
        },
        {
          width: HALF,
          title: "WAF at the ALB: allowed vs blocked",
          metrics: ["AllowedRequests", "BlockedRequests"].map((m) => [
            "AWS/WAFV2",
            m,
            "WebACL",
            args.webAclMetricName,
            "Region",
            region,
            "Rule",
            "ALL",
            { stat: "Sum", label: m.replace("Requests", "") },
          ]),
        },
      ),
    ];

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: this.dashboardName, dashboardBody: pulumi.jsonStringify({ widgets }) },
      { parent: this },
    );
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
