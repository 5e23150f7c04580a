// Components of the service area; one file per ComponentResource, each exported here.
export * from "./fargate-sizes";
export * from "./image-repository";
export * from "./build-context";
export * from "./api-image";
export * from "./access-logs-bucket";
export * from "./origin-certificate";
export * from "./load-balancer";
export * from "./web-acl";
export * from "./fargate-cluster";
export * from "./task-roles";
export * from "./api-service";
export * from "./service-scaling";
