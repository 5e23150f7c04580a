// cdk-nag style: one describe per rule, each with compliant and violating fixtures.
import {
  albAccessLogs,
  albHttpRedirect,
  albTlsPolicy,
  cloudfrontLogging,
  cloudfrontTls,
  configRoleManagedPolicy,
  containerInsights,
  customerKeyEncryption,
  destroyable,
  evaluate,
  ecsNoPublicIp,
  iamLeastPrivilege,
  iamNoFullAccess,
  iamRoleBoundary,
  iamSingleServiceTrust,
  kmsKeyRotation,
  logGroupRetentionAndKey,
  namingSuffix,
  noGuardDuty,
  permissionsBoundaryOf,
  rdsForceSsl,
  rdsNotPublic,
  requiredTags,
  RULES,
  s3BucketEncryption,
  s3PublicAccessBlock,
  securityGroupNoOpenIngress,
  wafOnEntryPoints,
} from "../src";
import type { PolicyContext, PolicyResource } from "../src";
import { ctx, doc, messages, res, TAGS } from "./fixture";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234";

describe("the rule set", () => {
  it("has unique names, a description each, and exactly five advisory rules", () => {
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    expect(RULES.every((r) => r.description.length > 20)).toBe(true);
    expect(RULES.filter((r) => r.enforcementLevel === "advisory").map((r) => r.name)).toEqual([
      "alb-access-logs",
      "cloudfront-logging",
      "waf-on-entry-points",
      "ecs-container-insights",
      "waf-body-rules-upload-exception",
    ]);
  });
});

describe("naming-suffix", () => {
  it.each([
    ["aws:ec2/securityGroup:SecurityGroup", { name: "mlapi-alb-sg-dev" }],
    ["aws:cloudwatch/logGroup:LogGroup", { name: "/mlapi/api-dev" }],
    ["aws:kms/alias:Alias", { name: "alias/mlapi-data-dev" }],
    ["aws:lb/targetGroup:TargetGroup", { name: "mlapi-tg-dev-1a2b3c4" }],
    ["aws:ecs/taskDefinition:TaskDefinition", { family: "mlapi-api-dev" }],
    ["aws:rds/clusterParameterGroup:ClusterParameterGroup", { name: "mlapi-db-dev", family: "aurora-postgresql16" }],
    ["aws:route53/record:Record", { name: "api.example.com" }],
    ["aws:ec2/subnet:Subnet", { tags: { Name: "mlapi-private-1-dev" } }],
  ])("accepts %s %j", (type, props) => {
    expect(messages(namingSuffix, res(type, props))).toEqual([]);
  });

  it("accepts the account's one workload permissions boundary by its fixed name, and only that policy", () => {
    expect(messages(namingSuffix, res("aws:iam/policy:Policy", { name: "mlapi-workload-boundary" }))).toEqual([]);
    expect(messages(namingSuffix, res("aws:iam/role:Role", { name: "mlapi-workload-boundary" }))).toEqual([
      'name "mlapi-workload-boundary" does not contain the environment suffix "dev"; name it with Naming.name()/logGroupName() from @mlapi/core.',
    ]);
    expect(messages(namingSuffix, res("aws:iam/policy:Policy", { name: "mlapi-other-boundary" }))).toHaveLength(1);
  });

  it("skips a name Pulumi autonamed from the logical name", () => {
    expect(
      messages(namingSuffix, res("aws:iam/policy:Policy", { name: "task-policy-0a1b2c3" }, { name: "task-policy" })),
    ).toEqual([]);
  });

  it.each([
    ["aws:s3/bucket:Bucket", { bucket: "mlapi-error-pages" }, 'bucket "mlapi-error-pages"'],
    ["aws:dynamodb/table:Table", { name: "sessions" }, 'name "sessions"'],
    ["aws:rds/cluster:Cluster", { clusterIdentifier: "mlapi-db-devices" }, 'clusterIdentifier "mlapi-db-devices"'],
    ["aws:ecs/taskDefinition:TaskDefinition", { family: "api" }, 'family "api"'],
    ["aws:ec2/vpc:Vpc", { tags: { Name: "mlapi-vpc" } }, 'tags.Name "mlapi-vpc"'],
  ])("rejects %s %j", (type, props, what) => {
    expect(messages(namingSuffix, res(type, props))).toEqual([
      `${what} does not contain the environment suffix "dev"; name it with Naming.name()/logGroupName() from @mlapi/core.`,
    ]);
  });
});

