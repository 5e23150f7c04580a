import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { denyInsecureTransport } from "../s3/private-bucket";

/** AWS-managed policies the distribution uses, looked up by name (the `Managed-` prefix is part of it). */
export const MANAGED_POLICY_NAMES = {
  /** API responses are per-request: never cached. */
  cachingDisabled: "Managed-CachingDisabled",
  /** Error documents are static: cached, compressed. */
  cachingOptimized: "Managed-CachingOptimized",
  /** Every viewer header, cookie and query string reaches the ALB, except Host (the ALB's own name is sent). */
  allViewerExceptHostHeader: "Managed-AllViewerExceptHostHeader",
} as const;

/**
 * Minimum TLS of viewer connections with a custom certificate. TLSv1.2_2025 exists in CloudFront,
 * but the provider validates against the AWS SDK's enum, which (hashicorp/terraform-provider-aws#44756)
 * rejects it; TLSv1.2_2021 is TLS 1.2+ with only forward-secret AEAD ciphers.
 */
export const VIEWER_MINIMUM_PROTOCOL_VERSION = "TLSv1.2_2021";

/** The distribution's origin ids. */
export const ORIGIN_IDS = { alb: "alb", errorPages: "error-pages" } as const;

export interface ApiDistributionArgs {
  naming: Naming;
  /** What the distribution serves, for the console. */
  comment: string;
  /** The API origin: the service layer's internal ALB, through a CloudFront VPC origin (see ApiVpcOrigin). */
  apiOrigin: {
    /**
     * Host name CloudFront sends to the ALB (service output `originDomainName`): with HTTPS the name
     * its certificate covers; the connection itself goes through the VPC origin, not DNS.
     */
    domainName: pulumi.Input<string>;
    /** Id of the VPC origin (ApiVpcOrigin.vpcOriginId); the protocol and port are set on it. */
    vpcOriginId: pulumi.Input<string>;
    /**
     * Seconds CloudFront waits for the first byte of a response; 1-60 without a quota increase.
     * @default API_DISTRIBUTION_DEFAULTS.readTimeoutSeconds
     */
    readTimeoutSeconds?: number;
    /**
     * Seconds an idle connection to the origin is kept open, 1-60.
     * @default API_DISTRIBUTION_DEFAULTS.keepaliveTimeoutSeconds
     */
    keepaliveTimeoutSeconds?: number;
  };
  /** The private bucket of error documents, read through origin access control. */
  errorPages: {
    bucketName: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    bucketRegionalDomainName: pulumi.Input<string>;
    originAccessControlId: pulumi.Input<string>;
    /** Folder of the documents in the bucket and in URLs, e.g. `errors`. */
    keyPrefix: string;
    /** Viewer path per status code whose origin answer is replaced, e.g. `{ 403: "/errors/403.json" }`; other codes pass through. */
    pagePaths: Record<number, string>;
    /** A resource the bucket policy must wait for (the public access block; S3 rejects concurrent bucket edits). */
    dependsOn?: pulumi.Resource;
  };
  /**
   * Viewer certificate: an issued ACM certificate in us-east-1 with the names it covers, or
   * `"default"` for CloudFront's own *.cloudfront.net certificate (no aliases, TLS floor not settable).
   */
  certificate: { acmCertificateArn: pulumi.Input<string>; aliases: string[] } | "default";
  /** ARN of a CLOUDFRONT-scope WAFv2 web ACL. */
  webAclArn: pulumi.Input<string>;
  /**
   * Edge locations served from: PriceClass_100 (North America, Europe), PriceClass_200, PriceClass_All.
   * @default API_DISTRIBUTION_DEFAULTS.priceClass
   */
  priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  /**
   * Seconds CloudFront caches an origin's answer with a replaced status (`errorPages.pagePaths`)
   * before asking the origin again. Short, so a lifted WAF block on the ALB shows quickly.
   * @default API_DISTRIBUTION_DEFAULTS.errorCachingMinTtlSeconds
   */
  errorCachingMinTtlSeconds?: number;
  /**
   * max-age of the Strict-Transport-Security header.
   * @default API_DISTRIBUTION_DEFAULTS.hstsMaxAgeSeconds (two years)
   */
  hstsMaxAgeSeconds?: number;
}

