import { AwsMocks, MOCK_ACCOUNT_ID } from "./aws-mocks";

const mocks = () => new AwsMocks({ region: "eu-central-1" });
const create = (m: AwsMocks, type: string, name: string, inputs: Record<string, unknown> = {}, provider?: string) =>
  m.newResource({ type, name, inputs, provider, custom: true });

describe("AwsMocks answers in AWS's shapes", () => {
  it("gives a load balancer and target group the ARN suffixes a scaling resource label is built from", () => {
    const m = mocks();
    const lb = create(m, "aws:lb/loadBalancer:LoadBalancer", "alb", { name: "mlapi-alb-dev" }).state;
    expect(lb.arn).toMatch(
      /^arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer\/app\/mlapi-alb-dev\/[0-9a-f]{16}$/,
    );
    expect(lb.arnSuffix).toBe(String(lb.arn).split(":loadbalancer/")[1]);
    expect(lb.dnsName).toMatch(/^mlapi-alb-dev-\d+\.eu-central-1\.elb\.amazonaws\.com$/);
    const tg = create(m, "aws:lb/targetGroup:TargetGroup", "api-tg-dev").state;
    expect(tg.arnSuffix).toMatch(/^targetgroup\/api-tg-dev-[0-9a-f]{7}\/[0-9a-f]{16}$/);
  });

  it("autonames like the engine: logical name plus 7 random characters", () => {
    expect(create(mocks(), "aws:s3/bucketV2:BucketV2", "logs").state.bucket).toMatch(/^logs-[0-9a-f]{7}$/);
  });

  it("names log group ARNs without the trailing :* (provider v4+ behaviour)", () => {
    const lg = create(mocks(), "aws:cloudwatch/logGroup:LogGroup", "lg", { name: "/mlapi/x-dev" }).state;
    expect(lg.arn).toBe(`arn:aws:logs:eu-central-1:${MOCK_ACCOUNT_ID}:log-group:/mlapi/x-dev`);
  });

  it("answers in the region of an explicit provider", () => {
    const m = mocks();
    const provider = m.newResource({
      type: "pulumi:providers:aws",
      name: "us-east-1",
      inputs: { region: "us-east-1" },
      custom: true,
    });
    const cert = create(
      m,
      "aws:acm/certificate:Certificate",
      "cert",
      { domainName: "api.example.com" },
      `urn:x::${provider.id}`,
    ).state;
    expect(cert.arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);
  });

  it("returns the RDS-managed master secret only when the password is managed", () => {
    const m = mocks();
    const managed = create(m, "aws:rds/cluster:Cluster", "db", {
      clusterIdentifier: "mlapi-db-dev",
      manageMasterUserPassword: true,
    }).state;
    expect((managed.masterUserSecrets as Array<{ secretArn: string }>)[0].secretArn).toMatch(
      /^arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-/,
    );
    expect(managed.endpoint).toMatch(/^mlapi-db-dev\.cluster-[0-9a-f]{12}\.eu-central-1\.rds\.amazonaws\.com$/);
    expect(create(m, "aws:rds/cluster:Cluster", "db2", { clusterIdentifier: "x" }).state.masterUserSecrets).toEqual([]);
  });

  it("answers StackReferences from the given outputs and fails loudly for unknown stacks", () => {
    const m = new AwsMocks({
      region: "eu-central-1",
      stackOutputs: { "organization/mlapi-network/dev": { vpcId: "vpc-1" } },
    });
    const ref = m.newResource({
      type: "pulumi:pulumi:StackReference",
      name: "network-stack",
      inputs: { name: "organization/mlapi-network/dev" },
      custom: true,
    });
    expect(ref.state.outputs).toEqual({ vpcId: "vpc-1" });
    expect(() =>
      m.newResource({
        type: "pulumi:pulumi:StackReference",
        name: "x",
        inputs: { name: "organization/mlapi-data/dev" },
        custom: true,
      }),
    ).toThrow('No mock outputs for stack reference "organization/mlapi-data/dev"');
  });

  it("looks up availability zones of the stack's region", () => {
    const azs = mocks().call({ token: "aws:index/getAvailabilityZones:getAvailabilityZones", inputs: {} });
    expect(azs.names).toEqual(["eu-central-1a", "eu-central-1b", "eu-central-1c", "eu-central-1d"]);
  });

  it("records every resource it was asked for", () => {
    const m = mocks();
    create(m, "aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    expect(m.resources.map((r) => [r.type, r.name, r.id.startsWith("vpc-")])).toEqual([
      ["aws:ec2/vpc:Vpc", "vpc", true],
    ]);
  });
});
