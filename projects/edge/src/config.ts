import * as pulumi from "@pulumi/pulumi";
import type { EdgeAlarmThresholds } from "@mlapi/components";
import {
  API_DISTRIBUTION_DEFAULTS,
  batchRateLimitFor,
  CLOUDFRONT_REGION,
  CLOUDFRONT_WEB_ACL_DEFAULTS,
  readAlarmSubscriptions,
  readEdgeAlarmConfig,
} from "@mlapi/components";
import type { Profile, UpstreamLocation } from "@mlapi/core";
import { ConfigReader } from "@mlapi/core";

/** How viewers' TLS is terminated (R17); exactly one applies. */
export type CertificateMode =
  /** A new ACM certificate for `domainName` in us-east-1, DNS-validated in `hostedZoneId`; alias records there. */
  | { kind: "create"; domainName: string; hostedZoneId: string }
  /** An existing us-east-1 ACM certificate covering `domainName`; alias records only when a zone is given. */
  | { kind: "existing"; certificateArn: string; domainName: string; hostedZoneId?: string }
  /** CloudFront's *.cloudfront.net certificate; explicit opt-in for throwaway stacks. */
  | { kind: "default" };

export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export const RATE_LIMIT_WINDOWS = [60, 120, 300, 600] as const;

/** The edge layer's settings, validated as a whole before any resource is declared. */
export interface EdgeConfig {
  /** Suffix of every physical name (docs/requirements.md, Configuration). Default: env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix: string;
  /** throwaway (default) or production: tagged so, and may keep its logs longer. */
  profile: Profile;
  /** Days every log group keeps: 30; a production stack may choose a longer CloudWatch period. */
  logRetentionDays: number;
  /** Certificate and DNS, from domainName / hostedZoneId / certificateArn / allowDefaultCertificate. No default: one must be chosen. */
  certificate: CertificateMode;
  /** Edge locations served from. Default API_DISTRIBUTION_DEFAULTS.priceClass (North America and Europe, cheapest). */
  priceClass: (typeof PRICE_CLASSES)[number];
  /** Requests per client IP per window before WAF blocks it, 10 to 2e9. Default CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimit. */
  rateLimit: number;
  /** Rate-limit window in seconds: 60, 120, 300 or 600. Default CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimitWindowSeconds. */
  rateLimitWindowSeconds: (typeof RATE_LIMIT_WINDOWS)[number];
  /** Batch requests (up to 16 images each) per client IP per window before WAF blocks it, 10 to rateLimit. Default batchRateLimitFor(rateLimit): rateLimit / 16 (CLOUDFRONT_WEB_ACL_DEFAULTS.batchRateLimit with the default rateLimit). */
  batchRateLimit: number;
  /** Seconds CloudFront waits for the ALB's first byte, 1-180 (over 60 needs a quota increase). Default API_DISTRIBUTION_DEFAULTS.readTimeoutSeconds. */
  originReadTimeoutSeconds: number;
  /** Seconds a 403/404 stays cached at the edge, 0-300. Default API_DISTRIBUTION_DEFAULTS.errorCachingMinTtlSeconds. */
  errorCachingTtlSeconds: number;
  /** Where the service stack lives. Default: this stack's organization and stack name. */
  upstream: UpstreamLocation;
  /** Emails / https:// endpoints on the edge's own us-east-1 alarm topic (only outside us-east-1). Default none. */
  alarmEmails: string[];
  /** CloudFront and edge-WAF alarm thresholds (docs/monitoring.md). Defaults: EDGE_ALARM_RULES. */
  alarms: EdgeAlarmThresholds;
}

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE_ARN = new RegExp(`^arn:aws[a-z-]*:acm:${CLOUDFRONT_REGION}:\\d{12}:certificate/[0-9a-f-]{36}$`);

/** The error when no certificate mode is chosen (exported for the tests, which compare it exactly). */
export function noCertificateProblem(reader: ConfigReader): string {
  const k = (key: string) => reader.key(key);
  return (
    `no certificate is configured for CloudFront. Set ${k("domainName")} and ${k("hostedZoneId")} to create a ` +
    `DNS-validated ACM certificate in ${CLOUDFRONT_REGION}, or ${k("certificateArn")} (with ${k("domainName")}) to use an existing ` +
    `${CLOUDFRONT_REGION} certificate; or, for a throwaway stack only, set ${k("allowDefaultCertificate")} to true to serve ` +
    `https://<id>.cloudfront.net with CloudFront's default certificate.`
  );
}

