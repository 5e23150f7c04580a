import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * Account id, region and partition of the provider a component runs under (its parent's provider),
 * or of `region` when the component puts its resources there with the per-resource `region` input.
 */
export interface AwsAccount {
  accountId: pulumi.Output<string>;
  region: pulumi.Output<string>;
  partition: pulumi.Output<string>;
}

export function awsAccount(parent: pulumi.Resource, region?: string): AwsAccount {
  return {
    accountId: aws.getCallerIdentityOutput({}, { parent }).accountId,
    region: region === undefined ? aws.getRegionOutput({}, { parent }).region : pulumi.output(region),
    partition: aws.getPartitionOutput({}, { parent }).partition,
  };
}

/**
 * The key-policy statement that keeps a customer-managed key administrable by the account: without
 * the account root a key can become unmanageable (it is AWS's default key policy statement).
 */
export function accountAdministrationStatement(account: Pick<AwsAccount, "accountId" | "partition">) {
  return {
    Sid: "AccountAdministration",
    Effect: "Allow",
    Principal: { AWS: pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}
