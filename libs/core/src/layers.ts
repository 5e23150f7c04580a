// Secondary entry point @mlapi/core/layers: the layer names and their output contracts without
// @pulumi/pulumi, so the deploy/destroy tools, run once per layer, start without loading the SDK.
export { BOOTSTRAP, LAYERS } from "./layer-names";
export type { LayerName, PlatformProject } from "./layer-names";

/**
 * The environment suffix rule (requirement R18, config contract in docs/requirements.md): 1–16
 * lowercase letters, digits and inner hyphens. Here rather than in config.ts so that the deploy tools
 * can check a suffix without loading the SDK.
 */
export const ENVIRONMENT_SUFFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

export { NETWORK } from "./contracts/network";
export { DATA } from "./contracts/data";
export { SERVICE } from "./contracts/service";
export { EDGE } from "./contracts/edge";
