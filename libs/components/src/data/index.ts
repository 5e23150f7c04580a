// Components of the data area; one file per ComponentResource, each exported here.
export * from "./aurora-rules";
export * from "./data-key";
export * from "./aurora-cluster";
export * from "./sessions-table";
export * from "./existing-secrets";
