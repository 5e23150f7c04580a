import type { LayerContract } from "./contract";

/** Outputs of the service layer (mlapi-service). The service layer owner may extend this contract. */
export interface ServiceOutputs {
  albDnsName: string;
  albZoneId: string;
  albArnSuffix: string;
  targetGroupArnSuffix: string;
  /** `https` when the ALB has a certificate, else `http`; CloudFront's origin protocol follows it. */
  originProtocol: "https" | "http";
  /** Host name CloudFront uses for the origin: `origin.<domain>` with a certificate, else the ALB's DNS name. */
  originDomainName: string;
  ecsClusterName: string;
  ecsServiceName: string;
  ecrRepositoryUrl: string;
  /** The image the tasks run: the built one as `<repository>:<content tag>@sha256:<digest>`, or config `image`. */
  apiImage: string;
  wafWebAclArn: string;
  /** Log group the API containers write to (for dashboards and alarms). */
  serviceLogGroupName: string;
  /** S3 bucket holding the ALB access logs. */
  albAccessLogsBucketName: string;
  /** `visibilityConfig.metricName` of the ALB's web ACL: the WebACL dimension of its metrics. */
  wafWebAclMetricName: string;
  /** The data layer's alarm topic, re-exported for the edge (which reads only this layer). */
  alarmTopicArn: string;
  /** The data layer's Aurora cluster identifier, re-exported for the edge's dashboard. */
  rdsClusterIdentifier: string;
  /** The data layer's sessions table, re-exported for the edge's dashboard. */
  sessionsTableName: string;
}

export const SERVICE: LayerContract<ServiceOutputs> = {
  layer: "service",
  project: "mlapi-service",
  outputNames: [
    "albDnsName",
    "albZoneId",
    "albArnSuffix",
    "targetGroupArnSuffix",
    "originProtocol",
    "originDomainName",
    "ecsClusterName",
    "ecsServiceName",
    "ecrRepositoryUrl",
    "apiImage",
    "wafWebAclArn",
    "serviceLogGroupName",
    "albAccessLogsBucketName",
    "wafWebAclMetricName",
    "alarmTopicArn",
    "rdsClusterIdentifier",
    "sessionsTableName",
  ],
  secretOutputNames: [],
};
