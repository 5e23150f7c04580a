import * as pulumi from "@pulumi/pulumi";
import type { LayerContract } from "./contract";

/** Where a layer finds its upstream stacks. */
export interface UpstreamLocation {
  /** Pulumi organization; `organization` on the self-managed (file/S3) backends. */
  organization: string;
  /** Stack name of the upstream layer; the same stack name as this one by default. */
  stack: string;
}

/** `<org>/<project>/<stack>` (docs/requirements.md, Configuration). */
export function upstreamStackName(
  contract: Pick<LayerContract<unknown>, "project">,
  location: UpstreamLocation,
): string {
  return `${location.organization}/${contract.project}/${location.stack}`;
}

/** Typed, fail-loud access to an upstream layer's outputs through a StackReference. */
export class Upstream<T> {
  readonly stackName: string;
  private readonly ref: pulumi.StackReference;

  constructor(
    private readonly contract: LayerContract<T>,
    location: UpstreamLocation,
    opts?: pulumi.CustomResourceOptions,
  ) {
    this.stackName = upstreamStackName(contract, location);
    this.ref = new pulumi.StackReference(`${contract.layer}-stack`, { name: this.stackName }, opts);
  }

  /** The output's value; a missing output fails the program naming the stack and the output. */
  require<K extends keyof T & string>(name: K): pulumi.Output<T[K]> {
    const stackName = this.stackName;
    const layer = this.contract.layer;
    return this.ref.getOutput(name).apply((value: T[K] | undefined) => {
      if (value === undefined || value === null) {
        throw new Error(
          `Stack "${stackName}" has no output "${name}". Deploy or update the ${layer} layer first ` +
            `(nx run ${layer}:deploy --stack ${stackName.split("/").pop()}).`,
        );
      }
      return value;
    });
  }
}
