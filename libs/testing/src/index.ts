// @mlapi/testing: Pulumi mocks with realistic AWS answers and the program renderer shared by the
// layer tests and the offline plan. Production code (layers, libs/core, libs/components) never imports it.
export * from "./aws-mocks";
export * from "./render";
export * from "./query";
export * from "./load";
export * from "./documented-defaults";
export * from "./fixtures/upstream-outputs";
