// Components of the edge area; one file per ComponentResource, each exported here.
export * from "./cloudfront-region";
export * from "./error-pages-bucket";
export * from "./cloudfront-web-acl";
export * from "./cloudfront-access-logs";
export * from "./api-distribution";
export * from "./dns-alias-records";
export * from "./api-vpc-origin";
