// A small JSON Schema (2020-12 subset) validator for the OpenAPI test: the keywords
// src/openapi.json uses ($ref, type, enum, const, properties, required, additionalProperties,
// items, minItems, oneOf, minimum, maximum, pattern). An unknown keyword fails loudly, so the
// document cannot use one that this would silently ignore.
type Schema = Record<string, unknown>;
const KNOWN = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "oneOf",
  "minimum",
  "maximum",
  "pattern",
  "description",
  "format",
]);

export function validate(root: Schema, schema: Schema, value: unknown, path = "$"): string[] {
  for (const k of Object.keys(schema))
    if (!KNOWN.has(k)) return [`${path}: schema keyword ${k} is not supported by the test validator`];
  if (typeof schema.$ref === "string") {
    const target = schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((o, key) => (o as Schema)?.[key], root);
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    return validate(root, target as Schema, value, path);
  }
  const errors: string[] = [];
  const type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (schema.type !== undefined) {
    const ok =
      schema.type === type ||
      (schema.type === "integer" && Number.isInteger(value)) ||
      (schema.type === "number" && type === "number");
    if (!ok) return [`${path}: expected ${String(schema.type)}, got ${type}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if ("const" in schema && schema.const !== value) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum)
      errors.push(`${path}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum)
      errors.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === "string" && typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value))
    errors.push(`${path}: "${value}" does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items)
      value.forEach((v, i) => errors.push(...validate(root, schema.items as Schema, v, `${path}[${i}]`)));
  }
  if (type === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errors.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errors.push(...validate(root, props[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
      else if (typeof schema.additionalProperties === "object")
        errors.push(...validate(root, schema.additionalProperties as Schema, v, `${path}.${key}`));
    }
  }
  if (schema.oneOf) {
    const matches = (schema.oneOf as Schema[]).filter((s) => validate(root, s, value, path).length === 0).length;
    if (matches !== 1) errors.push(`${path}: matches ${matches} of the oneOf schemas, not exactly 1`);
  }
  return errors;
}