describe("tags-required", () => {
  it("accepts the four tags with Environment = the suffix", () => {
    expect(messages(requiredTags, res("aws:ec2/vpc:Vpc", { tags: { ...TAGS, Name: "x" } }))).toEqual([]);
  });

  it("ignores resources AWS cannot tag (no tags input, provider class has no tags)", () => {
    expect(messages(requiredTags, res("aws:ec2/route:Route", {}), res("aws:iam/rolePolicy:RolePolicy", {}))).toEqual(
      [],
    );
  });

  it("rejects a taggable type declared without tags, reading taggability from the provider", () => {
    expect(messages(requiredTags, res("aws:ec2/subnet:Subnet", {}))).toEqual([
      "missing tags Project, Environment, Layer, ManagedBy; startLayer() in @mlapi/core adds them to every taggable resource.",
    ]);
  });

  it("rejects a missing tag and a wrong Environment", () => {
    expect(
      messages(requiredTags, res("aws:s3/bucket:Bucket", { tags: { ...TAGS, Environment: "prod", ManagedBy: "" } })),
    ).toEqual([
      "missing tag ManagedBy; startLayer() in @mlapi/core adds them to every taggable resource.",
      'tag Environment is "prod", not the environment suffix "dev".',
    ]);
  });
});

describe("log-group-retention-kms", () => {
  it("accepts 30 days with a customer key", () => {
    expect(
      messages(
        logGroupRetentionAndKey,
        res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30, kmsKeyId: KEY }),
      ),
    ).toEqual([]);
  });

  it("rejects 14 days and a missing key", () => {
    expect(messages(logGroupRetentionAndKey, res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 14 }))).toEqual(
      [
        "retentionInDays is 14; every log group keeps exactly 30 days (use EncryptedLogGroup).",
        "kmsKeyId is unset; log groups are encrypted with a customer-managed key (use LogsKey + EncryptedLogGroup).",
      ],
    );
  });

  it("rejects a group that never expires", () => {
    expect(messages(logGroupRetentionAndKey, res("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: KEY }))).toEqual([
      "retentionInDays is unset (never expire); every log group keeps exactly 30 days (use EncryptedLogGroup).",
    ]);
  });
});

describe("encryption-customer-key", () => {
  it.each([
    ["aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: KEY }],
    ["aws:dynamodb/table:Table", { serverSideEncryption: { enabled: true, kmsKeyArn: KEY } }],
    ["aws:ecr/repository:Repository", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }] }],
    ["aws:secretsmanager/secret:Secret", { kmsKeyId: KEY }],
  ])("accepts %s with a customer key", (type, props) => {
    expect(messages(customerKeyEncryption, res(type, props))).toEqual([]);
  });

  it.each([
    ["aws:rds/cluster:Cluster", { storageEncrypted: true }, "storageEncrypted must be true"],
    [
      "aws:dynamodb/table:Table",
      { serverSideEncryption: { enabled: true } },
      "serverSideEncryption must be enabled with kmsKeyArn",
    ],
    [
      "aws:ecr/repository:Repository",
      { encryptionConfigurations: [{ encryptionType: "KMS" }] },
      "encryptionConfigurations must be KMS with kmsKey",
    ],
    ["aws:secretsmanager/secret:Secret", {}, "kmsKeyId must be a customer-managed key"],
  ])("rejects %s without one", (type, props, message) => {
    expect(messages(customerKeyEncryption, res(type, props))).toEqual([expect.stringContaining(message)]);
  });
});