/** Defaults of the optional arguments, in one place; the edge layer's config reads them. */
export const API_DISTRIBUTION_DEFAULTS = {
  readTimeoutSeconds: 30,
  keepaliveTimeoutSeconds: 5,
  priceClass: "PriceClass_100" as const,
  errorCachingMinTtlSeconds: 10,
  hstsMaxAgeSeconds: 63072000,
};

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];

/**
 * The CloudFront distribution in front of the API (R16): viewers on HTTPS only (HTTP
 * redirected), TLS 1.2+, HTTP/2 and HTTP/3, IPv6. API traffic goes uncached through a VPC origin to
 * the internal ALB (R11) with every viewer header, cookie and query string except Host; answers with a
 * status in `errorPages.pagePaths` (the edge layer: 403, a WAF block) are replaced by the JSON documents
 * of the private error-pages bucket, read through origin access control; every other status passes through. Security
 * headers on every response. The bucket policy lets exactly this distribution read the bucket.
 */
export class ApiDistribution extends pulumi.ComponentResource {
  readonly distribution: aws.cloudfront.Distribution;
  readonly responseHeadersPolicy: aws.cloudfront.ResponseHeadersPolicy;
  readonly bucketPolicy: aws.s3.BucketPolicy;
  readonly distributionId: pulumi.Output<string>;
  readonly distributionArn: pulumi.Output<string>;
  readonly domainName: pulumi.Output<string>;
  readonly hostedZoneId: pulumi.Output<string>;

