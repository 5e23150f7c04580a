import type * as pulumi from "@pulumi/pulumi";
import type { LayerName } from "../layer-names";

/** A layer's published outputs: its Pulumi project and the names and types of what it exports. */
export interface LayerContract<T> {
  layer: LayerName;
  /** Pulumi project name; also the config namespace. */
  project: string;
  /** Every output name, so readers and the flat-outputs tool need no loose strings. */
  outputNames: readonly (keyof T & string)[];
  /** Outputs exported as Pulumi secrets. */
  secretOutputNames: readonly (keyof T & string)[];
}

/** What a layer's index.ts exports: each contract field as a Pulumi input. */
export type LayerOutputs<T> = {
  [K in keyof T]: pulumi.Input<T[K]> | (T[K] extends readonly (infer E)[] ? pulumi.Input<E>[] : never);
};