describe("kms-key-rotation", () => {
  it("accepts a rotating symmetric key and an asymmetric key (which cannot rotate)", () => {
    expect(
      messages(
        kmsKeyRotation,
        res("aws:kms/key:Key", { enableKeyRotation: true }),
        res("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048" }),
      ),
    ).toEqual([]);
  });

  it("rejects a symmetric key without rotation", () => {
    expect(messages(kmsKeyRotation, res("aws:kms/key:Key", {}))).toEqual(["enableKeyRotation must be true."]);
  });
});

describe("s3-bucket-encryption", () => {
  const bucket = () => res("aws:s3/bucket:Bucket", { bucket: "mlapi-pages-dev" });
  const sse = (algorithm: string, target = "mlapi-pages-dev") =>
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
      bucket: target,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }],
    });

  it.each(["aws:kms", "AES256"])("accepts a bucket with an %s encryption configuration", (algorithm) => {
    expect(messages(s3BucketEncryption, bucket(), sse(algorithm))).toEqual([]);
  });

  it("links the configuration to its bucket through CrossGuard's property dependencies too", () => {
    const b = res("aws:s3/bucket:Bucket", {}, { handles: [] });
    const config = res(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
      { propertyDependencies: { bucket: [b.urn] } },
    );
    expect(messages(s3BucketEncryption, b, config)).toEqual([]);
  });

  it("rejects a bucket whose configuration belongs to another bucket", () => {
    expect(messages(s3BucketEncryption, bucket(), sse("aws:kms", "other-bucket"))).toEqual([
      "no BucketServerSideEncryptionConfiguration (aws:kms or AES256) for this bucket in the stack.",
    ]);
  });
});

describe("rds-not-public", () => {
  it("accepts a private instance", () => {
    expect(
      messages(rdsNotPublic, res("aws:rds/clusterInstance:ClusterInstance", { publiclyAccessible: false })),
    ).toEqual([]);
  });

  it("rejects a publicly accessible instance", () => {
    expect(
      messages(rdsNotPublic, res("aws:rds/clusterInstance:ClusterInstance", { publiclyAccessible: true })),
    ).toEqual(["publiclyAccessible must be false."]);
  });
});

describe("s3-public-access-block", () => {
  const bucket = () => res("aws:s3/bucket:Bucket", { bucket: "mlapi-pages-dev" });
  const block = (flags: Record<string, boolean>) =>
    res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
      bucket: "mlapi-pages-dev",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
      ...flags,
    });

  it("accepts a bucket with all four settings true", () => {
    expect(messages(s3PublicAccessBlock, bucket(), block({}))).toEqual([]);
  });

  it("rejects a block that lets a policy make the bucket public", () => {
    expect(
      messages(s3PublicAccessBlock, bucket(), block({ blockPublicPolicy: false, restrictPublicBuckets: false })),
    ).toEqual(["blockPublicPolicy, restrictPublicBuckets must be true."]);
  });

  it("rejects a bucket without a block", () => {
    expect(messages(s3PublicAccessBlock, bucket())).toEqual([
      "no BucketPublicAccessBlock for this bucket in the stack.",
    ]);
  });
});

describe("ecs-no-public-ip", () => {
  it("accepts tasks without public IPs", () => {
    expect(
      messages(
        ecsNoPublicIp,
        res("aws:ecs/service:Service", { networkConfiguration: { assignPublicIp: false, subnets: ["subnet-1"] } }),
      ),
    ).toEqual([]);
  });

  it("rejects tasks with public IPs", () => {
    expect(
      messages(ecsNoPublicIp, res("aws:ecs/service:Service", { networkConfiguration: { assignPublicIp: true } })),
    ).toEqual(["networkConfiguration.assignPublicIp must be false."]);
  });
});

