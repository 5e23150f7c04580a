// WAF building blocks shared by the service's REGIONAL and the edge's CLOUDFRONT web ACLs.
export * from "./image-upload-exception";
export * from "./batch-rate-limit";
export * from "./rate-limited-response";
