import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * ARNs of existing Secrets Manager secrets, in the order named (R7: app secrets are read from
 * entries someone created outside the stack, never created or read here). A missing secret fails the
 * deploy with Secrets Manager's own "not found" naming it. Only the ARN leaves this function: the
 * lookup returns no secret value.
 */
export function existingSecretArns(
  names: readonly string[],
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
  const empty = names.findIndex((n) => n.trim() === "");
  if (empty >= 0) throw new Error(`existingSecretArns: secret name #${empty} is empty`);
  return pulumi.all(names.map((name) => aws.secretsmanager.getSecretOutput({ name }, opts).arn));
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;

/**
 * The customer-managed KMS keys the named secrets are encrypted with, as key ARNs, each once. The
 * task's execution role must be able to decrypt each (through Secrets Manager) to inject the
 * secret. A secret under the AWS-managed `aws/secretsmanager` key reports no key and needs no
 * grant (that key's policy admits every principal of the account through Secrets Manager); a key
 * given as an id or alias is resolved to its ARN, since IAM grants name keys by ARN only.
 */
export function existingSecretKmsKeyArns(
  names: readonly string[],
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
  const keyIds = pulumi.all(names.map((name) => aws.secretsmanager.getSecretOutput({ name }, opts).kmsKeyId));
  return keyIds.apply((ids) => {
    const customer = [...new Set(ids.filter((id) => id !== ""))];
    return pulumi.all(
      customer.map((id) => (KEY_ARN.test(id) ? pulumi.output(id) : aws.kms.getKeyOutput({ keyId: id }, opts).arn)),
    );
  });
}
