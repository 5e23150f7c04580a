import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { PlannedResource, RenderResult } from "./render";

/** All resources of a type, in declaration order. */
export function ofType(result: RenderResult, type: string): PlannedResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** The single resource of a type (optionally with a logical name); throws when not exactly one. */
export function one(result: RenderResult, type: string, name?: string): PlannedResource {
  const found = ofType(result, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/** `type::name`, the reference format of `parent` and `dependsOn`. */
export const ref = (r: Pick<PlannedResource, "type" | "name">): string => `${r.type}::${r.name}`;

/** Resources that have an ARN-less physical `name`-like input, for suffix checks. */
export function customResources(result: RenderResult): PlannedResource[] {
  return result.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"));
}

/**
 * The rendered resources in the shape libs/policies' rules read (PolicyResource), for tests that run
 * a rule over a layer: URN and name are the logical name; no reference handles.
 */
export function asPolicyResources(result: RenderResult) {
  return result.resources.map((r) => ({
    type: r.type,
    urn: r.name,
    name: r.name,
    props: r.inputs,
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    handles: [] as string[],
  }));
}

/** Parses a JSON policy document input (string) into an object. */
export function policyDocument(value: unknown): { Version?: string; Statement: Array<Record<string, unknown>> } {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return parsed as { Statement: Array<Record<string, unknown>> };
}

/** Whether a recorded value is Pulumi's secret envelope (`{ <sig key>: <secret sig>, value }`). */
export function isSecretEnvelope(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** The value inside an input the engine received as a secret; throws when it is not one. */
export function secretInput(value: unknown): unknown {
  if (!isSecretEnvelope(value)) throw new Error(`expected a secret input, got ${JSON.stringify(value)}`);
  return value.value;
}
