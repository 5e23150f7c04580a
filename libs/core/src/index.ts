// Public API of @mlapi/core: configuration, naming, tagging and the cross-layer contracts.
export * from "./config";
export * from "./naming";
export { BOOTSTRAP, LAYERS } from "./layer-names";
export type { LayerName, PlatformProject } from "./layer-names";
export * from "./tags";
export * from "./layer";
export * from "./profile";
export * from "./runtime";
export * from "./contracts";
