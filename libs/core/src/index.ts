// Public API of @mlapi/core: configuration, naming, tagging and the cross-layer contracts.
export * from "./config";
export * from "./naming";
export { BOOTSTRAP, LAYERS } from "./layers";
export type { LayerName, PlatformProject } from "./layers";
export * from "./tags";
export * from "./layer";
export * from "./profile";
export * from "./runtime";
export * from "./contracts";
