// Public API of @mlapi/core: configuration, naming, tagging and the cross-layer contracts.
export * from "./config";
export * from "./naming";
export { LAYERS } from "./layer-names";
export type { LayerName } from "./layer-names";
export * from "./tags";
export * from "./layer";
export * from "./contracts";
