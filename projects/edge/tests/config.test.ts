import * as pulumi from "@pulumi/pulumi";
import { EDGE_ALARM_RULES, thresholdDefaults } from "@mlapi/components";
import { ConfigError, ConfigReader } from "@mlapi/core";
import type { EdgeConfig } from "../src/config";
import { loadConfig } from "../src/config";

const ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-4222-8333-444455556666";

function load(values: Record<string, string>): EdgeConfig {
  const source = { name: "mlapi-edge", get: (key: string) => values[key] };
  return loadConfig(
    new ConfigReader(
      source,
      {},
      () => "dev",
      () => "acme",
    ),
  );
}

describe("edge config: certificate modes (R17)", () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  it.each<[string, Record<string, string>, EdgeConfig["certificate"]]>([
    [
      "domainName + hostedZoneId creates a certificate",
      { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      { kind: "create", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    ],
    [
      "certificateArn + domainName uses it",
      { domainName: "api.example.com", certificateArn: ARN },
      { kind: "existing", certificateArn: ARN, domainName: "api.example.com", hostedZoneId: undefined },
    ],
    [
      "certificateArn wins over creating one when a zone is also given (the zone then only gets the alias records)",
      { domainName: "api.example.com", certificateArn: ARN, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      { kind: "existing", certificateArn: ARN, domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    ],
    [
      "allowDefaultCertificate: true opts into the default certificate",
      { allowDefaultCertificate: "true" },
      { kind: "default" },
    ],
    [
      "a domain mode wins over allowDefaultCertificate",
      { allowDefaultCertificate: "true", domainName: "api.example.com", certificateArn: ARN },
      { kind: "existing", certificateArn: ARN, domainName: "api.example.com", hostedZoneId: undefined },
    ],
  ])("%s", (_case, values, expected) => {
    expect(load(values).certificate).toEqual(expected);
  });

  it("warns, naming the key, when the default certificate is used", () => {
    load({ allowDefaultCertificate: "true" });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /^mlapi-edge:allowDefaultCertificate is true: CloudFront serves only https:\/\/<id>\.cloudfront\.net/,
    );
  });

  it("does not warn with a real certificate", () => {
    load({ domainName: "api.example.com", certificateArn: ARN });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("edge config: defaults", () => {
  it("uses the throwaway profile, 30-day logs, PriceClass_100, 2000 requests per 5 minutes, a 30 s origin timeout, 10 s error caching and this stack's service", () => {
    const cfg = load({ allowDefaultCertificate: "true" });
    expect(cfg).toEqual({
      environmentSuffix: "dev",
      profile: "throwaway",
      logRetentionDays: 30,
      certificate: { kind: "default" },
      priceClass: "PriceClass_100",
      rateLimit: 2000,
      rateLimitWindowSeconds: 300,
      batchRateLimit: 125,
      originReadTimeoutSeconds: 30,
      errorCachingTtlSeconds: 10,
      upstream: { organization: "acme", stack: "dev" },
      alarmEmails: [],
      alarms: thresholdDefaults(EDGE_ALARM_RULES),
    });
  });

  it("derives the batch limit from rateLimit (the same images per window in batches of 16) unless set", () => {
    expect(load({ allowDefaultCertificate: "true", rateLimit: "800" }).batchRateLimit).toBe(50);
    expect(load({ allowDefaultCertificate: "true", rateLimit: "100" }).batchRateLimit).toBe(10);
    expect(load({ allowDefaultCertificate: "true", batchRateLimit: "40" }).batchRateLimit).toBe(40);
  });

  it("takes a longer log retention in a production stack only (issue 26)", () => {
    expect(load({ allowDefaultCertificate: "true", profile: "production", logRetentionDays: "400" })).toMatchObject({
      profile: "production",
      logRetentionDays: 400,
    });
    expect(() => load({ allowDefaultCertificate: "true", logRetentionDays: "400" })).toThrow(
      'Invalid configuration: mlapi-edge:logRetentionDays = "400": a throwaway stack keeps its logs 30 days (R14); a longer retention needs mlapi-edge:profile: production',
    );
  });

  it("reads the upstream service location from upstreamOrganization / upstreamStack", () => {
    expect(
      load({ allowDefaultCertificate: "true", upstreamOrganization: "other", upstreamStack: "shared" }).upstream,
    ).toEqual({ organization: "other", stack: "shared" });
  });
});

describe("edge config: errors", () => {
  it.each<[string, Record<string, string>, string]>([
    [
      "no certificate and no opt-in",
      {},
      "Invalid configuration: mlapi-edge:domainName is not set: no certificate is configured for CloudFront. Set mlapi-edge:domainName and mlapi-edge:hostedZoneId to create a DNS-validated ACM certificate in us-east-1, or mlapi-edge:certificateArn (with mlapi-edge:domainName) to use an existing us-east-1 certificate; or, for a throwaway stack only, set mlapi-edge:allowDefaultCertificate to true to serve https://<id>.cloudfront.net with CloudFront's default certificate.",
    ],
    [
      "allowDefaultCertificate: false said out loud",
      { allowDefaultCertificate: "false" },
      "Invalid configuration: mlapi-edge:domainName is not set: no certificate is configured for CloudFront.",
    ],
    [
      "a domain with neither zone nor certificate",
      { domainName: "api.example.com" },
      'Invalid configuration: mlapi-edge:domainName = "api.example.com": needs mlapi-edge:hostedZoneId (to create and DNS-validate a certificate) or mlapi-edge:certificateArn (an existing us-east-1 certificate covering it)',
    ],
    [
      "a certificate without the domain it covers",
      { certificateArn: ARN },
      `Invalid configuration: mlapi-edge:certificateArn = "${ARN}": needs mlapi-edge:domainName, the name the certificate covers (CloudFront presents a custom certificate only for its aliases)`,
    ],
    [
      "a certificate outside us-east-1",
      { domainName: "api.example.com", certificateArn: ARN.replace("us-east-1", "eu-west-1") },
      `mlapi-edge:certificateArn = "${ARN.replace("us-east-1", "eu-west-1")}": must be the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>); CloudFront uses no other region's certificates`,
    ],
    [
      "a zone without a domain",
      { hostedZoneId: "Z0123456789ABCDEFGHIJ", allowDefaultCertificate: "true" },
      'Invalid configuration: mlapi-edge:hostedZoneId = "Z0123456789ABCDEFGHIJ": needs mlapi-edge:domainName, the name to create in that zone',
    ],
    [
      "an upper-case domain with a trailing dot",
      { domainName: "API.example.com.", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      'mlapi-edge:domainName = "API.example.com.": must be a fully qualified lowercase host name without a trailing dot or wildcard, e.g. api.example.com',
    ],
    [
      "a wildcard domain",
      { domainName: "*.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      'mlapi-edge:domainName = "*.example.com": must be a fully qualified lowercase host name',
    ],
    [
      "a hosted zone id with the /hostedzone/ prefix",
      { domainName: "api.example.com", hostedZoneId: "/hostedzone/Z0123456789ABCDEFGHIJ" },
      'mlapi-edge:hostedZoneId = "/hostedzone/Z0123456789ABCDEFGHIJ": must be a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ',
    ],
    [
      "an unknown price class",
      { allowDefaultCertificate: "true", priceClass: "PriceClass_50" },
      'mlapi-edge:priceClass = "PriceClass_50": must be one of PriceClass_100, PriceClass_200, PriceClass_All',
    ],
    [
      "a rate limit under WAF's minimum of 10",
      { allowDefaultCertificate: "true", rateLimit: "5" },
      'mlapi-edge:rateLimit = "5": must be a number >= 10, <= 2000000000, a whole number',
    ],
    [
      "a batch limit above the general one",
      { allowDefaultCertificate: "true", rateLimit: "100", batchRateLimit: "200" },
      "mlapi-edge:batchRateLimit = 200: must be <= rateLimit (100): every batch request also counts toward the general limit",
    ],
    [
      "a batch limit under WAF's minimum of 10",
      { allowDefaultCertificate: "true", batchRateLimit: "5" },
      'mlapi-edge:batchRateLimit = "5": must be a number >= 10, <= 2000000000, a whole number',
    ],
    [
      "a rate-limit window WAF does not offer",
      { allowDefaultCertificate: "true", rateLimitWindowSeconds: "30" },
      'mlapi-edge:rateLimitWindowSeconds = "30": must be one of 60, 120, 300, 600',
    ],
    [
      "an origin timeout over CloudFront's 180 s",
      { allowDefaultCertificate: "true", originReadTimeoutSeconds: "181" },
      'mlapi-edge:originReadTimeoutSeconds = "181": must be a number >= 1, <= 180, a whole number',
    ],
    [
      "an error-caching TTL over 5 minutes",
      { allowDefaultCertificate: "true", errorCachingTtlSeconds: "3600" },
      'mlapi-edge:errorCachingTtlSeconds = "3600": must be a number >= 0, <= 300, a whole number',
    ],
    [
      "allowDefaultCertificate that is not a boolean",
      { allowDefaultCertificate: "yes" },
      'mlapi-edge:allowDefaultCertificate = "yes": must be true or false',
    ],
  ])("rejects %s", (_case, values, message) => {
    expect(() => load(values)).toThrow(ConfigError);
    expect(() => load(values)).toThrow(message);
  });

  it("reports every problem at once", () => {
    expect(() => load({ priceClass: "cheap", rateLimit: "1" })).toThrow(/^Invalid configuration \(3 problems\):/);
  });
});
