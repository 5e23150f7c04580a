import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/**
 * ARNs of existing Secrets Manager secrets, in the order named (SPEC R7: app secrets are read from
 * entries someone created outside the stack, never created or read here). A missing secret fails the
 * deploy with Secrets Manager's own "not found" naming it. Only the ARN leaves this function: the
 * lookup returns no secret value.
 */
export function existingSecretArns(names: readonly string[], opts?: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
  const empty = names.findIndex((n) => n.trim() === "");
  if (empty >= 0) throw new Error(`existingSecretArns: secret name #${empty} is empty`);
  return pulumi.all(names.map((name) => aws.secretsmanager.getSecretOutput({ name }, opts).arn));
}
