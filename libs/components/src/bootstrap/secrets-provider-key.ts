import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { accountAdministrationStatement, awsAccount } from "../logging";

export interface SecretsProviderKeyArgs {
  /** Alias the stacks name in `--secrets-provider awskms://<alias>`, e.g. `alias/mlapi-secrets-shared`. */
  aliasName: string;
  /**
   * Days before a scheduled deletion completes. The maximum: without this key no stack's secrets
   * can be decrypted, and no StackReference can read a secret output.
   * @default 30
   */
  deletionWindowInDays?: number;
}

/**
 * The customer-managed KMS key behind the `awskms://` secrets provider the four layers share (the
 * configuration rules in docs/requirements.md: the stacks of one environment need one secrets
 * provider, or a StackReference cannot decrypt its upstream). Rotation on; the key policy only keeps
 * it administrable by the account, and principals are granted Encrypt/Decrypt by their IAM policies
 * (the CI roles, the administrators).
 * Protected: deleting it makes every encrypted config value and secret output unreadable.
 */
export class SecretsProviderKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly alias: aws.kms.Alias;
  readonly keyArn: pulumi.Output<string>;
  /** `awskms://alias/...`, what `pulumi stack init --secrets-provider` takes. */
  readonly secretsProvider: pulumi.Output<string>;

  constructor(name: string, args: SecretsProviderKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:bootstrap:SecretsProviderKey", name, {}, opts);
    const window = args.deletionWindowInDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new Error(
        `SecretsProviderKey ${name}: deletionWindowInDays must be a whole number from 7 to 30, got ${window}`,
      );
    }
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(args.aliasName) || args.aliasName.startsWith("alias/aws/")) {
      throw new Error(
        `SecretsProviderKey ${name}: aliasName must be alias/<letters, digits, / _ -> and not alias/aws/..., got "${args.aliasName}"`,
      );
    }
    const account = awsAccount(this);
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "Pulumi secrets provider (awskms://) of the mlapi stacks",
        enableKeyRotation: true,
        deletionWindowInDays: window,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [accountAdministrationStatement(account)] }),
      },
      { parent: this, protect: true },
    );
    this.alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: args.aliasName, targetKeyId: this.key.keyId },
      { parent: this },
    );
    this.keyArn = this.key.arn;
    // The region in the URL lets a workstation with another default region still reach the key.
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.secretsProvider = pulumi.interpolate`awskms://${args.aliasName}?region=${region}`;
    this.registerOutputs({ keyArn: this.keyArn, secretsProvider: this.secretsProvider });
  }
}
