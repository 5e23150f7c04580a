// The OpenAPI 3.1 document of the whole API (src/openapi.json, kept by hand next to the code;
// tests/openapi.test.ts checks every documented response against the server). Served as is.
import document from "./openapi.json";

export const OPENAPI_PATH = "/api/v2/openapi.json";
export const openApiDocument = (): typeof document => document;
