import { Naming } from "./naming";
import type { LayerName } from "./layer-names";
import type { StandardTags } from "./tags";
import { registerStandardTags, standardTags } from "./tags";

/** What every component of a layer needs to name and tag what it declares. */
export interface LayerContext {
  layer: LayerName;
  /** The environment suffix every physical name ends with (SPEC R18). */
  suffix: string;
  naming: Naming;
  tags: StandardTags;
}

/**
 * Starts a layer: registers the standard tags for every resource declared after it and returns
 * the naming helper. Call it once, right after the layer's config has loaded and validated.
 */
export function startLayer(layer: LayerName, environmentSuffix: string): LayerContext {
  const tags = standardTags(layer, environmentSuffix);
  registerStandardTags(tags);
  return { layer, suffix: environmentSuffix, naming: new Naming(environmentSuffix), tags };
}
