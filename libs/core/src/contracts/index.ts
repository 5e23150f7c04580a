export type { LayerContract, LayerOutputs } from "./contract";
export * from "./upstream";
export * from "./network";