describe("sg-no-open-ingress", () => {
  it.each([
    [
      "a CloudFront prefix-list rule",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      { prefixListId: "pl-3b927c52", fromPort: 443, toPort: 443, ipProtocol: "tcp" },
    ],
    [
      "a rule from another group",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      { referencedSecurityGroupId: "sg-1" },
    ],
    ["egress to anywhere", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { cidrIpv4: "0.0.0.0/0" }],
    [
      "an inline VPC-range rule",
      "aws:ec2/securityGroup:SecurityGroup",
      { ingress: [{ cidrBlocks: ["10.0.0.0/16"] }], egress: [{ cidrBlocks: ["0.0.0.0/0"] }] },
    ],
    [
      "a legacy egress rule",
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      { type: "egress", cidrBlocks: ["0.0.0.0/0"] },
    ],
  ])("accepts %s", (_what, type, props) => {
    expect(messages(securityGroupNoOpenIngress, res(type, props))).toEqual([]);
  });

  it.each([
    [
      "an IPv4 ingress rule",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      { cidrIpv4: "0.0.0.0/0" },
      "0.0.0.0/0",
    ],
    ["an IPv6 ingress rule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { cidrIpv6: "::/0" }, "::/0"],
    [
      "inline ingress",
      "aws:ec2/securityGroup:SecurityGroup",
      { ingress: [{ cidrBlocks: ["0.0.0.0/0"] }] },
      "0.0.0.0/0",
    ],
    [
      "a legacy ingress rule",
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      { type: "ingress", ipv6CidrBlocks: ["::/0"] },
      "::/0",
    ],
  ])("rejects %s", (_what, type, props, cidr) => {
    expect(messages(securityGroupNoOpenIngress, res(type, props))).toEqual([
      `ingress from ${cidr}; admit a security group or a managed prefix list (prefixListId) instead.`,
    ]);
  });
});

describe("iam-least-privilege", () => {
  const rolePolicy = (...statements: Record<string, unknown>[]) =>
    res("aws:iam/rolePolicy:RolePolicy", { policy: doc(...statements) });

  it("accepts scoped actions on ARNs, and ecr:GetAuthorizationToken on *", () => {
    expect(
      messages(
        iamLeastPrivilege,
        rolePolicy(
          {
            Sid: "Sessions",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
            Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/mlapi-sessions-dev",
          },
          { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          { Sid: "DenyAll", Effect: "Deny", Action: "*", Resource: "*" },
        ),
      ),
    ).toEqual([]);
  });

  it("exempts KMS key policies, where Resource * means the key itself", () => {
    expect(
      messages(
        iamLeastPrivilege,
        res("aws:kms/key:Key", {
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: "kms:*",
            Resource: "*",
          }),
        }),
      ),
    ).toEqual([]);
  });

  it("rejects * and service:* actions", () => {
    expect(
      messages(
        iamLeastPrivilege,
        rolePolicy({ Sid: "All", Effect: "Allow", Action: ["*", "s3:*"], Resource: "arn:aws:s3:::b" }),
      ),
    ).toEqual(['statement All allows "*", "s3:*"; list the actions it needs.']);
  });

  it("rejects a scopable action on * resource, also in a role's inline policy", () => {
    const role = res("aws:iam/role:Role", {
      inlinePolicies: [
        {
          name: "x",
          policy: doc({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], Resource: "*" }),
        },
      ],
    });
    expect(messages(iamLeastPrivilege, role)).toEqual([
      expect.stringContaining('statement 1 grants ecr:BatchGetImage on "*"'),
    ]);
  });

  it("accepts * under a Project tag condition (the bootstrap's deploy role), not under another condition", () => {
    const onTagged = (condition: Record<string, unknown>) =>
      rolePolicy({ Sid: "Ec2", Effect: "Allow", Action: ["ec2:DeleteVpc"], Resource: "*", Condition: condition });
    expect(messages(iamLeastPrivilege, onTagged({ StringEquals: { "aws:ResourceTag/Project": "mlapi" } }))).toEqual([]);
    expect(messages(iamLeastPrivilege, onTagged({ StringEquals: { "aws:RequestTag/Project": "mlapi" } }))).toEqual([]);
    expect(messages(iamLeastPrivilege, onTagged({ StringLike: { "aws:ResourceTag/Project": "*" } }))).toEqual([
      expect.stringContaining('statement Ec2 grants ec2:DeleteVpc on "*"'),
    ]);
  });

  it("rejects NotAction with Allow and * in a bucket policy", () => {
    expect(
      messages(iamLeastPrivilege, rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" })),
    ).toEqual(["statement 1 uses NotAction with Allow, which grants everything else."]);
    expect(
      messages(
        iamLeastPrivilege,
        res("aws:s3/bucketPolicy:BucketPolicy", {
          policy: doc({ Effect: "Allow", Principal: "*", Action: "*", Resource: "arn:aws:s3:::b/*" }),
        }),
      ),
    ).toEqual(['statement 1 allows "*"; list the actions it needs.']);
  });
});

