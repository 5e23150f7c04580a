/**
 * The one shape every rule reads: a resource as the engine would be told about it. The offline plan
 * builds it from a plan step, the CrossGuard pack from the policy SDK's arguments, so each rule is
 * written once as a pure function over it.
 */
export interface PolicyResource {
  /** Type token, e.g. `aws:cloudwatch/logGroup:LogGroup`. */
  type: string;
  urn: string;
  /** Logical name. */
  name: string;
  /** Inputs (the offline plan) or planned properties (CrossGuard). */
  props: Record<string, unknown>;
  protect: boolean;
  /** Unknown in CrossGuard (its SDK does not expose the option); the offline plan knows it. */
  retainOnDelete?: boolean;
  /**
   * Values other resources use to point at this one: id, ARN, physical name. A resource refers to
   * another when one of its inputs equals one of these (the offline plan) or when that input was
   * computed from it (CrossGuard's property dependencies, see `dependsOnVia`).
   */
  handles: string[];
  /** Per input, URNs of the resources the input was computed from (CrossGuard only). */
  propertyDependencies?: Record<string, string[]>;
}

/** What a rule needs to know about the stack beyond its resources. */
export interface PolicyContext {
  /** The stack's environment suffix (docs/requirements.md, Configuration); every physical name carries it. */
  environmentSuffix: string;
  /** The Pulumi project (`mlapi-network`, `mlapi-bootstrap`), for the rules that differ by project. */
  project?: string;
  /**
   * The permissions boundary policy name the stack's config asks its roles to carry (`none` for none);
   * undefined where the config is unknown (CrossGuard cannot read it).
   */
  permissionsBoundary?: string;
}

/** The account bootstrap's Pulumi project: its state bucket and keys are meant to outlive every layer. */
export const BOOTSTRAP_PROJECT = "mlapi-bootstrap";

export type EnforcementLevel = "mandatory" | "advisory";

/** A rule over one resource: returns one message per problem, none when compliant. */
export interface ResourceRule {
  kind: "resource";
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  validate(resource: PolicyResource, ctx: PolicyContext): string[];
}

export interface StackFinding {
  /** The offending resource; undefined when the stack as a whole is at fault. */
  resource?: PolicyResource;
  message: string;
}

/** A rule over the whole stack, for relations between resources (a bucket and its encryption config). */
export interface StackRule {
  kind: "stack";
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  validate(resources: PolicyResource[], ctx: PolicyContext): StackFinding[];
}

export type Rule = ResourceRule | StackRule;

// --- small readers shared by the rules ---

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A list input: absent → [], a single object → [it]. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export const objects = (v: unknown): Json[] => list(v).filter(isObject);

export const strings = (v: unknown): string[] => list(v).filter((s): s is string => typeof s === "string");

/**
 * A property that may still be unknown: CrossGuard's props throw on an unknown value (a preview of a
 * resource not created yet). Use only where absent means "nothing to check" (a reference, a name).
 */
export function read(props: Record<string, unknown>, key: string): unknown {
  try {
    return props[key];
  } catch {
    return undefined;
  }
}

/** Whether `from.props[key]` points at `to`, by value or by property dependency. */
export function refersTo(from: PolicyResource, key: string, to: PolicyResource): boolean {
  if (from.propertyDependencies?.[key]?.includes(to.urn)) return true;
  const value = read(from.props, key);
  return typeof value === "string" && value !== "" && to.handles.includes(value);
}

export const ofType = (resources: PolicyResource[], ...types: string[]) =>
  resources.filter((r) => types.includes(r.type));

/** A policy document input: a JSON string (pulumi.jsonStringify) or an object; undefined when not parseable. */
export function policyDocument(v: unknown): Json | undefined {
  if (isObject(v)) return v;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export const statements = (doc: Json | undefined): Json[] => objects(doc?.["Statement"]);
