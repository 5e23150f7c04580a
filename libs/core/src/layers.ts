// Secondary entry point @mlapi/core/layers: the layer names and their output contracts without
// @pulumi/pulumi, so the deploy/destroy tools start in well under a second (the SDK takes ~1.5 s
// to load, paid on every layer of `nx run-many -t deploy`).
export const LAYERS = ["network", "data", "service", "edge"] as const;
export type LayerName = (typeof LAYERS)[number];

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
