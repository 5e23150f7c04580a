import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

export interface DnsAliasRecordsArgs {
  /** Public hosted zone that holds `domainName`. */
  hostedZoneId: pulumi.Input<string>;
  /** The name to point at the target, e.g. `api.example.com`. */
  domainName: pulumi.Input<string>;
  /** DNS name of the alias target (the distribution's `*.cloudfront.net` name). */
  targetDomainName: pulumi.Input<string>;
  /** Hosted zone id of the alias target (CloudFront's fixed zone, from the distribution). */
  targetZoneId: pulumi.Input<string>;
}

/**
 * Route 53 alias records, A (IPv4) and AAAA (IPv6), from a name to a CloudFront distribution.
 * Alias queries to AWS targets are free, and the pair serves both address families the
 * distribution listens on. `allowOverwrite` is off: an existing record of that name is someone
 * else's, and the deploy should stop rather than take it over.
 */
export class DnsAliasRecords extends pulumi.ComponentResource {
  readonly a: aws.route53.Record;
  readonly aaaa: aws.route53.Record;

  constructor(name: string, args: DnsAliasRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:edge:DnsAliasRecords", name, {}, opts);
    const record = (type: "A" | "AAAA") =>
      new aws.route53.Record(
        `${name}-${type.toLowerCase()}`,
        {
          zoneId: args.hostedZoneId,
          name: args.domainName,
          type,
          aliases: [{ name: args.targetDomainName, zoneId: args.targetZoneId, evaluateTargetHealth: false }],
        },
        { parent: this },
      );
    this.a = record("A");
    this.aaaa = record("AAAA");
    this.registerOutputs({});
  }
}
