import * as fs from "node:fs";
import * as path from "node:path";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { imageUploadException } from "@mlapi/components";
import { MANAGED_IDS, ofType, one, policyDocument, programLoader, ref, renderProgram } from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const STACK = "dev";
// The stack runs in eu-west-1 so that "in us-east-1" can only come from the per-resource region.
const REGION = "eu-west-1";
const ALB_DNS = "internal-mlapi-alb-dev-1234567890.eu-west-1.elb.amazonaws.com";
const ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mlapi-alb-dev/0123456789abcdef";

const serviceOutputs = (originProtocol: "http" | "https") => ({
  albDnsName: ALB_DNS,
  albZoneId: "Z32O12XQLNTSW2",
  albArnSuffix: "app/mlapi-alb-dev/0123456789abcdef",
  targetGroupArnSuffix: "targetgroup/mlapi-tg-dev/0123456789abcdef",
  originProtocol,
  originDomainName: originProtocol === "https" ? "origin.api.example.com" : ALB_DNS,
  originAlbArn: ALB_ARN,
  originPort: originProtocol === "https" ? 443 : 80,
  originVpcId: "vpc-0abc",
  originSecurityGroupId: "sg-alb",
  ecsClusterName: "mlapi-dev",
  ecsServiceName: "mlapi-api-dev",
  ecrRepositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlapi-api-dev",
  apiImage: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlapi-api-dev:amd64-0123456789abcdef0123@sha256:${"0".repeat(64)}`,
  wafWebAclArn:
    "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/mlapi-alb-dev/00000000-0000-4000-a000-000000000000",
  wafWebAclMetricName: "mlapi-alb-dev",
  alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:mlapi-alarms-dev",
  rdsClusterIdentifier: "mlapi-db-dev",
  sessionsTableName: "mlapi-sessions-dev",
});

const render = (
  config: Record<string, unknown>,
  originProtocol: "http" | "https" = "http",
  service: Record<string, unknown> = serviceOutputs(originProtocol),
) =>
  renderProgram({
    project: "mlapi-edge",
    stack: STACK,
    config: { "aws:region": REGION, "mlapi-edge:environmentSuffix": STACK, ...config },
    stackOutputs: { [`organization/mlapi-service/${STACK}`]: service },
    load,
  });

const DEFAULT_CERT = { "mlapi-edge:allowDefaultCertificate": true };
const CREATE_CERT = { "mlapi-edge:domainName": "api.example.com", "mlapi-edge:hostedZoneId": "Z0123456789ABCDEFGHIJ" };
const EXISTING_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-4222-8333-444455556666";
const EXISTING_CERT = { "mlapi-edge:domainName": "api.example.com", "mlapi-edge:certificateArn": EXISTING_ARN };

const distributionOf = (r: RenderResult) => one(r, "aws:cloudfront/distribution:Distribution");
type Dist = {
  aliases: string[];
  viewerCertificate: Record<string, unknown>;
  origins: Array<Record<string, unknown> & { originId: string; customOriginConfig?: Record<string, unknown> }>;
  defaultCacheBehavior: Record<string, unknown>;
  orderedCacheBehaviors: Array<Record<string, unknown>>;
  customErrorResponses: Array<Record<string, unknown>>;
  webAclId: string;
};
const dist = (r: RenderResult) => distributionOf(r).inputs as unknown as Dist;

/** Whether a resource is in us-east-1 through pulumi-aws 7's per-resource region (on the stack's own provider). */
const onUsEast1 = (_r: RenderResult, res: PlannedResource) =>
  res.inputs.region === "us-east-1" && (!res.provider || res.provider.includes("::pulumi:providers:aws::default"));

describe("edge layer, default-certificate opt-in, HTTP origin", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render(DEFAULT_CERT, "http");
  });

  it("declares no second AWS provider: every resource is created by the stack's own, with all its aws: config", () => {
    expect(ofType(r, "pulumi:providers:aws").filter((p) => !p.name.startsWith("default"))).toEqual([]);
    for (const res of r.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      expect(`${res.type} ${res.provider ?? "default"}`).not.toMatch(/::pulumi:providers:aws::(?!default)/);
    }
  });

  it("serves on CloudFront's default certificate without aliases, certificate or DNS records (R17 opt-in)", () => {
    expect(dist(r).viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
    expect(dist(r).aliases).toEqual([]);
    expect(ofType(r, "aws:acm/certificate:Certificate")).toEqual([]);
    expect(ofType(r, "aws:route53/record:Record")).toEqual([]);
  });

  it("exports the distribution's own https URL", () => {
    expect(r.outputs.cloudFrontUrl).toMatch(/^https:\/\/d[0-9a-f]{13}\.cloudfront\.net$/);
    expect(r.outputs.cloudFrontUrl).toBe(`https://${distributionOf(r).state.domainName as string}`);
    expect(r.outputs.cloudFrontDistributionId).toBe(distributionOf(r).id);
    expect(r.outputs.cloudFrontDomainName).toBe(distributionOf(r).state.domainName);
  });

  it("reaches the internal ALB only through a VPC origin, HTTP inside the VPC when the service says http, timeouts set (R11)", () => {
    const origin = one(r, "aws:cloudfront/vpcOrigin:VpcOrigin");
    expect(dist(r).origins.find((o) => o.originId === "alb")).toEqual({
      originId: "alb",
      domainName: ALB_DNS,
      vpcOriginConfig: { vpcOriginId: origin.id, originReadTimeout: 30, originKeepaliveTimeout: 5 },
      connectionAttempts: 3,
      connectionTimeout: 10,
    });
    expect(origin.inputs.vpcOriginEndpointConfig).toMatchObject({
      arn: ALB_ARN,
      httpPort: 80,
      originProtocolPolicy: "http-only",
    });
    expect(onUsEast1(r, origin)).toBe(false);
  });

  it("gives the ALB's security group its one ingress: from CloudFront's VPC-origin group on port 80, nothing else", () => {
    const rules = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules.map((x) => x.inputs)).toEqual([
      {
        securityGroupId: "sg-alb",
        referencedSecurityGroupId: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        description: "CloudFront VPC origin, HTTP 80",
        tags: expect.any(Object),
      },
    ]);
    expect(JSON.stringify(r.resources.map((x) => x.inputs))).not.toMatch(/prefixListId|"0\.0\.0\.0\/0"/);
  });

  it("is enabled, HTTP/2 and HTTP/3, IPv6, PriceClass_100 by default (R16)", () => {
    expect(distributionOf(r).inputs).toMatchObject({
      enabled: true,
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: "PriceClass_100",
    });
    expect(distributionOf(r).inputs.restrictions).toEqual({ geoRestriction: { restrictionType: "none" } });
  });

  it("sends API traffic uncached to the ALB with every viewer header but Host, HTTPS only for viewers (R16)", () => {
    const headers = one(r, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(dist(r).defaultCacheBehavior).toEqual({
      targetOriginId: "alb",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId: MANAGED_IDS.cachePolicies["Managed-CachingDisabled"],
      originRequestPolicyId: MANAGED_IDS.originRequestPolicies["Managed-AllViewerExceptHostHeader"],
      responseHeadersPolicyId: headers.id,
    });
  });

  it("serves /errors/* from the bucket with caching", () => {
    expect(dist(r).orderedCacheBehaviors).toEqual([
      {
        pathPattern: "/errors/*",
        targetOriginId: "error-pages",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: MANAGED_IDS.cachePolicies["Managed-CachingOptimized"],
        responseHeadersPolicyId: one(r, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").id,
      },
    ]);
  });

  it("replaces 403 and 404 with the JSON documents, keeping the status and caching errors 10 s (R16)", () => {
    expect(dist(r).customErrorResponses).toEqual([
      { errorCode: 403, responseCode: 403, responsePagePath: "/errors/403.json", errorCachingMinTtl: 10 },
      { errorCode: 404, responseCode: 404, responsePagePath: "/errors/404.json", errorCachingMinTtl: 10 },
    ]);
  });

  it("lets the WAF's 429 (and every status but 403 and 404) through unreplaced", () => {
    const codes = (dist(r).customErrorResponses as { errorCode: number }[]).map((e) => e.errorCode);
    expect(codes).not.toContain(429);
  });

  it("reads the error-pages bucket through an always-signing SigV4 origin access control", () => {
    const bucket = one(r, "aws:s3/bucket:Bucket");
    const oac = one(r, "aws:cloudfront/originAccessControl:OriginAccessControl");
    expect(oac.inputs).toMatchObject({
      name: "mlapi-error-pages-dev",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    expect(dist(r).origins.find((o) => o.originId === "error-pages")).toEqual({
      originId: "error-pages",
      domainName: `${bucket.state.bucket as string}.s3.${REGION}.amazonaws.com`,
      originAccessControlId: oac.id,
    });
  });

  it("lets only this distribution read the error documents, over TLS, once public access is blocked", () => {
    const bucket = one(r, "aws:s3/bucket:Bucket");
    const policy = one(r, "aws:s3/bucketPolicy:BucketPolicy");
    expect(policy.inputs.bucket).toBe(bucket.state.bucket);
    const doc = policyDocument(policy.inputs.policy);
    expect(doc.Statement).toEqual([
      {
        Sid: "CloudFrontReadsErrorPages",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${bucket.state.arn as string}/errors/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionOf(r).state.arn } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.state.arn, `${bucket.state.arn as string}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(distributionOf(r).state.arn).toMatch(/^arn:aws:cloudfront::123456789012:distribution\/E[0-9A-F]{13}$/);
    expect(policy.dependsOn).toEqual([ref(one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"))]);
  });

  it("keeps the bucket private, bucket-owner-enforced, SSE-S3 encrypted, versioned and force-destroyable (R16, R19)", () => {
    const bucket = one(r, "aws:s3/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({ bucket: `mlapi-errors-123456789012-${REGION}-dev`, forceDestroy: true });
    const bucketName = bucket.state.bucket;
    expect(one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toEqual({
      bucket: bucketName,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs).toEqual({
      bucket: bucketName,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    expect(
      one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs,
    ).toEqual({
      bucket: bucketName,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    expect(one(r, "aws:s3/bucketVersioning:BucketVersioning").inputs).toEqual({
      bucket: bucketName,
      versioningConfiguration: { status: "Enabled" },
    });
    expect(r.outputs.errorPagesBucketName).toBe(bucketName);
  });

  it("uploads the 403 and 404 JSON documents kept in the repository, no-store like every API answer", async () => {
    const objects = ofType(r, "aws:s3/bucketObjectv2:BucketObjectv2");
    expect(objects.map((o) => [o.inputs.key, o.inputs.contentType, o.inputs.cacheControl])).toEqual([
      ["errors/403.json", "application/json", "no-store"],
      ["errors/404.json", "application/json", "no-store"],
    ]);
    for (const o of objects) {
      const file = await (o.inputs.source as { path: Promise<string> | string }).path;
      expect(path.relative(path.join(__dirname, ".."), file)).toBe(
        path.join("error-pages", path.basename(String(o.inputs.key))),
      );
    }
  });

  it("adds HSTS, nosniff, frame and referrer policies to every response", () => {
    const headers = one(r, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(headers.inputs.name).toBe("mlapi-security-headers-dev");
    expect(headers.inputs.securityHeadersConfig).toEqual({
      strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY", override: true },
      referrerPolicy: { referrerPolicy: "no-referrer", override: true },
      contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", override: true },
    });
  });

  describe("CLOUDFRONT web ACL (R16)", () => {
    const acl = () => one(r, "aws:wafv2/webAcl:WebAcl");
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    it("is CLOUDFRONT-scoped, in us-east-1 through its region input, and attached to the distribution", () => {
      expect(acl().inputs).toMatchObject({
        name: "mlapi-edge-dev",
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        visibilityConfig: visibility("mlapi-edge-dev"),
      });
      expect(onUsEast1(r, acl())).toBe(true);
      expect(acl().state.arn).toMatch(/^arn:aws:wafv2:us-east-1:123456789012:global\/webacl\/mlapi-edge-dev\//);
      expect(dist(r).webAclId).toBe(acl().state.arn);
      expect(r.outputs.cloudFrontWebAclArn).toBe(acl().state.arn);
    });

    it("runs IP reputation, the common rule set (body rules sparing image uploads) and a per-IP rate limit, metrics on", () => {
      const uploads = imageUploadException({ aclName: "mlapi-edge-dev", markerPriority: 1, reblockPriority: 3 });
      expect(acl().inputs.rules).toEqual([
        {
          name: "aws-ip-reputation",
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" },
          },
          visibilityConfig: visibility("mlapi-edge-dev-aws-ip-reputation"),
        },
        uploads.marker,
        {
          name: "aws-common-rule-set",
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: "AWS",
              name: "AWSManagedRulesCommonRuleSet",
              ruleActionOverrides: ["SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY"].map(
                (name) => ({ name, actionToUse: { count: {} } }),
              ),
            },
          },
          visibilityConfig: visibility("mlapi-edge-dev-aws-common-rule-set"),
        },
        ...uploads.reblocks,
        {
          name: "per-ip-rate-limit",
          priority: 6,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: "rate-limited",
                responseHeaders: [
                  { name: "Retry-After", value: "60" },
                  { name: "Cache-Control", value: "no-store" },
                ],
              },
            },
          },
          statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 2000, evaluationWindowSec: 300 } },
          visibilityConfig: visibility("mlapi-edge-dev-per-ip-rate-limit"),
        },
        {
          // a batch carries up to 16 images: 2000 / 16 batch requests per IP per window
          name: "per-ip-batch-rate-limit",
          priority: 7,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: "batch-rate-limited",
                responseHeaders: [
                  { name: "Retry-After", value: "60" },
                  { name: "Cache-Control", value: "no-store" },
                ],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: "IP",
              limit: 125,
              evaluationWindowSec: 300,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: "EXACTLY",
                  searchString: "/api/v2/classify/batch",
                  textTransformations: [
                    { priority: 0, type: "URL_DECODE" },
                    { priority: 1, type: "NORMALIZE_PATH" },
                  ],
                },
              },
            },
          },
          visibilityConfig: visibility("mlapi-edge-dev-per-ip-batch-rate-limit"),
        },
      ]);
    });

    it("declares the 429 bodies of both rate rules, JSON in the API's error shape", () => {
      const bodies = acl().inputs.customResponseBodies as { key: string; contentType: string; content: string }[];
      expect(bodies.map((b) => [b.key, b.contentType])).toEqual([
        ["rate-limited", "APPLICATION_JSON"],
        ["batch-rate-limited", "APPLICATION_JSON"],
      ]);
      for (const b of bodies)
        expect(JSON.parse(b.content)).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });
    });

    it("logs to an encrypted 30-day aws-waf-logs- group in us-east-1, Authorization redacted", () => {
      const group = one(r, "aws:cloudwatch/logGroup:LogGroup", "edge-waf-logs-log-group");
      const key = one(r, "aws:kms/key:Key", "edge-logs-key");
      expect(group.inputs).toEqual({
        name: "aws-waf-logs-mlapi-edge-waf-dev",
        retentionInDays: 30,
        kmsKeyId: key.state.arn,
        region: "us-east-1",
        tags: expect.any(Object),
      });
      expect(onUsEast1(r, group)).toBe(true);
      expect(one(r, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs).toEqual({
        resourceArn: acl().state.arn,
        logDestinationConfigs: [group.state.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
        region: "us-east-1",
      });
    });
  });

  it("delivers access logs from us-east-1 to an encrypted 30-day log group (R14)", () => {
    const group = one(r, "aws:cloudwatch/logGroup:LogGroup", "access-logs-log-group");
    const source = one(r, "aws:cloudwatch/logDeliverySource:LogDeliverySource");
    const destination = one(r, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination");
    const delivery = one(r, "aws:cloudwatch/logDelivery:LogDelivery");
    expect(group.inputs).toMatchObject({
      name: "/aws/vendedlogs/mlapi/cloudfront-access-dev",
      retentionInDays: 30,
      kmsKeyId: one(r, "aws:kms/key:Key", "edge-logs-key").state.arn,
    });
    expect(group.state.arn).toBe(
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/mlapi/cloudfront-access-dev",
    );
    expect(source.inputs).toMatchObject({
      name: "mlapi-cloudfront-access-dev",
      logType: "ACCESS_LOGS",
      resourceArn: distributionOf(r).state.arn,
    });
    expect(destination.inputs).toMatchObject({
      name: "mlapi-cloudfront-access-dev",
      outputFormat: "json",
      deliveryDestinationConfiguration: { destinationResourceArn: group.state.arn },
    });
    expect(delivery.inputs).toMatchObject({
      deliverySourceName: source.state.name,
      deliveryDestinationArn: destination.state.arn,
    });
    for (const res of [group, source, destination, delivery]) expect(onUsEast1(r, res)).toBe(true);
    expect(r.outputs.cloudFrontLogGroupName).toBe("/aws/vendedlogs/mlapi/cloudfront-access-dev");
  });

  it("lets CloudWatch Logs in us-east-1 use the logs key for exactly the two edge log groups", () => {
    const key = one(r, "aws:kms/key:Key", "edge-logs-key");
    expect(onUsEast1(r, key)).toBe(true);
    expect(key.inputs.deletionWindowInDays).toBe(7);
    const logs = policyDocument(key.inputs.policy).Statement.find((s) => s.Sid === "CloudWatchLogsForTheseLogGroups");
    expect(logs?.Principal).toEqual({ Service: "logs.us-east-1.amazonaws.com" });
    expect(logs?.Condition).toEqual({
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": [
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/mlapi/cloudfront-access-dev",
          "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-mlapi-edge-waf-dev",
        ],
      },
    });
  });

  it("keeps the bucket, distribution and DNS on the stack's provider (only CloudFront's regional parts move)", () => {
    for (const type of [
      "aws:s3/bucket:Bucket",
      "aws:cloudfront/distribution:Distribution",
      "aws:s3/bucketPolicy:BucketPolicy",
    ]) {
      expect(onUsEast1(r, one(r, type))).toBe(false);
    }
  });

  it("puts the suffix in every physical name and the four tags on every taggable resource (R18)", () => {
    const awsResources = r.resources.filter((x) => x.type.startsWith("aws:"));
    for (const res of awsResources) {
      for (const key of ["name", "aliasName", "bucket"]) {
        const value = res.inputs[key];
        if (
          typeof value === "string" &&
          !res.type.startsWith("aws:s3/bucket") &&
          res.type !== "aws:s3/bucketObjectv2:BucketObjectv2"
        ) {
          expect(`${res.type} ${value}`).toMatch(/-dev$/);
        }
      }
      const tags = res.inputs.tags as Record<string, string> | undefined;
      if (tags)
        expect(tags).toMatchObject({ Project: "mlapi", Environment: "dev", Layer: "edge", ManagedBy: "pulumi" });
    }
    expect(one(r, "aws:s3/bucket:Bucket").inputs.bucket).toMatch(/-dev$/);
    const untagged = awsResources.filter((x) => !x.inputs.tags).map((x) => x.type);
    expect([...new Set(untagged)].sort()).toEqual([
      "aws:cloudfront/originAccessControl:OriginAccessControl",
      "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
      "aws:cloudwatch/dashboard:Dashboard",
      "aws:kms/alias:Alias",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
      "aws:sns/topicPolicy:TopicPolicy",
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    ]);
  });

  it("keeps nothing from teardown: no protect or retainOnDelete (R19)", () => {
    expect(r.resources.filter((x) => x.protect || x.retainOnDelete)).toEqual([]);
    expect(distributionOf(r).inputs.retainOnDelete).toBeUndefined();
  });
});

describe("edge layer, certificate created for a Route 53 domain, HTTPS origin", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render(CREATE_CERT, "https");
  });

  it("requests the certificate in us-east-1 through its region input, DNS-validated in the zone (R17)", () => {
    const cert = one(r, "aws:acm/certificate:Certificate");
    expect(cert.inputs).toMatchObject({ domainName: "api.example.com", validationMethod: "DNS" });
    expect(onUsEast1(r, cert)).toBe(true);
    expect(cert.state.arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\//);
    const option = (cert.state.domainValidationOptions as Array<Record<string, string>>)[0];
    const record = one(r, "aws:route53/record:Record", "edge-certificate-validation-record");
    expect(record.inputs).toMatchObject({
      zoneId: "Z0123456789ABCDEFGHIJ",
      name: option.resourceRecordName,
      type: "CNAME",
      records: [option.resourceRecordValue],
      ttl: 60,
    });
    const validation = one(r, "aws:acm/certificateValidation:CertificateValidation");
    expect(validation.inputs).toEqual({
      certificateArn: cert.state.arn,
      validationRecordFqdns: [record.state.fqdn],
      region: "us-east-1",
    });
    expect(onUsEast1(r, validation)).toBe(true);
  });

  it("presents the validated certificate for the domain, SNI only, TLS 1.2 minimum (R16, R17)", () => {
    expect(dist(r).aliases).toEqual(["api.example.com"]);
    expect(dist(r).viewerCertificate).toEqual({
      acmCertificateArn: one(r, "aws:acm/certificateValidation:CertificateValidation").state.certificateArn,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
  });

  it("connects to the ALB over HTTPS only, TLS 1.2, as origin.<domain>, when the service says https", () => {
    const alb = dist(r).origins.find((o) => o.originId === "alb");
    expect(alb?.domainName).toBe("origin.api.example.com");
    expect(one(r, "aws:cloudfront/vpcOrigin:VpcOrigin").inputs.vpcOriginEndpointConfig).toMatchObject({
      arn: ALB_ARN,
      httpsPort: 443,
      originProtocolPolicy: "https-only",
      originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
    });
    expect(one(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs).toMatchObject({
      securityGroupId: "sg-alb",
      fromPort: 443,
      toPort: 443,
    });
  });

  it("points A and AAAA alias records for the domain at the distribution", () => {
    const d = distributionOf(r);
    for (const type of ["A", "AAAA"]) {
      expect(one(r, "aws:route53/record:Record", `api-dns-${type.toLowerCase()}`).inputs).toEqual({
        zoneId: "Z0123456789ABCDEFGHIJ",
        name: "api.example.com",
        type,
        aliases: [{ name: d.state.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
      });
    }
  });

  it("exports the domain's https URL", () => {
    expect(r.outputs.cloudFrontUrl).toBe("https://api.example.com");
  });
});

describe("edge layer, existing certificate by ARN", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ ...EXISTING_CERT, "mlapi-edge:priceClass": "PriceClass_All", "mlapi-edge:rateLimit": 500 });
  });

  it("uses the given certificate and creates none (R17)", () => {
    expect(ofType(r, "aws:acm/certificate:Certificate")).toEqual([]);
    expect(dist(r).viewerCertificate).toEqual({
      acmCertificateArn: EXISTING_ARN,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
    expect(dist(r).aliases).toEqual(["api.example.com"]);
  });

  it("leaves DNS to the owner when no zone is configured", () => {
    expect(ofType(r, "aws:route53/record:Record")).toEqual([]);
    expect(r.outputs.cloudFrontUrl).toBe("https://api.example.com");
  });

  it("takes the price class and rate limit from config", () => {
    expect(distributionOf(r).inputs.priceClass).toBe("PriceClass_All");
    const rules = one(r, "aws:wafv2/webAcl:WebAcl").inputs.rules as Array<{
      name: string;
      statement: { rateBasedStatement?: { limit: number } };
    }>;
    expect(rules.find((x) => x.name === "per-ip-rate-limit")?.statement.rateBasedStatement?.limit).toBe(500);
    // unset, the batch limit follows: 500 / 16
    expect(rules.find((x) => x.name === "per-ip-batch-rate-limit")?.statement.rateBasedStatement?.limit).toBe(31);
  });
});

describe("edge layer config errors", () => {
  it("refuses to deploy without a certificate choice, naming both options, before declaring anything (R17)", async () => {
    const failure = render({});
    await expect(failure).rejects.toThrow(
      "Invalid configuration: mlapi-edge:domainName is not set: no certificate is configured for CloudFront. " +
        "Set mlapi-edge:domainName and mlapi-edge:hostedZoneId to create a DNS-validated ACM certificate in us-east-1, " +
        "or mlapi-edge:certificateArn (with mlapi-edge:domainName) to use an existing us-east-1 certificate; " +
        "or, for a throwaway stack only, set mlapi-edge:allowDefaultCertificate to true to serve https://<id>.cloudfront.net " +
        "with CloudFront's default certificate.",
    );
    await expect(failure).rejects.toMatchObject({ declaredAwsResources: [] });
  });

  it("refuses a certificate from another region before declaring anything", async () => {
    const failure = render({
      ...EXISTING_CERT,
      "mlapi-edge:certificateArn": EXISTING_ARN.replace("us-east-1", "eu-west-1"),
    });
    await expect(failure).rejects.toThrow('mlapi-edge:certificateArn = "arn:aws:acm:eu-west-1:');
    await expect(failure).rejects.toMatchObject({ declaredAwsResources: [] });
  });
});

describe("error documents kept in the repository", () => {
  const dir = path.join(__dirname, "..", "error-pages");

  it("holds exactly the 403 and 404 documents", () => {
    expect(fs.readdirSync(dir).sort()).toEqual(["403.json", "404.json"]);
  });

  it("404.json is the API's error shape, code not_found, pointing at the API's paths", () => {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, "404.json"), "utf8")) as unknown;
    expect(doc).toEqual({ error: { code: "not_found", message: expect.stringContaining("/api/v2/") } });
  });

  it("403.json is the API's error shape, code forbidden, naming the firewall and no rate limit", () => {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, "403.json"), "utf8")) as unknown;
    expect(doc).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    const { message } = (doc as { error: { message: string } }).error;
    expect(message).toContain("blocked by the firewall");
    // Rate limits answer 429 from the WAF itself; a 403 is never one.
    expect(message).not.toMatch(/rate|too many/i);
  });
});

describe("edge layer against an incomplete service stack", () => {
  it("fails naming the stack and the missing output", async () => {
    const outputs: Record<string, unknown> = serviceOutputs("https");
    delete outputs.originProtocol;
    await expect(render(DEFAULT_CERT, "https", outputs)).rejects.toThrow(
      `Stack "organization/mlapi-service/${STACK}" has no output "originProtocol"`,
    );
  });
});
