import type { LayerContract } from "./contract";

/** Outputs of the service layer (mlapi-service). The service layer owner may extend this contract. */
export interface ServiceOutputs {
  albDnsName: string;
  albZoneId: string;
  albArnSuffix: string;
  targetGroupArnSuffix: string;
  /** `https` when the ALB has a certificate, else `http`; the edge's VPC origin protocol follows it. */
  originProtocol: "https" | "http";
  /** Host name CloudFront sends to the origin: `origin.<domain>` with a certificate, else the ALB's DNS name. */
  originDomainName: string;
  /** ARN of the internal ALB the edge's CloudFront VPC origin points at. */
  originAlbArn: string;
  /** The ALB's one listener port (443 with a certificate, else 80): the VPC origin's port and its ingress rule's. */
  originPort: number;
  /** The ALB's VPC (re-exported from network), where CloudFront creates its VPC-origin security group. */
  originVpcId: string;
  /** The ALB's security group (re-exported from network); the edge adds its one ingress rule. */
  originSecurityGroupId: string;
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
    "originAlbArn",
    "originPort",
    "originVpcId",
    "originSecurityGroupId",
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