describe("iam-trust-one-service", () => {
  const role = (...statements: Record<string, unknown>[]) =>
    res("aws:iam/role:Role", { assumeRolePolicy: doc(...statements) });

  it("accepts one service principal", () => {
    expect(
      messages(
        iamSingleServiceTrust,
        role({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      "two services",
      { Service: ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] },
      "Service:ecs-tasks.amazonaws.com, Service:lambda.amazonaws.com",
    ],
    ["an account", { AWS: "arn:aws:iam::123456789012:root" }, "AWS:arn:aws:iam::123456789012:root"],
    ["anyone", "*", "*"],
  ])("rejects %s", (_what, principal, shown) => {
    expect(
      messages(iamSingleServiceTrust, role({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" })),
    ).toEqual([
      `trust policy admits ${shown}; it must admit exactly one Service principal or one OIDC provider pinned by aud and sub.`,
    ]);
  });

  describe("a CI role trusted through GitHub's OIDC provider", () => {
    const HOST = "token.actions.githubusercontent.com";
    const github = (equals: Record<string, unknown>) =>
      role({
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${HOST}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: equals },
      });

    it("accepts the provider when aud and exact sub claims are required", () => {
      const trust = github({ [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: ["repo:acme/mlapi:pull_request"] });
      expect(messages(iamSingleServiceTrust, trust)).toEqual([]);
    });

    it("rejects a trust without the aud claim", () => {
      expect(messages(iamSingleServiceTrust, github({ [`${HOST}:sub`]: "repo:acme/mlapi:pull_request" }))).toEqual([
        `the ${HOST} trust does not require the aud claim (StringEquals ${HOST}:aud).`,
      ]);
    });

    it.each([
      ["no sub claim", {}],
      ["a wildcard sub claim", { [`${HOST}:sub`]: "repo:acme/*" }],
    ])("rejects %s", (_what, sub) => {
      expect(messages(iamSingleServiceTrust, github({ [`${HOST}:aud`]: "sts.amazonaws.com", ...sub }))).toEqual([
        `the ${HOST} trust does not pin the sub claim to named subjects (StringEquals ${HOST}:sub, no wildcards).`,
      ]);
    });
  });
});

describe("iam-no-managed-full-access", () => {
  it("accepts a scoped AWS managed policy", () => {
    expect(
      messages(
        iamNoFullAccess,
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        }),
      ),
    ).toEqual([]);
  });

  it.each(["arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AdministratorAccess"])(
    "rejects %s",
    (arn) => {
      expect(
        messages(iamNoFullAccess, res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: arn })),
      ).toEqual([`attaches ${arn}; write a scoped policy instead.`]);
    },
  );
});

describe("alb-tls-policy", () => {
  it.each([
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  ])("accepts %s", (sslPolicy) => {
    expect(messages(albTlsPolicy, res("aws:lb/listener:Listener", { protocol: "HTTPS", sslPolicy }))).toEqual([]);
  });

  it.each(["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-1-2021-06", undefined])(
    "rejects %s",
    (sslPolicy) => {
      expect(messages(albTlsPolicy, res("aws:lb/listener:Listener", { protocol: "HTTPS", sslPolicy }))).toEqual([
        expect.stringContaining("is not a TLS 1.2+ policy"),
      ]);
    },
  );
});

describe("alb-http-redirects-to-https", () => {
  const https = () => res("aws:lb/listener:Listener", { protocol: "HTTPS", port: 443 });
  const http = (action: Record<string, unknown>) =>
    res("aws:lb/listener:Listener", { protocol: "HTTP", port: 80, defaultActions: [action] });
  const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
  const forward = { type: "forward", targetGroupArn: "arn:tg" };

  it("accepts a redirecting HTTP listener next to HTTPS, and a forwarding one when there is no certificate", () => {
    expect(messages(albHttpRedirect, https(), http(redirect))).toEqual([]);
    expect(messages(albHttpRedirect, http(forward))).toEqual([]);
  });

  it("rejects an HTTP listener that forwards while HTTPS exists", () => {
    expect(messages(albHttpRedirect, https(), http(forward))).toEqual([
      "HTTP listener must only redirect to HTTPS when an HTTPS listener exists (default action redirect, protocol HTTPS).",
    ]);
  });
});

describe("cloudfront-viewer-tls", () => {
  const distribution = (viewerCertificate: Record<string, unknown>, policy = "redirect-to-https") =>
    res("aws:cloudfront/distribution:Distribution", {
      viewerCertificate,
      defaultCacheBehavior: { viewerProtocolPolicy: "https-only" },
      orderedCacheBehaviors: [{ pathPattern: "/api/*", viewerProtocolPolicy: policy }],
    });

  it("accepts a custom certificate with TLSv1.2_2021 and the default certificate opt-in", () => {
    expect(
      messages(
        cloudfrontTls,
        distribution({
          acmCertificateArn: "arn:acm",
          sslSupportMethod: "sni-only",
          minimumProtocolVersion: "TLSv1.2_2021",
        }),
      ),
    ).toEqual([]);
    expect(messages(cloudfrontTls, distribution({ cloudfrontDefaultCertificate: true }))).toEqual([]);
  });

  it("rejects TLSv1 and a behaviour that allows plain HTTP", () => {
    expect(
      messages(
        cloudfrontTls,
        distribution({ acmCertificateArn: "arn:acm", minimumProtocolVersion: "TLSv1" }, "allow-all"),
      ),
    ).toEqual([
      'viewerCertificate.minimumProtocolVersion "TLSv1"; use one of TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025.',
      'orderedCacheBehaviors /api/* viewerProtocolPolicy is "allow-all"; use redirect-to-https or https-only.',
    ]);
  });
});

describe("rds-force-ssl", () => {
  const cluster = (groupName?: string) =>
    res("aws:rds/cluster:Cluster", { engine: "aurora-postgresql", dbClusterParameterGroupName: groupName });
  const group = (value: string) =>
    res("aws:rds/clusterParameterGroup:ClusterParameterGroup", {
      name: "mlapi-db-dev",
      family: "aurora-postgresql16",
      parameters: [{ name: "rds.force_ssl", value }],
    });

  it("accepts a cluster on a group that forces SSL", () => {
    expect(messages(rdsForceSsl, cluster("mlapi-db-dev"), group("1"))).toEqual([]);
  });

  it("rejects a group with force_ssl 0 and a cluster on the default group", () => {
    expect(messages(rdsForceSsl, cluster("mlapi-db-dev"), group("0"))).toEqual([
      "parameters must set rds.force_ssl = 1.",
    ]);
    expect(messages(rdsForceSsl, cluster())).toEqual([
      "dbClusterParameterGroupName does not name a cluster parameter group of this stack; the default group does not force SSL.",
    ]);
  });
});

describe("destroyable", () => {
  it.each([
    ["aws:rds/cluster:Cluster", { skipFinalSnapshot: true, deletionProtection: false }],
    ["aws:s3/bucket:Bucket", { forceDestroy: true }],
    ["aws:ecr/repository:Repository", { forceDelete: true }],
    ["aws:kms/key:Key", { deletionWindowInDays: 7 }],
    ["aws:dynamodb/table:Table", { deletionProtectionEnabled: false }],
  ])("accepts %s %j", (type, props) => {
    expect(messages(destroyable, res(type, props))).toEqual([]);
  });

  it.each([
    [
      "aws:rds/cluster:Cluster",
      { skipFinalSnapshot: false },
      "skipFinalSnapshot must be true: a final snapshot needs a unique name and blocks destroy.",
    ],
    ["aws:s3/bucket:Bucket", {}, "forceDestroy must be true: a non-empty bucket cannot be deleted."],
    ["aws:ecr/repository:Repository", {}, "forceDelete must be true: a repository with images cannot be deleted."],
    ["aws:lb/loadBalancer:LoadBalancer", { enableDeletionProtection: true }, "enableDeletionProtection must be false."],
    ["aws:dynamodb/table:Table", { deletionProtectionEnabled: true }, "deletionProtectionEnabled must be false."],
    ["aws:kms/key:Key", { deletionWindowInDays: 31 }, "deletionWindowInDays is 31; at most 30."],
  ])("rejects %s %j", (type, props, message) => {
    expect(messages(destroyable, res(type, props))).toEqual([message]);
  });

  it("exempts the account bootstrap, whose state bucket and keys are protected on purpose", () => {
    const bucket = res("aws:s3/bucket:Bucket", { forceDestroy: false }, { protect: true });
    expect(evaluate([bucket], { ...ctx, project: "mlapi-bootstrap" }, [destroyable])).toEqual([]);
    expect(evaluate([bucket], { ...ctx, project: "mlapi-data" }, [destroyable])).toHaveLength(2);
  });

  it("rejects the protect and retainOnDelete options", () => {
    expect(messages(destroyable, res("aws:sns/topic:Topic", {}, { protect: true, retainOnDelete: true }))).toEqual([
      "the protect option is set; destroy would refuse to delete it.",
      "the retainOnDelete option is set; destroy would orphan it in the account.",
    ]);
  });
});

describe("no-guardduty-detector", () => {
  it("accepts a stack without a detector", () => {
    expect(messages(noGuardDuty, res("aws:ec2/vpc:Vpc"))).toEqual([]);
  });

  it("rejects a detector", () => {
    expect(messages(noGuardDuty, res("aws:guardduty/detector:Detector", { enable: true }))).toEqual([
      "GuardDuty detectors are account-level; enable GuardDuty in the account baseline, not in a layer.",
    ]);
  });
});

describe("config-role-managed-policy", () => {
  const configRole = () =>
    res("aws:iam/role:Role", {
      name: "mlapi-config-dev",
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "config.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    });
  const attach = (policyArn: string) =>
    res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "mlapi-config-dev", policyArn });

  it("accepts a Config role with AWS_ConfigRole, and a stack with no Config role", () => {
    expect(
      messages(configRoleManagedPolicy, configRole(), attach("arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")),
    ).toEqual([]);
    expect(
      messages(
        configRoleManagedPolicy,
        res("aws:iam/role:Role", {
          assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" } }),
        }),
      ),
    ).toEqual([]);
  });

  it("rejects a Config role on the deprecated AWSConfigRole", () => {
    expect(
      messages(configRoleManagedPolicy, configRole(), attach("arn:aws:iam::aws:policy/service-role/AWSConfigRole")),
    ).toEqual(["AWS Config role must attach arn:aws:iam::aws:policy/service-role/AWS_ConfigRole."]);
  });
});

describe("alb-access-logs (advisory)", () => {
  it("accepts an ALB logging to S3", () => {
    expect(
      messages(
        albAccessLogs,
        res("aws:lb/loadBalancer:LoadBalancer", { accessLogs: { enabled: true, bucket: "mlapi-alb-logs-dev" } }),
      ),
    ).toEqual([]);
  });

  it("flags an ALB without access logs, not a network load balancer", () => {
    expect(
      messages(
        albAccessLogs,
        res("aws:lb/loadBalancer:LoadBalancer", {}),
        res("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network" }),
      ),
    ).toEqual(["accessLogs are not enabled."]);
  });
});

