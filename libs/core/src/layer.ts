import { Naming } from "./naming";
import type { PlatformProject } from "./layer-names";
import type { StandardTags } from "./tags";
import { registerStandardTags, standardTags } from "./tags";
import { assertSupportedRuntime } from "./runtime";
import type { Profile } from "./profile";
import { DEFAULT_LOG_RETENTION_DAYS, DEFAULT_PROFILE, registerLogRetention } from "./profile";

/** What every component of a layer needs to name and tag what it declares. */
export interface LayerContext {
  layer: PlatformProject;
  /** The environment suffix every physical name ends with (R18). */
  suffix: string;
  naming: Naming;
  tags: StandardTags;
  profile: Profile;
}

/** The stack-wide settings every layer reads the same way (ConfigReader.profile / logRetentionDays). */
export interface LayerSettings {
  /** @default "throwaway" */
  profile?: Profile;
  /** Days every log group keeps; more than 30 only in a production stack. @default 30 */
  logRetentionDays?: number;
}

/**
 * Starts a layer: registers the standard tags (the profile among them) and the stack's log retention
 * for every resource declared after it and returns the naming helper. Call it once, right after the
 * layer's config has loaded and validated. Refuses a Node.js line past its end of life before anything
 * is declared.
 */
export function startLayer(
  layer: PlatformProject,
  environmentSuffix: string,
  settings: LayerSettings = {},
): LayerContext {
  assertSupportedRuntime();
  const profile = settings.profile ?? DEFAULT_PROFILE;
  const tags = standardTags(layer, environmentSuffix, profile);
  registerStandardTags(tags);
  registerLogRetention(settings.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS);
  return { layer, suffix: environmentSuffix, naming: new Naming(environmentSuffix), tags, profile };
}
