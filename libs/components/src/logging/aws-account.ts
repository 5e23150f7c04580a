import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Account id, region and partition of the provider a component runs under (its parent's provider). */
export interface AwsAccount {
  accountId: pulumi.Output<string>;
  region: pulumi.Output<string>;
  partition: pulumi.Output<string>;
}

export function awsAccount(parent: pulumi.Resource): AwsAccount {
  return {
    accountId: aws.getCallerIdentityOutput({}, { parent }).accountId,
    region: aws.getRegionOutput({}, { parent }).region,
    partition: aws.getPartitionOutput({}, { parent }).partition,
  };
}