describe("cloudfront-logging (advisory)", () => {
  it("accepts a distribution with a log delivery source", () => {
    const d = res("aws:cloudfront/distribution:Distribution", {});
    expect(
      messages(
        cloudfrontLogging,
        d,
        res("aws:cloudwatch/logDeliverySource:LogDeliverySource", {
          resourceArn: d.handles[1],
          logType: "ACCESS_LOGS",
        }),
      ),
    ).toEqual([]);
  });

  it("flags a distribution without logging", () => {
    expect(messages(cloudfrontLogging, res("aws:cloudfront/distribution:Distribution", {}))).toEqual([
      "no access logging (loggingConfig or a LogDeliverySource for this distribution).",
    ]);
  });
});

describe("waf-on-entry-points (advisory)", () => {
  it("accepts an associated ALB, an internal ALB and a distribution with a web ACL", () => {
    const alb = res("aws:lb/loadBalancer:LoadBalancer", {});
    const association = res("aws:wafv2/webAclAssociation:WebAclAssociation", {
      resourceArn: alb.handles[1],
      webAclArn: "arn:waf",
    });
    expect(
      messages(
        wafOnEntryPoints,
        alb,
        association,
        res("aws:lb/loadBalancer:LoadBalancer", { internal: true }),
        res("aws:cloudfront/distribution:Distribution", { webAclId: "arn:waf" }),
      ),
    ).toEqual([]);
  });

  it("flags an ALB without an association and a distribution without webAclId", () => {
    expect(
      messages(
        wafOnEntryPoints,
        res("aws:lb/loadBalancer:LoadBalancer", {}),
        res("aws:cloudfront/distribution:Distribution", {}),
      ),
    ).toEqual(["internet-facing ALB has no WAFv2 WebAclAssociation.", "distribution has no webAclId."]);
  });
});

