import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** The account every mock ARN uses. */
export const MOCK_ACCOUNT_ID = "123456789012";

type State = Record<string, unknown>;

/** Stable pseudo-random hex for a resource, so plans and snapshots do not churn between runs. */
export function mockHex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}

function mockUuid(seed: string): string {
  const h = mockHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The physical name the engine would give: the explicit name, else the logical name + 7 random chars. */
function physicalName(args: pulumi.runtime.MockResourceArgs, key = "name"): string {
  const given = args.inputs[key];
  if (typeof given === "string" && given !== "") return given;
  const prefix = args.inputs[`${key}Prefix`];
  if (typeof prefix === "string") return `${prefix}${mockHex(args.name, 26 - Math.min(prefix.length, 20))}`;
  return `${args.name}-${mockHex(args.name, 7)}`;
}

interface Ctx {
  region: string;
  account: string;
  seed: string;
}

const arn = (c: Ctx, service: string, resource: string, region = c.region): string =>
  `arn:aws:${service}:${region}:${c.account}:${resource}`;

/**
 * Realistic outputs per resource type: ids, ARNs and DNS names of the shapes AWS returns, so that
 * values built from them (scaling resource labels, policy ARNs, dashboard dimensions) are exercised.
 */
const RESOURCE_STATE: Record<string, (a: pulumi.runtime.MockResourceArgs, c: Ctx) => { id: string; state: State }> = {
  "aws:ec2/vpc:Vpc": (_a, c) => {
    const id = `vpc-${mockHex(c.seed, 17)}`;
    return {
      id,
      state: {
        arn: arn(c, "ec2", `vpc/${id}`),
        defaultSecurityGroupId: `sg-${mockHex(`${c.seed}dsg`, 17)}`,
        mainRouteTableId: `rtb-${mockHex(`${c.seed}main`, 17)}`,
      },
    };
  },
  "aws:ec2/subnet:Subnet": (_a, c) => ec2Id(c, "subnet"),
  // @pulumi/random's RandomId: `hex` holds byteLength random bytes.
  "random:index/randomId:RandomId": (a, c) => {
    const hex = mockHex(c.seed, 2 * Number(a.inputs.byteLength ?? 8));
    return { id: hex, state: { hex } };
  },
  "aws:ec2/securityGroup:SecurityGroup": (_a, c) => ec2Id(c, "sg", "security-group"),
  "aws:ec2/internetGateway:InternetGateway": (_a, c) => ec2Id(c, "igw", "internet-gateway"),
  "aws:ec2/natGateway:NatGateway": (_a, c) => ec2Id(c, "nat", "natgateway"),
  "aws:ec2/eip:Eip": (_a, c) => {
    const id = `eipalloc-${mockHex(c.seed, 17)}`;
    return { id, state: { allocationId: id, publicIp: `203.0.113.${parseInt(mockHex(c.seed, 2), 16) % 250}` } };
  },
  "aws:ec2/routeTable:RouteTable": (_a, c) => ec2Id(c, "rtb", "route-table"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (_a, c) => ec2Id(c, "vpce", "vpc-endpoint"),
  "aws:ec2/flowLog:FlowLog": (_a, c) => ec2Id(c, "fl", "vpc-flow-log"),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (_a, c) => ec2Id(c, "sg", "security-group"),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (_a, c) => ec2Id(c, "sgr", "security-group-rule"),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (_a, c) => ec2Id(c, "sgr", "security-group-rule"),
  "aws:kms/key:Key": (_a, c) => {
    const id = mockUuid(c.seed);
    return { id, state: { keyId: id, arn: arn(c, "kms", `key/${id}`) } };
  },
  "aws:kms/alias:Alias": (a, c) => {
    const name = String(a.inputs.name ?? `alias/${a.name}`);
    return { id: name, state: { arn: arn(c, "kms", name) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": (a, c) => {
    const name = physicalName(a);
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:iam/role:Role": (a, c) => {
    const name = physicalName(a);
    return {
      id: name,
      state: {
        name,
        arn: `arn:aws:iam::${c.account}:role/${name}`,
        uniqueId: `AROA${mockHex(c.seed, 17).toUpperCase()}`,
      },
    };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (a, c) => {
    const providerArn = `arn:aws:iam::${c.account}:oidc-provider/${String(a.inputs.url).replace(/^https:\/\//, "")}`;
    return { id: providerArn, state: { arn: providerArn } };
  },
  "aws:iam/policy:Policy": (a, c) => {
    const name = physicalName(a);
    const policyArn = `arn:aws:iam::${c.account}:policy/${name}`;
    return { id: policyArn, state: { name, arn: policyArn } };
  },
  "aws:lb/loadBalancer:LoadBalancer": (a, c) => {
    const name = physicalName(a);
    const suffix = `app/${name}/${mockHex(c.seed, 16)}`;
    const lbArn = arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`);
    return {
      id: lbArn,
      state: {
        name,
        arn: lbArn,
        arnSuffix: suffix,
        dnsName: `${name}-${parseInt(mockHex(c.seed, 8), 16)}.${c.region}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (a, c) => {
    const name = physicalName(a);
    const suffix = `targetgroup/${name}/${mockHex(c.seed, 16)}`;
    const tgArn = arn(c, "elasticloadbalancing", suffix);
    return { id: tgArn, state: { name, arn: tgArn, arnSuffix: suffix } };
  },
  "aws:lb/listener:Listener": (_a, c) => {
    const listenerArn = arn(
      c,
      "elasticloadbalancing",
      `listener/app/mock/${mockHex(`${c.seed}lb`, 16)}/${mockHex(c.seed, 16)}`,
    );
    return { id: listenerArn, state: { arn: listenerArn } };
  },
  "aws:lb/listenerRule:ListenerRule": (_a, c) => {
    const ruleArn = arn(
      c,
      "elasticloadbalancing",
      `listener-rule/app/mock/${mockHex(`${c.seed}lb`, 16)}/${mockHex(`${c.seed}l`, 16)}/${mockHex(c.seed, 16)}`,
    );
    return { id: ruleArn, state: { arn: ruleArn } };
  },
  "aws:ecs/cluster:Cluster": (a, c) => {
    const name = physicalName(a);
    const clusterArn = arn(c, "ecs", `cluster/${name}`);
    return { id: clusterArn, state: { name, arn: clusterArn } };
  },
  "aws:ecs/service:Service": (a, c) => {
    const name = physicalName(a);
    return { id: arn(c, "ecs", `service/mock/${name}`), state: { name } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (a, c) => {
    const family = String(a.inputs.family ?? a.name);
    return {
      id: family,
      state: {
        arn: arn(c, "ecs", `task-definition/${family}:1`),
        arnWithoutRevision: arn(c, "ecs", `task-definition/${family}`),
        revision: 1,
      },
    };
  },
  // docker-build reports the pushed image as "<first tag>@<digest>"; the digest follows the tag, which names the content.
  "docker-build:index:Image": (a, c) => {
    const tags = (a.inputs.tags ?? []) as string[];
    const digest = `sha256:${mockHex(`${c.seed}${tags.join(",")}`, 64)}`;
    return {
      id: `${a.name}-${mockHex(c.seed, 8)}`,
      state: {
        digest,
        ref: tags.length > 0 && a.inputs.push === true ? `${tags[0]}@${digest}` : (tags[0] ?? ""),
        contextHash: mockHex(`${c.seed}ctx`, 64),
      },
    };
  },
  "aws:ecr/repository:Repository": (a, c) => {
    const name = physicalName(a);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "ecr", `repository/${name}`),
        repositoryUrl: `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
        registryId: c.account,
      },
    };
  },
  "aws:rds/cluster:Cluster": (a, c) => {
    const id = String(a.inputs.clusterIdentifier ?? physicalName(a, "clusterIdentifier"));
    const host = `${mockHex(c.seed, 12)}.${c.region}.rds.amazonaws.com`;
    const secretArn = arn(c, "secretsmanager", `secret:rds!cluster-${mockUuid(c.seed)}-${mockHex(`${c.seed}s`, 6)}`);
    return {
      id,
      state: {
        clusterIdentifier: id,
        arn: arn(c, "rds", `cluster:${id}`),
        endpoint: `${id}.cluster-${host}`,
        readerEndpoint: `${id}.cluster-ro-${host}`,
        port: a.inputs.port ?? 5432,
        clusterResourceId: `cluster-${mockHex(c.seed, 26).toUpperCase()}`,
        masterUserSecrets: a.inputs.manageMasterUserPassword
          ? [{ secretArn, kmsKeyId: a.inputs.masterUserSecretKmsKeyId, secretStatus: "active" }]
          : [],
      },
    };
  },
  "aws:rds/clusterInstance:ClusterInstance": (a, c) => {
    const id = String(a.inputs.identifier ?? physicalName(a, "identifier"));
    return {
      id,
      state: {
        identifier: id,
        arn: arn(c, "rds", `db:${id}`),
        dbiResourceId: `db-${mockHex(c.seed, 26).toUpperCase()}`,
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": (a, c) => named(a, c, "rds", "subgrp"),
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": (a, c) => named(a, c, "rds", "cluster-pg"),
  "aws:dynamodb/table:Table": (a, c) => {
    const name = physicalName(a);
    return { id: name, state: { name, arn: arn(c, "dynamodb", `table/${name}`), streamArn: undefined } };
  },
  "aws:s3/bucket:Bucket": (a, c) => s3Bucket(a, c),
  "aws:s3/bucketV2:BucketV2": (a, c) => s3Bucket(a, c),
  "aws:cloudfront/distribution:Distribution": (_a, c) => {
    const id = `E${mockHex(c.seed, 13).toUpperCase()}`;
    return {
      id,
      state: {
        arn: `arn:aws:cloudfront::${c.account}:distribution/${id}`,
        domainName: `d${mockHex(c.seed, 13)}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
      },
    };
  },
  "aws:cloudfront/vpcOrigin:VpcOrigin": (_a, c) => {
    const id = `vo_${mockHex(c.seed, 22)}`;
    return {
      id,
      state: {
        arn: `arn:aws:cloudfront::${c.account}:vpcorigin/${id}`,
        etag: `E${mockHex(`${c.seed}etag`, 13).toUpperCase()}`,
      },
    };
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": (_a, c) => ({
    id: `E${mockHex(c.seed, 13).toUpperCase()}`,
    state: {},
  }),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (_a, c) => ({
    id: mockUuid(c.seed),
    state: { etag: `E${mockHex(`${c.seed}etag`, 13).toUpperCase()}` },
  }),
  "aws:route53/record:Record": (a) => {
    const fqdn = String(a.inputs.name ?? a.name).replace(/\.$/, "");
    return { id: `${String(a.inputs.zoneId)}_${fqdn}_${String(a.inputs.type)}`, state: { fqdn } };
  },
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": (a, c) => {
    const name = physicalName(a);
    return { id: name, state: { name, arn: arn(c, "logs", `delivery-source:${name}`), service: "cloudfront" } };
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (a, c) => {
    const name = physicalName(a);
    return {
      id: name,
      state: { name, arn: arn(c, "logs", `delivery-destination:${name}`), deliveryDestinationType: "CWL" },
    };
  },
  "aws:cloudwatch/logDelivery:LogDelivery": (_a, c) => {
    const id = mockHex(c.seed, 16);
    return { id, state: { arn: arn(c, "logs", `delivery:${id}`) } };
  },
  "aws:acm/certificate:Certificate": (a, c) => {
    const certArn = arn(c, "acm", `certificate/${mockUuid(c.seed)}`);
    const domain = String(a.inputs.domainName ?? "example.com");
    return {
      id: certArn,
      state: {
        arn: certArn,
        domainValidationOptions: [domain, ...((a.inputs.subjectAlternativeNames as string[] | undefined) ?? [])].map(
          (d) => ({
            domainName: d,
            resourceRecordName: `_${mockHex(d, 32)}.${d}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${mockHex(`${d}v`, 32)}.acm-validations.aws.`,
          }),
        ),
      },
    };
  },
  "aws:wafv2/webAcl:WebAcl": (a, c) => {
    const name = physicalName(a);
    const scope = a.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
    const id = mockUuid(c.seed);
    return { id, state: { name, arn: arn(c, "wafv2", `${scope}/webacl/${name}/${id}`), capacity: 0 } };
  },
  "aws:sns/topic:Topic": (a, c) => {
    const name = physicalName(a);
    const topicArn = arn(c, "sns", name);
    return { id: topicArn, state: { name, arn: topicArn } };
  },
  "aws:appautoscaling/target:Target": (a) => ({ id: String(a.inputs.resourceId), state: {} }),
  "aws:appautoscaling/policy:Policy": (a, c) => ({
    id: a.name,
    state: {
      arn: arn(
        c,
        "autoscaling",
        `scalingPolicy:${mockUuid(c.seed)}:resource/ecs/${String(a.inputs.resourceId)}:policyName/${String(a.inputs.name ?? a.name)}`,
      ),
    },
  }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (a, c) => named(a, c, "cloudwatch", "alarm"),
  "aws:cloudwatch/dashboard:Dashboard": (a, c) => {
    const name = String(a.inputs.dashboardName ?? a.name);
    return { id: name, state: { dashboardArn: `arn:aws:cloudwatch::${c.account}:dashboard/${name}` } };
  },
};

function ec2Id(c: Ctx, prefix: string, kind = prefix): { id: string; state: State } {
  const id = `${prefix}-${mockHex(c.seed, 17)}`;
  return { id, state: { arn: arn(c, "ec2", `${kind}/${id}`) } };
}

function named(
  a: pulumi.runtime.MockResourceArgs,
  c: Ctx,
  service: string,
  kind: string,
): { id: string; state: State } {
  const name = physicalName(a);
  return { id: name, state: { name, arn: arn(c, service, `${kind}:${name}`) } };
}

function s3Bucket(a: pulumi.runtime.MockResourceArgs, c: Ctx): { id: string; state: State } {
  const bucket = physicalName(a, "bucket").toLowerCase();
  return {
    id: bucket,
    state: {
      bucket,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
    },
  };
}

/** Well-known ids of AWS managed objects that programs look up by name. */
export const MANAGED_IDS = {
  cachePolicies: {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
  } as Record<string, string>,
  originRequestPolicies: {
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
  } as Record<string, string>,
  cloudFrontOriginFacingPrefixList: "pl-3b927c52",
  /** The ELB log-delivery account of us-east-1. */
  elbServiceAccount: "127311923021",
};

/** Regions opened since August 2022, where ELB writes access logs as a service principal, not an account. */
export const REGIONS_WITHOUT_ELB_ACCOUNT: readonly string[] = [
  "ap-south-2",
  "ap-southeast-4",
  "eu-central-2",
  "eu-south-2",
  "me-central-1",
  "il-central-1",
  "ca-west-1",
];

type CallHandler = (inputs: Record<string, unknown>, region: string, account: string) => Record<string, unknown>;

const CALLS: Record<string, CallHandler> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, region) => ({
    names: ["a", "b", "c", "d"].map((z) => `${region}${z}`),
    zoneIds: [1, 2, 3, 4].map((n) => `use1-az${n}`),
    state: "available",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": (_i, _r, account) => ({
    accountId: account,
    arn: `arn:aws:iam::${account}:user/mock`,
    userId: "AIDAMOCK",
  }),
  "aws:index/getRegion:getRegion": (_i, region) => ({ name: region, region, id: region, description: region }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": (i) => ({
    id: MANAGED_IDS.cloudFrontOriginFacingPrefixList,
    name: i.name,
    maxEntries: 55,
  }),
  // CloudFront's VPC-origin security group (one per VPC, created with the VPC's first VPC origin).
  "aws:ec2/getSecurityGroup:getSecurityGroup": (i, region, account) => {
    const id = `sg-${mockHex(`${String(i.vpcId)}/${String(i.name)}`, 17)}`;
    return { id, name: i.name, vpcId: i.vpcId, arn: `arn:aws:ec2:${region}:${account}:security-group/${id}` };
  },
  "aws:cloudfront/getCachePolicy:getCachePolicy": (i) => ({
    id: MANAGED_IDS.cachePolicies[String(i.name)] ?? mockUuid(String(i.name)),
    name: i.name,
  }),
  "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": (i) => ({
    id: MANAGED_IDS.originRequestPolicies[String(i.name)] ?? mockUuid(String(i.name)),
    name: i.name,
  }),
  "aws:secretsmanager/getSecret:getSecret": (i, region, account) => ({
    arn: `arn:aws:secretsmanager:${region}:${account}:secret:${String(i.name)}-${mockHex(String(i.name), 6)}`,
    name: i.name,
    kmsKeyId: `arn:aws:kms:${region}:${account}:key/${mockUuid(`${String(i.name)}key`)}`,
  }),
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (i, region, account) => ({
    authorizationToken: Buffer.from("AWS:mock-ecr-password").toString("base64"),
    userName: "AWS",
    password: "mock-ecr-password",
    proxyEndpoint: `https://${String(i.registryId ?? account)}.dkr.ecr.${region}.amazonaws.com`,
    expiresAt: "2026-01-01T12:00:00Z",
  }),
  "aws:elb/getServiceAccount:getServiceAccount": (_i, region) => {
    // Like the provider: regions opened since August 2022 have no ELB account, only the log-delivery service principal.
    if (REGIONS_WITHOUT_ELB_ACCOUNT.includes(region))
      throw new Error(`unknown Elastic Load Balancing Service Account for region (${region})`);
    return { id: MANAGED_IDS.elbServiceAccount, arn: `arn:aws:iam::${MANAGED_IDS.elbServiceAccount}:root` };
  },
};

/** One resource as the mock engine saw it. */
export interface MockedResource {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  provider?: string;
  custom: boolean;
}

export interface AwsMocksOptions {
  region: string;
  /** Outputs of referenced stacks, keyed by full stack name (`org/project/stack`). */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

/** Pulumi mocks that answer like AWS would, and remember every resource they were asked for. */
export class AwsMocks implements pulumi.runtime.Mocks {
  readonly resources: MockedResource[] = [];
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: AwsMocksOptions) {}

  private regionOf(provider: string | undefined): string {
    const id = provider?.split("::").pop();
    const explicit = id ? this.providerRegions.get(id) : undefined;
    return explicit ?? this.options.region;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    let id: string | undefined;
    let state: Record<string, unknown> = { ...inputs };
    if (args.type === "pulumi:pulumi:StackReference") {
      const stackName = String(inputs.name ?? args.name);
      const outputs = this.options.stackOutputs?.[stackName];
      if (!outputs) throw new Error(`No mock outputs for stack reference "${stackName}"`);
      id = stackName;
      state = { name: stackName, outputs, secretOutputNames: [] };
    } else if (args.type.startsWith("pulumi:providers:")) {
      id = `${args.name}-provider-id`;
      if (typeof inputs.region === "string" && inputs.region !== "") this.providerRegions.set(id, inputs.region);
    } else if (args.custom !== false) {
      // pulumi-aws 7's per-resource `region` input overrides the provider's region, as in AWS.
      const region =
        typeof inputs.region === "string" && inputs.region !== "" ? inputs.region : this.regionOf(args.provider);
      const ctx: Ctx = { region, account: MOCK_ACCOUNT_ID, seed: `${args.type}:${args.name}` };
      const known = RESOURCE_STATE[args.type];
      const made = known ? known(args, ctx) : { id: `${args.name}-${mockHex(ctx.seed, 8)}`, state: {} };
      id = made.id;
      const fallbackArn = arn(ctx, args.type.split(":")[1]?.split("/")[0] ?? "mock", `${args.name}`);
      state = { arn: fallbackArn, ...inputs, ...made.state, id };
      if (!("name" in state) && "name" in inputs) state.name = inputs.name;
    }
    this.resources.push({
      type: args.type,
      name: args.name,
      id: id ?? "",
      inputs,
      state,
      provider: args.provider,
      custom: args.custom !== false,
    });
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const handler = CALLS[args.token];
    const region = this.regionOf(args.provider);
    return handler ? handler(args.inputs as Record<string, unknown>, region, MOCK_ACCOUNT_ID) : { ...args.inputs };
  }
}
