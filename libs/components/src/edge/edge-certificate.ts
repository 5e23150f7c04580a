import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeCertificateArgs {
  /** The name viewers use, e.g. `api.example.com`; the certificate covers exactly this name. */
  domainName: string;
  /** Route 53 public hosted zone that holds `domainName`; the validation record is written there. */
  hostedZoneId: string;
}

/**
 * An ACM certificate for CloudFront, DNS-validated in Route 53 (SPEC R17). CloudFront only uses
 * certificates from us-east-1, so pass the us-east-1 provider (`providers: [usEast1]`).
 * Route 53 is global, so the validation record works under the same provider.
 * `certificateArn` resolves only once ACM has issued it, so a distribution that uses it is not
 * created with a pending certificate.
 */
export class EdgeCertificate extends pulumi.ComponentResource {
  readonly certificate: aws.acm.Certificate;
  readonly validationRecord: aws.route53.Record;
  readonly validation: aws.acm.CertificateValidation;
  /** ARN of the issued certificate. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:EdgeCertificate", name, {}, opts);
    this.certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      { domainName: args.domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048" },
      { parent: this },
    );
    // One name, one validation option: index 0 is safe and keeps the record a plain resource,
    // not one declared inside an apply (which previews could not show).
    const option = this.certificate.domainValidationOptions[0];
    this.validationRecord = new aws.route53.Record(
      `${name}-validation-record`,
      {
        zoneId: args.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        // A re-created certificate for the same name gets the same CNAME; overwrite, do not fail.
        allowOverwrite: true,
      },
      { parent: this },
    );
    this.validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      { certificateArn: this.certificate.arn, validationRecordFqdns: [this.validationRecord.fqdn] },
      { parent: this },
    );
    this.certificateArn = this.validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
