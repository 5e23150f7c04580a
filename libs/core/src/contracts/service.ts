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
  wafWebAclArn: string;
  /** Log group the API containers write to (for dashboards and alarms). */
  serviceLogGroupName: string;
  /** S3 bucket holding the ALB access logs. */
  albAccessLogsBucketName: string;
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
    "wafWebAclArn",
    "serviceLogGroupName",
    "albAccessLogsBucketName",
  ],
  secretOutputNames: [],
};
