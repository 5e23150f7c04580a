import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * The one region literal of the platform (SPEC §3). CloudFront is a global service whose
 * regional pieces all live in us-east-1: the ACM certificate a distribution presents, a
 * CLOUDFRONT-scope WAFv2 web ACL, CloudFront's metrics and its log delivery sources. None of
 * them can be created in the stack's own region, whatever `aws:region` says.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
 */
export const CLOUDFRONT_REGION = "us-east-1";

/**
 * An explicit AWS provider for {@link CLOUDFRONT_REGION}. An explicit provider does not read the
 * stack's `aws:` config, so the profile (if any) is passed through; credentials otherwise come
 * from the environment exactly as for the default provider.
 */
export function cloudFrontRegionProvider(name: string, opts?: pulumi.CustomResourceOptions): aws.Provider {
  const awsConfig = new pulumi.Config("aws");
  return new aws.Provider(name, { region: CLOUDFRONT_REGION, profile: awsConfig.get("profile") }, opts);
}
