export * from "./subnet-plan";
export * from "./vpc";
export * from "./gateway-endpoints";
export * from "./flow-logs";
export * from "./security-groups";
