import * as path from "node:path";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";
import type { BuildSource } from "./build-context";
import { contentTag } from "./build-context";

export interface ApiImageArgs {
  /** ECR repository the image is pushed to. */
  repositoryUrl: pulumi.Input<string>;
  /** Account id of that repository's registry (for the push credentials). */
  registryId: pulumi.Input<string>;
  /** What to build: the context folder and the Dockerfile in it. */
  source: BuildSource;
  /**
   * CPU architecture of the tasks; the image is built for the matching Linux platform.
   * @default "X86_64"
   */
  cpuArchitecture?: "X86_64" | "ARM64";
}

const PLATFORMS = { X86_64: dockerBuild.Platform.Linux_amd64, ARM64: dockerBuild.Platform.Linux_arm64 } as const;

/**
 * The API image, built from this repository with BuildKit and pushed to the layer's repository
 * at deploy time under a tag that names its content. @pulumi/docker-build rather than
 * awsx.ecr.Image: it is a plain resource (so the build is visible and testable under mocks),
 * keeps the registry credentials in memory, and reports the pushed digest, which the task
 * definition pins (`imageRef` = `<repository>:<tag>@sha256:<digest>`).
 */
export class ApiImage extends pulumi.ComponentResource {
  readonly image: dockerBuild.Image;
  /** Tag and digest of the pushed image, for the task definition. */
  readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: ApiImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ApiImage", name, {}, opts);
    const platform = PLATFORMS[args.cpuArchitecture ?? "X86_64"];
    const tag = contentTag(args.source, platform.split("/")[1]);

    // Relative to the program's folder, which the provider resolves them from too: the inputs are then
    // the same in every checkout, where an absolute path would force a rebuild that re-pushes the tag.
    const context = path.relative(process.cwd(), args.source.contextDir) || ".";
    const token = aws.ecr.getAuthorizationTokenOutput({ registryId: args.registryId }, { parent: this });
    this.image = new dockerBuild.Image(
      name,
      {
        context: { location: context },
        dockerfile: { location: path.join(context, args.source.dockerfile) },
        platforms: [platform],
        tags: [pulumi.interpolate`${args.repositoryUrl}:${tag}`],
        push: true,
        registries: [
          {
            address: pulumi.output(args.repositoryUrl).apply((url) => url.split("/")[0]),
            username: token.userName,
            password: pulumi.secret(token.password),
          },
        ],
        // A preview needs no Docker daemon; the image's own tests and dry run catch a broken Dockerfile.
        buildOnPreview: false,
      },
      { parent: this },
    );
    this.imageRef = this.image.ref;
    this.registerOutputs({ imageRef: this.imageRef });
  }
}