function certificateMode(reader: ConfigReader): CertificateMode {
  const domainName = reader.optionalString("domainName");
  const hostedZoneId = reader.optionalString("hostedZoneId");
  const certificateArn = reader.optionalString("certificateArn");
  const allowDefault = reader.boolean("allowDefaultCertificate", false);
  const k = (key: string) => reader.key(key);

  if (domainName !== undefined) {
    reader.check(
      DOMAIN_NAME.test(domainName),
      "domainName",
      domainName,
      "must be a fully qualified lowercase host name without a trailing dot or wildcard, e.g. api.example.com",
    );
  }
  if (hostedZoneId !== undefined) {
    reader.check(
      HOSTED_ZONE_ID.test(hostedZoneId),
      "hostedZoneId",
      hostedZoneId,
      "must be a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ",
    );
    reader.check(
      domainName !== undefined,
      "hostedZoneId",
      hostedZoneId,
      `needs ${k("domainName")}, the name to create in that zone`,
    );
  }
  if (certificateArn !== undefined) {
    reader.check(
      CERTIFICATE_ARN.test(certificateArn),
      "certificateArn",
      certificateArn,
      `must be the ARN of an ACM certificate in ${CLOUDFRONT_REGION} (arn:aws:acm:${CLOUDFRONT_REGION}:<account>:certificate/<id>); CloudFront uses no other region's certificates`,
    );
    reader.check(
      domainName !== undefined,
      "certificateArn",
      certificateArn,
      `needs ${k("domainName")}, the name the certificate covers (CloudFront presents a custom certificate only for its aliases)`,
    );
    return { kind: "existing", certificateArn, domainName: domainName ?? "", hostedZoneId };
  }
  if (domainName !== undefined) {
    reader.check(
      hostedZoneId !== undefined,
      "domainName",
      domainName,
      `needs ${k("hostedZoneId")} (to create and DNS-validate a certificate) or ${k("certificateArn")} (an existing ${CLOUDFRONT_REGION} certificate covering it)`,
    );
    return { kind: "create", domainName, hostedZoneId: hostedZoneId ?? "" };
  }
  if (!allowDefault) reader.requiredString("domainName", noCertificateProblem(reader));
  return { kind: "default" };
}

export function loadConfig(reader = new ConfigReader()): EdgeConfig {
  const profile = reader.profile();
  const rateLimit = reader.number("rateLimit", {
    default: CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimit,
    min: 10,
    max: 2_000_000_000,
    step: 1,
  });
  const config: EdgeConfig = {
    environmentSuffix: reader.environmentSuffix(),
    profile,
    logRetentionDays: reader.logRetentionDays(profile),
    certificate: certificateMode(reader),
    priceClass: reader.oneOf("priceClass", PRICE_CLASSES, API_DISTRIBUTION_DEFAULTS.priceClass),
    rateLimit,
    rateLimitWindowSeconds: reader.oneOf(
      "rateLimitWindowSeconds",
      RATE_LIMIT_WINDOWS,
      CLOUDFRONT_WEB_ACL_DEFAULTS.rateLimitWindowSeconds,
    ),
    // Its default follows rateLimit: the same images per window in full batches.
    batchRateLimit: reader.number("batchRateLimit", {
      default: batchRateLimitFor(rateLimit),
      min: 10,
      max: 2_000_000_000,
      step: 1,
    }),
    originReadTimeoutSeconds: reader.number("originReadTimeoutSeconds", {
      default: API_DISTRIBUTION_DEFAULTS.readTimeoutSeconds,
      min: 1,
      max: 180,
      step: 1,
    }),
    errorCachingTtlSeconds: reader.number("errorCachingTtlSeconds", {
      default: API_DISTRIBUTION_DEFAULTS.errorCachingMinTtlSeconds,
      min: 0,
      max: 300,
      step: 1,
    }),
    upstream: reader.upstreamLocation(),
    alarmEmails: readAlarmSubscriptions(reader),
    alarms: readEdgeAlarmConfig(reader),
  };
  reader.check(
    config.batchRateLimit <= config.rateLimit,
    "batchRateLimit",
    config.batchRateLimit,
    `must be <= rateLimit (${config.rateLimit}): every batch request also counts toward the general limit`,
  );
  reader.done();
  if (config.certificate.kind === "default") {
    pulumi.log.warn(
      `${reader.key("allowDefaultCertificate")} is true: CloudFront serves only https://<id>.cloudfront.net with its default certificate, ` +
        `whose TLS floor cannot be raised to TLS 1.2. Use it for throwaway stacks only; set ${reader.key("domainName")} and ` +
        `${reader.key("hostedZoneId")}, or ${reader.key("certificateArn")}, for anything else.`,
    );
  }
  return config;
}
