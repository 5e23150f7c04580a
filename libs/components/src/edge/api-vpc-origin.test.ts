import { createHash } from "node:crypto";
import { MOCK_ACCOUNT_ID, ofType, one, ref, renderProgram } from "@mlapi/testing";
import type { ApiVpcOriginArgs } from "./api-vpc-origin";
import { ApiVpcOrigin, CLOUDFRONT_VPC_ORIGINS_SECURITY_GROUP } from "./api-vpc-origin";

const ALB_ARN = `arn:aws:elasticloadbalancing:eu-west-1:${MOCK_ACCOUNT_ID}:loadbalancer/app/mlapi-alb-dev/0123456789abcdef`;
const args = (protocol: "http" | "https", port: number): ApiVpcOriginArgs => ({
  name: "mlapi-api-origin-dev",
  loadBalancerArn: ALB_ARN,
  protocol,
  port,
  vpcId: "vpc-0abc",
  albSecurityGroupId: "sg-alb",
});
const render = (a: ApiVpcOriginArgs) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      const o = new ApiVpcOrigin("origin", a);
      return { vpcOriginId: o.vpcOriginId };
    },
  });
const digest = (policy: string, port: number) =>
  createHash("sha256").update(`${ALB_ARN}|${policy}|${port}`).digest("hex").slice(0, 8);

describe("ApiVpcOrigin", () => {
  describe.each<["http" | "https", number, string, number, number]>([
    ["http", 80, "http-only", 80, 443],
    ["https", 443, "https-only", 80, 443],
  ])("to an %s listener on %i", (protocol, port, policy, httpPort, httpsPort) => {
    it(`points a ${policy} VPC origin at the ALB, TLS 1.2 when HTTPS, named after its settings`, async () => {
      const r = await render(args(protocol, port));
      const origin = one(r, "aws:cloudfront/vpcOrigin:VpcOrigin");
      expect(origin.inputs.vpcOriginEndpointConfig).toEqual({
        name: `mlapi-api-origin-dev-${digest(policy, port)}`,
        arn: ALB_ARN,
        httpPort,
        httpsPort,
        originProtocolPolicy: policy,
        originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
      });
      expect(r.outputs.vpcOriginId).toBe(origin.id);
    });

    it("gives the ALB exactly one ingress: from CloudFront's VPC-origin group, on the listener port, after the VPC origin", async () => {
      const r = await render(args(protocol, port));
      const rules = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
      expect(rules).toHaveLength(1);
      expect(rules[0].inputs).toEqual({
        securityGroupId: "sg-alb",
        referencedSecurityGroupId: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `CloudFront VPC origin, ${protocol.toUpperCase()} ${port}`,
      });
      expect(rules[0].inputs.prefixListId).toBeUndefined();
      expect(rules[0].inputs.cidrIpv4).toBeUndefined();
      expect(rules[0].inputs.cidrIpv6).toBeUndefined();
      expect(rules[0].dependsOn).toContain(ref(one(r, "aws:cloudfront/vpcOrigin:VpcOrigin")));
    });
  });

  it("looks the source group up by CloudFront's name in the ALB's VPC", async () => {
    const r = await render(args("http", 80));
    const expected = `sg-${createHash("sha256").update(`vpc-0abc/${CLOUDFRONT_VPC_ORIGINS_SECURITY_GROUP}#0`).digest("hex").slice(0, 17)}`;
    expect(one(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs.referencedSecurityGroupId).toBe(
      expected,
    );
    expect(CLOUDFRONT_VPC_ORIGINS_SECURITY_GROUP).toBe("CloudFront-VPCOrigins-Service-SG");
  });

  it("replaces the VPC origin on any change, since CloudFront refuses to update one a distribution uses", async () => {
    const r = await render(args("https", 443));
    expect(one(r, "aws:cloudfront/vpcOrigin:VpcOrigin").replaceOnChanges).toEqual(["vpcOriginEndpointConfig"]);
  });
});
