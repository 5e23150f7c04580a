import * as path from "node:path";
import type { RenderResult } from "@mlapi/testing";
import { ofType, one, policyDocument, programLoader, renderProgram } from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}, stack = "dev") =>
  renderProgram({ project: "mlapi-network", stack, config: { "aws:region": "eu-west-1", ...config }, load });

const STANDARD_TAG_KEYS = ["Project", "Environment", "Layer", "ManagedBy"];

describe("network layer with default config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("puts the bootstrap's workload boundary on its one role, the flow-logs delivery role", () => {
    expect(ofType(r, "aws:iam/role:Role").map((role) => [role.inputs.name, role.inputs.permissionsBoundary])).toEqual([
      ["mlapi-flow-logs-dev", "arn:aws:iam::123456789012:policy/mlapi-workload-boundary"],
    ]);
  });

  const subnets = (tier: string) =>
    ofType(r, "aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as Record<string, string>).Tier === tier);

  it("creates 3 public and 3 private subnets, one of each per availability zone (R1)", () => {
    expect(subnets("public")).toHaveLength(3);
    expect(subnets("private")).toHaveLength(3);
    const zones = (tier: string) => subnets(tier).map((s) => s.inputs.availabilityZone);
    expect(new Set(zones("public")).size).toBe(3);
    expect(zones("private").sort()).toEqual(zones("public").sort());
    // Zone names come from the AZ lookup (the mock answers for the stack's region), never literals.
    expect(zones("public")).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
  });

  it("uses the VPC CIDR from config default 10.0.0.0/16, carved into non-overlapping /19s", () => {
    expect(one(r, "aws:ec2/vpc:Vpc").inputs.cidrBlock).toBe("10.0.0.0/16");
    expect(subnets("public").map((s) => s.inputs.cidrBlock)).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
    expect(subnets("private").map((s) => s.inputs.cidrBlock)).toEqual([
      "10.0.96.0/19",
      "10.0.128.0/19",
      "10.0.160.0/19",
    ]);
  });

  it("never gives instances in any subnet a public IP on launch", () => {
    expect(ofType(r, "aws:ec2/subnet:Subnet").every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(true);
  });

  it("routes public subnets to the internet gateway (R2)", () => {
    const igw = one(r, "aws:ec2/internetGateway:InternetGateway");
    const publicRt = one(r, "aws:ec2/routeTable:RouteTable", "network-public-rt");
    const route = one(r, "aws:ec2/route:Route", "network-public-default");
    expect(route.inputs).toMatchObject({
      routeTableId: publicRt.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });
    const associated = ofType(r, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter(
      (a) => a.inputs.routeTableId === publicRt.id,
    );
    expect(associated.map((a) => a.inputs.subnetId).sort()).toEqual(
      subnets("public")
        .map((s) => s.id)
        .sort(),
    );
  });

  it("creates one NAT gateway by default, in a public subnet, after the internet gateway (R2)", () => {
    const nat = one(r, "aws:ec2/natGateway:NatGateway");
    expect(subnets("public").map((s) => s.id)).toContain(nat.inputs.subnetId);
    expect(nat.inputs.allocationId).toBe(one(r, "aws:ec2/eip:Eip").id);
    expect(nat.dependsOn).toEqual(["aws:ec2/internetGateway:InternetGateway::network-igw"]);
  });

  it("records every resource the NAT gateway waits for: its subnet and EIP through inputs, the gateway explicitly", () => {
    const nat = one(r, "aws:ec2/natGateway:NatGateway");
    const subnet = ofType(r, "aws:ec2/subnet:Subnet").find((s) => s.id === nat.inputs.subnetId);
    const ref = (x: { type: string; name: string } | undefined) => `${x?.type}::${x?.name}`;
    expect([...nat.dependencies].sort()).toEqual(
      [ref(subnet), ref(one(r, "aws:ec2/eip:Eip")), "aws:ec2/internetGateway:InternetGateway::network-igw"].sort(),
    );
  });

  it("gives every private subnet its own route table whose default route is the NAT (R2)", () => {
    const nat = one(r, "aws:ec2/natGateway:NatGateway");
    for (const subnet of subnets("private")) {
      const assoc = ofType(r, "aws:ec2/routeTableAssociation:RouteTableAssociation").find(
        (a) => a.inputs.subnetId === subnet.id,
      );
      const route = ofType(r, "aws:ec2/route:Route").find(
        (rt) => rt.inputs.routeTableId === assoc?.inputs.routeTableId,
      );
      expect(route?.inputs).toMatchObject({ destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
    }
    expect(new Set(ofType(r, "aws:ec2/route:Route").map((rt) => rt.inputs.routeTableId)).size).toBe(4);
  });

  it("attaches S3 and DynamoDB gateway endpoints to exactly the private route tables (R3)", () => {
    const privateRts = ofType(r, "aws:ec2/routeTable:RouteTable")
      .filter((rt) => rt.name.includes("private"))
      .map((rt) => rt.id);
    const endpoints = ofType(r, "aws:ec2/vpcEndpoint:VpcEndpoint");
    expect(endpoints.map((e) => e.inputs.serviceName).sort()).toEqual([
      "com.amazonaws.eu-west-1.dynamodb",
      "com.amazonaws.eu-west-1.s3",
    ]);
    for (const e of endpoints) {
      expect(e.inputs.vpcEndpointType).toBe("Gateway");
      expect(e.inputs.routeTableIds).toEqual(privateRts);
    }
  });

  it("sends flow logs of all traffic to a 30-day, KMS-encrypted log group (R4)", () => {
    const group = one(r, "aws:cloudwatch/logGroup:LogGroup");
    const key = one(r, "aws:kms/key:Key");
    expect(group.inputs).toMatchObject({
      name: "/mlapi/vpc-flow-logs-dev",
      retentionInDays: 30,
      kmsKeyId: key.state.arn,
    });
    const flowLog = one(r, "aws:ec2/flowLog:FlowLog");
    expect(flowLog.inputs).toMatchObject({
      vpcId: one(r, "aws:ec2/vpc:Vpc").id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.state.arn,
      iamRoleArn: one(r, "aws:iam/role:Role").state.arn,
    });
  });

  it("lets only CloudWatch Logs use the key, and only for the flow-log group (encryption context)", () => {
    const key = one(r, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
    const [admin, logs] = policyDocument(key.inputs.policy).Statement;
    expect(admin.Principal).toEqual({ AWS: "arn:aws:iam::123456789012:root" });
    expect(logs.Principal).toEqual({ Service: "logs.eu-west-1.amazonaws.com" });
    expect(logs.Condition).toEqual({
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": [
          "arn:aws:logs:eu-west-1:123456789012:log-group:/mlapi/vpc-flow-logs-dev",
        ],
      },
    });
  });

  it("lets only the flow-logs service of this account assume the delivery role, which writes only its log group", () => {
    const role = one(r, "aws:iam/role:Role");
    const [trust] = policyDocument(role.inputs.assumeRolePolicy).Statement;
    expect(trust.Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
    expect(trust.Condition).toMatchObject({ StringEquals: { "aws:SourceAccount": "123456789012" } });
    const group = one(r, "aws:cloudwatch/logGroup:LogGroup");
    const [write] = policyDocument(one(r, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
    expect(write.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(write.Resource).toEqual([group.state.arn, `${group.state.arn}:*`]);
  });

  it("adopts the default security group with no rules (R4)", () => {
    const dsg = one(r, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(dsg.inputs.ingress ?? []).toEqual([]);
    expect(dsg.inputs.egress ?? []).toEqual([]);
  });

  describe("security groups: only the rules between alb, app and db", () => {
    const sg = (role: string) => one(r, "aws:ec2/securityGroup:SecurityGroup", `sg-${role}`);
    const rulesOf = (type: "Ingress" | "Egress", role: string) =>
      ofType(r, `aws:vpc/securityGroup${type}Rule:SecurityGroup${type}Rule`)
        .filter((rule) => rule.inputs.securityGroupId === sg(role).id)
        .map(({ inputs }) => ({
          peer: inputs.referencedSecurityGroupId ?? inputs.cidrIpv4 ?? inputs.prefixListId,
          protocol: inputs.ipProtocol,
          ports: [inputs.fromPort, inputs.toPort],
        }));

    it("declares no inline rules, so the rule resources are the whole truth", () => {
      for (const role of ["alb", "app", "db"]) {
        expect(sg(role).inputs.ingress).toBeUndefined();
        expect(sg(role).inputs.egress).toBeUndefined();
      }
    });

    it("alb: no ingress here (service adds CloudFront's), egress only to app on 8080", () => {
      expect(rulesOf("Ingress", "alb")).toEqual([]);
      expect(rulesOf("Egress", "alb")).toEqual([{ peer: sg("app").id, protocol: "tcp", ports: [8080, 8080] }]);
    });

    it("app: ingress only from alb on 8080; egress to db on 5432 and HTTPS for AWS APIs", () => {
      expect(rulesOf("Ingress", "app")).toEqual([{ peer: sg("alb").id, protocol: "tcp", ports: [8080, 8080] }]);
      expect(rulesOf("Egress", "app")).toEqual(
        expect.arrayContaining([
          { peer: sg("db").id, protocol: "tcp", ports: [5432, 5432] },
          { peer: "0.0.0.0/0", protocol: "tcp", ports: [443, 443] },
        ]),
      );
      expect(rulesOf("Egress", "app")).toHaveLength(2);
    });

    it("db: ingress only from app on 5432, no egress", () => {
      expect(rulesOf("Ingress", "db")).toEqual([{ peer: sg("app").id, protocol: "tcp", ports: [5432, 5432] }]);
      expect(rulesOf("Egress", "db")).toEqual([]);
    });
  });

  it("exports what the data and service layers read (R20)", () => {
    expect(r.outputs).toMatchObject({
      vpcId: one(r, "aws:ec2/vpc:Vpc").id,
      vpcCidr: "10.0.0.0/16",
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      publicSubnetIds: subnets("public").map((s) => s.id),
      privateSubnetIds: subnets("private").map((s) => s.id),
      albSecurityGroupId: one(r, "aws:ec2/securityGroup:SecurityGroup", "sg-alb").id,
      appSecurityGroupId: one(r, "aws:ec2/securityGroup:SecurityGroup", "sg-app").id,
      dbSecurityGroupId: one(r, "aws:ec2/securityGroup:SecurityGroup", "sg-db").id,
      appPort: 8080,
      natGatewayCount: 1,
    });
    expect(r.secretOutputNames).toEqual([]);
  });

  it("puts the suffix in every physical name and the four tags on every taggable resource (R18)", () => {
    const aws = r.resources.filter((x) => x.type.startsWith("aws:"));
    for (const res of aws) {
      for (const key of ["name", "aliasName"]) {
        if (typeof res.inputs[key] === "string") expect(`${res.type} ${res.inputs[key] as string}`).toMatch(/-dev$/);
      }
      const tags = res.inputs.tags as Record<string, string> | undefined;
      if (tags) {
        expect(Object.keys(tags)).toEqual(expect.arrayContaining(STANDARD_TAG_KEYS));
        expect(tags).toMatchObject({ Project: "mlapi", Environment: "dev", Layer: "network", ManagedBy: "pulumi" });
        if (tags.Name !== undefined) expect(tags.Name).toMatch(/-dev$/);
      }
    }
    const untagged = aws.filter((x) => !x.inputs.tags).map((x) => x.type);
    expect([...new Set(untagged)].sort()).toEqual([
      "aws:ec2/route:Route",
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:kms/alias:Alias",
    ]);
  });

  it("keeps nothing from teardown: no protect or retainOnDelete (R19)", () => {
    expect(r.resources.filter((x) => x.protect || x.retainOnDelete)).toEqual([]);
  });
});

describe("network layer with natGateways: 3 and a /24 VPC", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({
      "mlapi-network:natGateways": 3,
      "mlapi-network:vpcCidr": "10.20.30.0/24",
      "mlapi-network:appPort": 9000,
    });
  });

  it("creates one NAT per AZ, each in its own public subnet", () => {
    const nats = ofType(r, "aws:ec2/natGateway:NatGateway");
    expect(nats).toHaveLength(3);
    const publicSubnetIds = ofType(r, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("public"))
      .map((s) => s.id);
    expect(nats.map((n) => n.inputs.subnetId)).toEqual(publicSubnetIds);
  });

  it("routes each private route table to its own AZ's NAT", () => {
    const nats = ofType(r, "aws:ec2/natGateway:NatGateway").map((n) => n.id);
    const privateRoutes = ofType(r, "aws:ec2/route:Route").filter((rt) => rt.name.includes("private"));
    expect(privateRoutes.map((rt) => rt.inputs.natGatewayId)).toEqual(nats);
  });

  it("carves a /24 into /27 subnets and uses the configured app port", () => {
    expect(ofType(r, "aws:ec2/subnet:Subnet").map((s) => s.inputs.cidrBlock)).toEqual([
      "10.20.30.0/27",
      "10.20.30.32/27",
      "10.20.30.64/27",
      "10.20.30.96/27",
      "10.20.30.128/27",
      "10.20.30.160/27",
    ]);
    expect(one(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sg-app-from-alb").inputs).toMatchObject(
      { fromPort: 9000, toPort: 9000 },
    );
    expect(r.outputs.appPort).toBe(9000);
  });
});

describe("network layer config validation", () => {
  it.each([
    [
      "a suffix with capitals",
      { "mlapi-network:environmentSuffix": "Dev" },
      'mlapi-network:environmentSuffix = "Dev": must match ^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$',
    ],
    [
      "a 17-character suffix",
      { "mlapi-network:environmentSuffix": "abcdefghijklmnopq" },
      'mlapi-network:environmentSuffix = "abcdefghijklmnopq": must match',
    ],
    ["natGateways: 2", { "mlapi-network:natGateways": 2 }, 'mlapi-network:natGateways = "2": must be one of 1, 3'],
    [
      "a /8 CIDR",
      { "mlapi-network:vpcCidr": "10.0.0.0/8" },
      'mlapi-network:vpcCidr = "10.0.0.0/8": must be an IPv4 network address in CIDR notation with a prefix from /16 to /24',
    ],
    [
      "a /25 CIDR",
      { "mlapi-network:vpcCidr": "10.0.0.0/25" },
      'mlapi-network:vpcCidr = "10.0.0.0/25": must be an IPv4 network address in CIDR notation with a prefix from /16 to /24',
    ],
    [
      "a privileged app port",
      { "mlapi-network:appPort": 80 },
      'mlapi-network:appPort = "80": must be a number >= 1024, <= 65535, a whole number',
    ],
    [
      "a permissions boundary given as an ARN",
      { "mlapi-network:permissionsBoundary": "arn:aws:iam::123456789012:policy/mlapi-workload-boundary" },
      'mlapi-network:permissionsBoundary = "arn:aws:iam::123456789012:policy/mlapi-workload-boundary": must be the name of a customer managed policy of the account (the bootstrap\'s: mlapi-workload-boundary) or none',
    ],
  ])("rejects %s before declaring any resource", async (_case, config, message) => {
    const failure = render(config);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toMatchObject({ declaredAwsResources: [] });
  });

  it("takes the suffix from the stack name when neither config nor env sets it, and rejects a bad one", async () => {
    const previous = process.env.ENVIRONMENT_SUFFIX;
    delete process.env.ENVIRONMENT_SUFFIX;
    try {
      await expect(render({}, "Prod")).rejects.toThrow('mlapi-network:environmentSuffix = "Prod": must match');
    } finally {
      if (previous !== undefined) process.env.ENVIRONMENT_SUFFIX = previous;
    }
  });
});

describe("network layer permissionsBoundary config", () => {
  it("names another policy of the account, or none (an account without the bootstrap)", async () => {
    const boundaries = async (value: string) =>
      ofType(await render({ "mlapi-network:permissionsBoundary": value }), "aws:iam/role:Role").map(
        (role) => role.inputs.permissionsBoundary,
      );
    expect(await boundaries("team-boundary")).toEqual(["arn:aws:iam::123456789012:policy/team-boundary"]);
    expect(await boundaries("none")).toEqual([undefined]);
  });
});
