import type { PolicyContext, PolicyResource, Rule } from "../src";
import { evaluate } from "../src";

export const ctx: PolicyContext = { environmentSuffix: "dev" };

export const TAGS = { Project: "mlapi", Environment: "dev", Layer: "data", ManagedBy: "pulumi" };

let counter = 0;

/** A resource as a rule sees it; `handles` default to the id-like inputs. */
export function res(
  type: string,
  props: Record<string, unknown> = {},
  extra: Partial<PolicyResource> = {},
): PolicyResource {
  const name = extra.name ?? `r${++counter}`;
  const handles = [props["name"], props["bucket"], `${name}-id`, `arn:aws:x:::${name}`].filter(
    (h): h is string => typeof h === "string",
  );
  return {
    type,
    urn: `urn:pulumi:dev::mlapi-data::${type}::${name}`,
    name,
    props,
    protect: false,
    retainOnDelete: false,
    handles,
    ...extra,
  };
}

/** The messages one rule reports over the given resources. */
export function messages(rule: Rule, ...resources: PolicyResource[]): string[] {
  return evaluate(resources, ctx, [rule]).map((v) => v.message);
}

export const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
