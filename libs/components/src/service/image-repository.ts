import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount } from "../logging";

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>(:<tag>|@<digest>)
const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;

/**
 * The ARN of the private ECR repository an image URI points at, for a pull grant on exactly that
 * repository. Throws for anything else (Docker Hub, ECR Public, a registry mirror): the tasks pull
 * through the execution role, and only a private ECR repository can be granted to it. An image of
 * another account or region is granted here too; that repository's own policy must admit this
 * account's execution role as well (cross-account pull).
 */
export function ecrRepositoryArn(imageUri: string): string {
  const m = ECR_IMAGE.exec(imageUri);
  if (!m) {
    throw new Error(
      `${imageUri} is not a private ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>): ` +
        "the execution role can be granted a pull on a private ECR repository only",
    );
  }
  const [, account, region, china, repository] = m;
  return `arn:${china ? "aws-cn" : "aws"}:ecr:${region}:${account}:repository/${repository}`;
}

export interface ImageRepositoryArgs {
  /** Names the repository `mlapi-api-<suffix>` and the key's alias `alias/mlapi-ecr-<suffix>`. */
  naming: Naming;
  /**
   * Customer-managed KMS key for the images. When omitted the component creates one (rotating,
   * 7-day deletion window). Pulls need no kms permission: ECR decrypts through its own grant.
   * @default a new key
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Whether the key the component creates gets its alias (ignored with `kmsKeyArn`).
   * @default false
   */
  keyAlias?: boolean;
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
 * force-deletable so the layer tears down with images still in it (R19).
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
    const repositoryName = args.naming.name("api", "ecrRepository");
    const keepTagged = args.keepTaggedImages ?? 20;
    const untaggedDays = args.untaggedExpiryDays ?? 7;

    let kmsKeyArn = args.kmsKeyArn;
    if (kmsKeyArn === undefined) {
      const { accountId, partition } = awsAccount(this);
      this.key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `Images of ECR repository ${repositoryName}`,
          enableKeyRotation: true,
          deletionWindowInDays: 7,
          // IAM in this account governs the key; ECR itself uses a grant it creates with the repository.
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AccountAdministration",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          }),
        },
        { parent: this },
      );
      if (args.keyAlias)
        new aws.kms.Alias(
          `${name}-key-alias`,
          { name: `alias/${args.naming.name("ecr")}`, targetKeyId: this.key.keyId },
          { parent: this },
        );
      kmsKeyArn = this.key.arn;
    }

    this.repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: repositoryName,
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
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: untaggedDays,
              },
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
