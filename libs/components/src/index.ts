// Public API of @mlapi/components: one ComponentResource per concern, grouped by area.
export * from "./logging";
export * from "./network";
