export * from "./state-bucket";
export * from "./secrets-provider-key";
export * from "./github-oidc";
export * from "./github-actions-role";
export * from "./ci-permissions";
export * from "./ci-roles";
export * from "./workload-boundary";
