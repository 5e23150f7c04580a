export type { LayerContract, LayerOutputs } from "./contract";
export * from "./upstream";
export * from "./network";
export * from "./data";
export * from "./service";
export * from "./edge";
