// Secondary entry point @mlapi/core/layers: the layer names and their output contracts without
// @pulumi/pulumi, so the deploy/destroy tools start in well under a second (the SDK takes ~1.5 s
// to load, paid on every layer of `nx run-many -t deploy`).
export const LAYERS = ["network", "data", "service", "edge"] as const;
export type LayerName = (typeof LAYERS)[number];

export { NETWORK } from "./contracts/network";
export { DATA } from "./contracts/data";
export { SERVICE } from "./contracts/service";
export { EDGE } from "./contracts/edge";
