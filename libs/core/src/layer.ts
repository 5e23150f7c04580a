import { Naming } from "./naming";
import type { PlatformProject } from "./layers";
import type { StandardTags } from "./tags";
import { registerStandardTags, standardTags } from "./tags";
import { assertSupportedRuntime } from "./runtime";

/** What every component of a layer needs to name and tag what it declares. */
export interface LayerContext {
  layer: PlatformProject;
  /** The environment suffix every physical name ends with (SPEC R18). */
  suffix: string;
  naming: Naming;
  tags: StandardTags;
}

/**
 * Starts a layer: registers the standard tags for every resource declared after it and returns
 * the naming helper. Call it once, right after the layer's config has loaded and validated. Refuses a
 * Node.js line past its end of life before anything is declared.
 */
export function startLayer(layer: PlatformProject, environmentSuffix: string): LayerContext {
  assertSupportedRuntime();
  const tags = standardTags(layer, environmentSuffix);
  registerStandardTags(tags);
  return { layer, suffix: environmentSuffix, naming: new Naming(environmentSuffix), tags };
}
