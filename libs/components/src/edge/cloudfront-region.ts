/**
 * The one region literal of the platform (docs/requirements.md, Configuration). CloudFront is a global service whose
 * regional pieces all live in us-east-1: the ACM certificate a distribution presents, a
 * CLOUDFRONT-scope WAFv2 web ACL, CloudFront's metrics and its log delivery sources. None of
 * them can be created in the stack's own region, whatever `aws:region` says. The edge places them
 * there with pulumi-aws 7's per-resource `region` input rather than a second provider, so every
 * resource is created by the stack's one provider and honours all of its `aws:` config
 * (`assumeRoles`, `allowedAccountIds`, `profile`, shared credentials files, …).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
 */
export const CLOUDFRONT_REGION = "us-east-1";
