import type { LayerContract } from "./contract";

/** Outputs of the edge layer (mlapi-edge). The edge layer owner may extend this contract. */
export interface EdgeOutputs {
  /** `https://<domain>` or `https://<distribution>.cloudfront.net`. */
  cloudFrontUrl: string;
  cloudFrontDistributionId: string;
  cloudFrontDomainName: string;
  errorPagesBucketName: string;
  /** The CLOUDFRONT-scope WAF web ACL on the distribution (us-east-1). */
  cloudFrontWebAclArn: string;
  /** CloudWatch log group (us-east-1) of the distribution's access logs. */
  cloudFrontLogGroupName: string;
  /** Topic the edge's us-east-1 alarms notify: its own outside us-east-1, else the data layer's. */
  alarmTopicArn: string;
  /** The environment's CloudWatch dashboard. */
  dashboardName: string;
}

export const EDGE: LayerContract<EdgeOutputs> = {
  layer: "edge",
  project: "mlapi-edge",
  outputNames: [
    "cloudFrontUrl",
    "cloudFrontDistributionId",
    "cloudFrontDomainName",
    "errorPagesBucketName",
    "cloudFrontWebAclArn",
    "cloudFrontLogGroupName",
    "alarmTopicArn",
    "dashboardName",
  ],
  secretOutputNames: [],
};
