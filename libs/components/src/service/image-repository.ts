import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import { awsAccount } from "../logging";

export interface ImageRepositoryArgs {
  /** Physical repository name; carries the environment suffix. */
  repositoryName: string;
  /**
   * Customer-managed KMS key for the images. When omitted the component creates one (rotating,
   * 7-day deletion window). Pulls need no kms permission: ECR decrypts through its own grant.
   * @default a new key
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Alias of the key the component creates (ignored with `kmsKeyArn`).
   * @default no alias
   */
  keyAliasName?: string;
  /**
   * Tagged images kept; older ones expire.
   * @default 20
   */
  keepTaggedImages?: number;
  /**
   * Days an untagged image is kept.
   * @default 7
   */
  untaggedExpiryDays?: number;
}

/**
 * The ECR repository the API image lives in: scanned on push, immutable tags (a tag always means
 * the same image, so a rollback is a rollback), KMS-encrypted, pruned by a lifecycle policy and
 * force-deletable so the layer tears down with images still in it (SPEC R19).
 */
export class ImageRepository extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  /** The key the component created, when none was given. */
  readonly key?: aws.kms.Key;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly registryId: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ImageRepository", name, {}, opts);
    const keepTagged = args.keepTaggedImages ?? 20;
    const untaggedDays = args.untaggedExpiryDays ?? 7;

    let kmsKeyArn = args.kmsKeyArn;
    if (kmsKeyArn === undefined) {
      const { accountId, partition } = awsAccount(this);
      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `Images of ECR repository ${args.repositoryName}`,
          enableKeyRotation: true,
          deletionWindowInDays: 7,
          // IAM in this account governs the key; ECR itself uses a grant it creates with the repository.
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
          }),
        },
        { parent: this },
      );
      if (args.keyAliasName) new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAliasName, targetKeyId: this.key.keyId }, { parent: this });
      kmsKeyArn = this.key.arn;
    }

    this.repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: args.repositoryName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }],
        forceDelete: true,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: this.repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Expire untagged images after ${untaggedDays} days`,
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Keep the last ${keepTagged} tagged images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepTagged },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent: this },
    );
    this.repositoryUrl = this.repository.repositoryUrl;
    this.arn = this.repository.arn;
    this.registryId = this.repository.registryId;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn, registryId: this.registryId });
  }
}
