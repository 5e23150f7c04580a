import type { LayerContract } from "./contract";

/** Outputs of the edge layer (mlapi-edge). The edge layer owner may extend this contract. */
export interface EdgeOutputs {
  /** `https://<domain>` or `https://<distribution>.cloudfront.net`. */
  cloudFrontUrl: string;
  cloudFrontDistributionId: string;
  cloudFrontDomainName: string;
  errorPagesBucketName: string;
}

export const EDGE: LayerContract<EdgeOutputs> = {
  layer: "edge",
  project: "mlapi-edge",
  outputNames: ["cloudFrontUrl", "cloudFrontDistributionId", "cloudFrontDomainName", "errorPagesBucketName"],
  secretOutputNames: [],
};
