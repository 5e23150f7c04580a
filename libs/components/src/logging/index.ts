export * from "./aws-account";
export * from "./logs-key";
export * from "./log-group";
