// The OpenAPI 3.1 document of the whole API (src/openapi.json, kept by hand next to the code;
// tests/openapi.test.ts checks every documented response against the server). Served as is, but
// for top_k's maximum, which is the running cap (MAX_TOP_K and the model's label count).
import document from "./openapi.json";

export const OPENAPI_PATH = "/api/v2/openapi.json";

type Operation = { parameters?: Array<{ name: string; schema?: Record<string, unknown> }> };

/** The document with top_k's `maximum` set to `maxTopK` (the file holds the default configuration's 5). */
export function openApiDocument(maxTopK?: number): typeof document {
  if (maxTopK === undefined) return document;
  const doc = structuredClone(document);
  const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
  for (const op of Object.values(paths).flatMap((ops) => Object.values(ops)))
    for (const p of op.parameters ?? []) if (p.name === "top_k" && p.schema) p.schema.maximum = maxTopK;
  return doc;
}