  constructor(name: string, args: ApiDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:ApiDistribution", name, {}, opts);
    const readTimeout = args.apiOrigin.readTimeoutSeconds ?? API_DISTRIBUTION_DEFAULTS.readTimeoutSeconds;
    const keepaliveTimeout =
      args.apiOrigin.keepaliveTimeoutSeconds ?? API_DISTRIBUTION_DEFAULTS.keepaliveTimeoutSeconds;
    checkRange(name, "apiOrigin.readTimeoutSeconds", readTimeout, 1, 180);
    checkRange(name, "apiOrigin.keepaliveTimeoutSeconds", keepaliveTimeout, 1, 60);
    const errorTtl = args.errorCachingMinTtlSeconds ?? API_DISTRIBUTION_DEFAULTS.errorCachingMinTtlSeconds;
    checkRange(name, "errorCachingMinTtlSeconds", errorTtl, 0, 31536000);
    const errorCodes = Object.keys(args.errorPages.pagePaths).map(Number);
    if (errorCodes.length === 0) throw new Error(`ApiDistribution ${name}: errorPages.pagePaths is empty`);

    const cachingDisabled = aws.cloudfront.getCachePolicyOutput(
      { name: MANAGED_POLICY_NAMES.cachingDisabled },
      { parent: this },
    );
    const cachingOptimized = aws.cloudfront.getCachePolicyOutput(
      { name: MANAGED_POLICY_NAMES.cachingOptimized },
      { parent: this },
    );
    const allViewerExceptHost = aws.cloudfront.getOriginRequestPolicyOutput(
      { name: MANAGED_POLICY_NAMES.allViewerExceptHostHeader },
      { parent: this },
    );

    this.responseHeadersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-security-headers`,
      {
        name: args.naming.name("security-headers", "cloudfrontPolicy"),
        comment: "Security headers on every API and error response",
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: args.hstsMaxAgeSeconds ?? API_DISTRIBUTION_DEFAULTS.hstsMaxAgeSeconds,
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "no-referrer", override: true },
          // A JSON API loads nothing and is framed by nothing.
          contentSecurityPolicy: {
            contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
            override: true,
          },
        },
      },
      { parent: this },
    );
    const responseHeadersPolicyId = this.responseHeadersPolicy.id;

    const custom = args.certificate === "default" ? undefined : args.certificate;
    this.distribution = new aws.cloudfront.Distribution(
      `${name}-distribution`,
      {
        comment: args.comment,
        enabled: true,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? API_DISTRIBUTION_DEFAULTS.priceClass,
        aliases: custom?.aliases ?? [],
        webAclId: args.webAclArn,
        origins: [
          {
            originId: ORIGIN_IDS.alb,
            domainName: args.apiOrigin.domainName,
            vpcOriginConfig: {
              vpcOriginId: args.apiOrigin.vpcOriginId,
              originReadTimeout: readTimeout,
              originKeepaliveTimeout: keepaliveTimeout,
            },
            connectionAttempts: 3,
            connectionTimeout: 10,
          },
          {
            originId: ORIGIN_IDS.errorPages,
            domainName: args.errorPages.bucketRegionalDomainName,
            originAccessControlId: args.errorPages.originAccessControlId,
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: ORIGIN_IDS.alb,
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ALL_METHODS,
          cachedMethods: ["GET", "HEAD"],
          compress: true,
          cachePolicyId: cachingDisabled.apply((p) => required(p.id, MANAGED_POLICY_NAMES.cachingDisabled)),
          originRequestPolicyId: allViewerExceptHost.apply((p) =>
            required(p.id, MANAGED_POLICY_NAMES.allViewerExceptHostHeader),
          ),
          responseHeadersPolicyId,
        },
        orderedCacheBehaviors: [
          {
            pathPattern: `/${args.errorPages.keyPrefix}/*`,
            targetOriginId: ORIGIN_IDS.errorPages,
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: ["GET", "HEAD"],
            cachedMethods: ["GET", "HEAD"],
            compress: true,
            cachePolicyId: cachingOptimized.apply((p) => required(p.id, MANAGED_POLICY_NAMES.cachingOptimized)),
            responseHeadersPolicyId,
          },
        ],
        customErrorResponses: errorCodes.map((code) => ({
          errorCode: code,
          responseCode: code,
          responsePagePath: args.errorPages.pagePaths[code],
          errorCachingMinTtl: errorTtl,
        })),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: custom
          ? {
              acmCertificateArn: custom.acmCertificateArn,
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: VIEWER_MINIMUM_PROTOCOL_VERSION,
            }
          : { cloudfrontDefaultCertificate: true },
      },
      { parent: this },
    );

    // --- error-pages bucket: readable by this distribution only (OAC signs as cloudfront.amazonaws.com) ---
    this.bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-error-pages-policy`,
      {
        bucket: args.errorPages.bucketName,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudFrontReadsErrorPages",
              Effect: "Allow",
              Principal: { Service: "cloudfront.amazonaws.com" },
              Action: "s3:GetObject",
              Resource: pulumi.interpolate`${args.errorPages.bucketArn}/${args.errorPages.keyPrefix}/*`,
              Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
            },
            pulumi.output(args.errorPages.bucketArn).apply(denyInsecureTransport),
          ],
        }),
      },
      { parent: this, dependsOn: args.errorPages.dependsOn ? [args.errorPages.dependsOn] : [] },
    );

    this.distributionId = this.distribution.id;
    this.distributionArn = this.distribution.arn;
    this.domainName = this.distribution.domainName;
    this.hostedZoneId = this.distribution.hostedZoneId;
    this.registerOutputs({ distributionId: this.distributionId, domainName: this.domainName });
  }
}

function required(id: string | undefined, policyName: string): string {
  if (!id) throw new Error(`CloudFront managed policy "${policyName}" was not found`);
  return id;
}

function checkRange(component: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `ApiDistribution ${component}: ${field} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
}
