// Secondary entry point @mlapi/core/layers: the layer names and their output contracts without
// @pulumi/pulumi, so the deploy/destroy tools, run once per layer, start without loading the SDK.
export { LAYERS } from "./layer-names";
export type { LayerName } from "./layer-names";

export { NETWORK } from "./contracts/network";
export { DATA } from "./contracts/data";
export { SERVICE } from "./contracts/service";
export { EDGE } from "./contracts/edge";
