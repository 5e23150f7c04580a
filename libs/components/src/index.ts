// Public API of @mlapi/components: one ComponentResource per concern, grouped by area.
export * from "./logging";
export * from "./network";
export * from "./data";
export * from "./waf";
export * from "./service";
export * from "./edge";
export * from "./monitoring";
export * from "./bootstrap";
