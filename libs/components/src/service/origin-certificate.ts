import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

export interface OriginCertificateArgs {
  /** Host name the certificate covers, e.g. `origin.api.example.com`. */
  domainName: pulumi.Input<string>;
  /** Route 53 hosted zone the DNS validation record is written to. */
  hostedZoneId: pulumi.Input<string>;
  /**
   * Region of the certificate (per-resource `region`), e.g. us-east-1 for CloudFront.
   * @default the provider's region (the stack's)
   */
  region?: string;
}

/**
 * An ACM certificate validated through a Route 53 record (global), in the stack's region for the
 * ALB (service layer) or in `region` us-east-1 for CloudFront (edge layer).
 * `certificateArn` resolves only once ACM has issued it, so a listener or distribution using it is
 * never created with a pending certificate.
 */
export class OriginCertificate extends pulumi.ComponentResource {
  readonly certificate: aws.acm.Certificate;
  /** ARN of the issued certificate. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: OriginCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:OriginCertificate", name, {}, opts);
    this.certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      { domainName: args.domainName, validationMethod: "DNS", region: args.region },
      // Pulumi's default create-before-replace matters here: a certificate a listener uses cannot be deleted first.
      { parent: this },
    );
    const option = this.certificate.domainValidationOptions.apply((options) => options[0]);
    const record = new aws.route53.Record(
      `${name}-validation-record`,
      {
        zoneId: args.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        // The same validation record may already exist from an earlier certificate for this name.
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      { certificateArn: this.certificate.arn, validationRecordFqdns: [record.fqdn], region: args.region },
      { parent: this },
    );
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
