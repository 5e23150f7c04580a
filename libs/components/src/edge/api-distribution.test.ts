import { Naming } from "@mlapi/core";
import { one, renderProgram } from "@mlapi/testing";
import type { ApiDistributionArgs } from "./api-distribution";
import { ApiDistribution } from "./api-distribution";

const base = (): ApiDistributionArgs => ({
  naming: new Naming("dev"),
  comment: "test",
  apiOrigin: { domainName: "origin.example.com", vpcOriginId: "vo_1" },
  errorPages: {
    bucketName: "errors-bucket",
    bucketArn: "arn:aws:s3:::errors-bucket",
    bucketRegionalDomainName: "errors-bucket.s3.us-east-1.amazonaws.com",
    originAccessControlId: "E2OAC",
    keyPrefix: "oops",
    pagePaths: { 404: "/oops/404.json", 502: "/oops/502.json" },
  },
  certificate: "default",
  webAclArn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
});
const render = (args: Partial<ApiDistributionArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const d = new ApiDistribution("api", { ...base(), ...args });
      return { id: d.distributionId };
    },
  });

describe("ApiDistribution", () => {
  it("maps each error document to a custom error response and the bucket folder to a behaviour", async () => {
    const r = await render({ errorCachingMinTtlSeconds: 0 });
    const inputs = one(r, "aws:cloudfront/distribution:Distribution").inputs as Record<
      string,
      Array<Record<string, unknown>>
    >;
    expect(inputs.customErrorResponses).toEqual([
      { errorCode: 404, responseCode: 404, responsePagePath: "/oops/404.json", errorCachingMinTtl: 0 },
      { errorCode: 502, responseCode: 502, responsePagePath: "/oops/502.json", errorCachingMinTtl: 0 },
    ]);
    expect(inputs.orderedCacheBehaviors[0].pathPattern).toBe("/oops/*");
    expect(JSON.parse(String(one(r, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy)).Statement[0].Resource).toBe(
      "arn:aws:s3:::errors-bucket/oops/*",
    );
  });

  it("reaches the API through the VPC origin only, with the origin timeouts given, and takes the HSTS max-age", async () => {
    const r = await render({
      apiOrigin: {
        domainName: "o.example.com",
        vpcOriginId: "vo_2",
        readTimeoutSeconds: 60,
        keepaliveTimeoutSeconds: 30,
      },
      hstsMaxAgeSeconds: 31536000,
    });
    const origins = one(r, "aws:cloudfront/distribution:Distribution").inputs.origins as Array<Record<string, unknown>>;
    expect(origins[0]).toEqual({
      originId: "alb",
      domainName: "o.example.com",
      vpcOriginConfig: { vpcOriginId: "vo_2", originReadTimeout: 60, originKeepaliveTimeout: 30 },
      connectionAttempts: 3,
      connectionTimeout: 10,
    });
    const headers = one(r, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs
      .securityHeadersConfig as Record<string, Record<string, unknown>>;
    expect(headers.strictTransportSecurity.accessControlMaxAgeSec).toBe(31536000);
  });

  it.each<[string, Partial<ApiDistributionArgs>, string]>([
    [
      "a read timeout over 180 s",
      { apiOrigin: { domainName: "o", vpcOriginId: "vo_1", readTimeoutSeconds: 181 } },
      "ApiDistribution api: apiOrigin.readTimeoutSeconds must be a whole number from 1 to 180, got 181",
    ],
    [
      "a keepalive of 0",
      { apiOrigin: { domainName: "o", vpcOriginId: "vo_1", keepaliveTimeoutSeconds: 0 } },
      "ApiDistribution api: apiOrigin.keepaliveTimeoutSeconds must be a whole number from 1 to 60, got 0",
    ],
    [
      "a negative error TTL",
      { errorCachingMinTtlSeconds: -1 },
      "ApiDistribution api: errorCachingMinTtlSeconds must be a whole number from 0 to 31536000, got -1",
    ],
  ])("refuses %s", async (_case, args, message) => {
    await expect(render(args)).rejects.toThrow(message);
  });

  it("refuses a distribution without error documents", async () => {
    await expect(render({ errorPages: { ...base().errorPages, pagePaths: {} } })).rejects.toThrow(
      "ApiDistribution api: errorPages.pagePaths is empty",
    );
  });
});
