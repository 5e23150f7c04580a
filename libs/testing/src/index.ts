// @mlapi/testing: Pulumi mocks with realistic AWS answers and the program renderer shared by the
// layer tests and the offline plan. Production code never imports it: the module-boundary lint rule
// (tag type:testing) allows it only in test files and the offline plan.
export * from "./aws-mocks";
export * from "./render";
export * from "./query";
export * from "./load";
export * from "./documented-defaults";
export * from "./iam-simulator";
export * from "./fixtures/upstream-outputs";