describe("ecs-container-insights (advisory)", () => {
  it.each(["enabled", "enhanced"])("accepts containerInsights %s", (value) => {
    expect(
      messages(containerInsights, res("aws:ecs/cluster:Cluster", { settings: [{ name: "containerInsights", value }] })),
    ).toEqual([]);
  });

  it("flags a cluster without Container Insights", () => {
    expect(messages(containerInsights, res("aws:ecs/cluster:Cluster", {}))).toEqual([
      "containerInsights is not enabled.",
    ]);
  });
});

describe("iam-role-boundary", () => {
  const BOUNDARY = "arn:aws:iam::123456789012:policy/mlapi-workload-boundary";
  const role = (props: Record<string, unknown>) => res("aws:iam/role:Role", { name: "mlapi-api-task-dev", ...props });
  const check = (c: Partial<PolicyContext>, ...resources: PolicyResource[]) =>
    evaluate(resources, { environmentSuffix: "dev", project: "mlapi-service", ...c }, [iamRoleBoundary]).map(
      (v) => v.message,
    );

  it("accepts a role carrying the boundary the stack's config names", () => {
    expect(check({ permissionsBoundary: "mlapi-workload-boundary" }, role({ permissionsBoundary: BOUNDARY }))).toEqual(
      [],
    );
  });

  it("rejects a role without it, or with another one", () => {
    expect(check({ permissionsBoundary: "mlapi-workload-boundary" }, role({}))).toEqual([
      "permissionsBoundary is not set; the stack's permissionsBoundary config names the policy mlapi-workload-boundary (the CI deploy role creates roles only with it).",
    ]);
    expect(
      check(
        { permissionsBoundary: "mlapi-workload-boundary" },
        role({ permissionsBoundary: "arn:aws:iam::123456789012:policy/mlapi-workload-boundary-old" }),
      ),
    ).toHaveLength(1);
  });

  it("accepts any role with none, and exempts the bootstrap's CI roles", () => {
    expect(check({ permissionsBoundary: "none" }, role({}))).toEqual([]);
    expect(check({ permissionsBoundary: "mlapi-workload-boundary", project: "mlapi-bootstrap" }, role({}))).toEqual([]);
  });

  it("under CrossGuard (config unknown) only refuses an AWS managed policy as boundary", () => {
    expect(check({}, role({}))).toEqual([]);
    expect(check({}, role({ permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess" }))).toEqual([
      "permissionsBoundary is the AWS managed arn:aws:iam::aws:policy/AdministratorAccess; use the account's mlapi-workload-boundary.",
    ]);
  });

  it("reads the config as the layers do: <project>:permissionsBoundary, default the bootstrap's policy", () => {
    expect(permissionsBoundaryOf("mlapi-network", {})).toBe("mlapi-workload-boundary");
    expect(permissionsBoundaryOf("mlapi-network", { "mlapi-network:permissionsBoundary": "none" })).toBe("none");
  });
});
