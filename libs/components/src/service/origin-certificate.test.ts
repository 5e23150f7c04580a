import { one, renderProgram } from "@mlapi/testing";
import type { OriginCertificateArgs } from "./origin-certificate";
import { OriginCertificate } from "./origin-certificate";

const render = (args: Partial<OriginCertificateArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      const certificate = new OriginCertificate("origin", {
        domainName: "origin.api.example.com",
        hostedZoneId: "Z0123456789ABC",
        ...args,
      });
      return { certificateArn: certificate.certificateArn };
    },
  });

describe("OriginCertificate", () => {
  it("requests a DNS-validated certificate for the name, in the stack's region by default", async () => {
    const r = await render();
    const cert = one(r, "aws:acm/certificate:Certificate");
    expect(cert.inputs).toEqual({ domainName: "origin.api.example.com", validationMethod: "DNS" });
    expect(one(r, "aws:acm/certificateValidation:CertificateValidation").inputs.region).toBeUndefined();
  });

  it("writes ACM's validation record into the hosted zone, overwriting an earlier certificate's record for the name", async () => {
    const record = one(await render(), "aws:route53/record:Record");
    expect(record.inputs).toMatchObject({ zoneId: "Z0123456789ABC", ttl: 60, allowOverwrite: true });
  });

  it("hands out the ARN only once ACM has validated it through that record", async () => {
    const r = await render();
    const validation = one(r, "aws:acm/certificateValidation:CertificateValidation");
    expect(validation.inputs).toMatchObject({
      certificateArn: one(r, "aws:acm/certificate:Certificate").id,
      validationRecordFqdns: [one(r, "aws:route53/record:Record").state.fqdn],
    });
    expect(r.outputs.certificateArn).toBe(validation.state.certificateArn);
  });

  it("places the certificate and its validation in the region it is given (us-east-1 for CloudFront)", async () => {
    const r = await render({ region: "us-east-1" });
    expect(one(r, "aws:acm/certificate:Certificate").inputs.region).toBe("us-east-1");
    expect(one(r, "aws:acm/certificateValidation:CertificateValidation").inputs.region).toBe("us-east-1");
  });
});
