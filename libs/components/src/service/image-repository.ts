import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ImageRepositoryArgs {
  /** Physical repository name; carries the environment suffix. */
  repositoryName: string;
  /**
   * Customer-managed KMS key for the images; the AWS-managed `aws/ecr` key when omitted (pulls then need no kms grant).
   * @default undefined
   */
  kmsKeyArn?: pulumi.Input<string>;
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
  readonly repositoryUrl: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ImageRepository", name, {}, opts);
    const keepTagged = args.keepTaggedImages ?? 20;
    const untaggedDays = args.untaggedExpiryDays ?? 7;

    this.repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: args.repositoryName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [args.kmsKeyArn ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn } : { encryptionType: "KMS" }],
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
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn });
  }
}
