import type { EnforcementLevel, PolicyContext, PolicyResource, Rule } from "./resource";
import { permissionsBoundaryOf, RULES } from "./rules";

/** The part of an offline plan document (tools/src/plan-document.ts) the evaluator reads. */
export interface PlanLike {
  project: string;
  stack: string;
  steps: {
    newState: {
      type: string;
      urn: string;
      id?: string;
      protect: boolean;
      retainOnDelete: boolean;
      inputs: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    };
  }[];
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  /** URN of the offending resource; undefined for the stack as a whole. */
  urn?: string;
  /** `logicalName (type)` for people. */
  resource: string;
  message: string;
}

const HANDLE_KEYS = ["id", "arn", "name", "bucket"];

/** Plan steps as policy resources: rules read the inputs; references resolve by id/ARN/name. */
export function resourcesFromPlan(plan: PlanLike): PolicyResource[] {
  return plan.steps.map(({ newState: s }) => {
    const handles = [s.id, ...HANDLE_KEYS.flatMap((k) => [s.inputs[k], s.outputs?.[k]])].filter(
      (h): h is string => typeof h === "string" && h !== "",
    );
    return {
      type: s.type,
      urn: s.urn,
      name: s.urn.split("::").pop() ?? "",
      props: s.inputs,
      protect: s.protect,
      retainOnDelete: s.retainOnDelete,
      handles: [...new Set(handles)],
    };
  });
}

/**
 * The stack's environment suffix as the layer programs resolve it (docs/requirements.md, Configuration, ConfigReader in
 * @mlapi/core): `<project>:environmentSuffix` in the stack config, else env ENVIRONMENT_SUFFIX,
 * else the stack name.
 */
export function environmentSuffixOf(
  project: string,
  stack: string,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromConfig = config[`${project}:environmentSuffix`];
  return typeof fromConfig === "string" ? fromConfig : (env["ENVIRONMENT_SUFFIX"] ?? stack);
}

const describe = (r: PolicyResource) => `${r.name} (${r.type})`;

/** Runs every rule over the resources; resource rules once per resource, stack rules once. */
export function evaluate(resources: PolicyResource[], ctx: PolicyContext, rules: readonly Rule[] = RULES): Violation[] {
  return rules.flatMap((rule): Violation[] => {
    const base = { policy: rule.name, enforcementLevel: rule.enforcementLevel };
    if (rule.kind === "resource") {
      return resources.flatMap((r) =>
        rule.validate(r, ctx).map((message) => ({ ...base, urn: r.urn, resource: describe(r), message })),
      );
    }
    return rule.validate(resources, ctx).map((f) => ({
      ...base,
      urn: f.resource?.urn,
      resource: f.resource ? describe(f.resource) : "(stack)",
      message: f.message,
    }));
  });
}

/** An aligned table: level, policy, resource, message; then the summary line. */
export function formatReport(violations: Violation[], rules: readonly Rule[] = RULES): string {
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = violations.length - mandatory;
  const summary = `policies: ${rules.length} checked, ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}, ${advisory} advisory`;
  if (violations.length === 0) return summary;
  const rows = [
    ["LEVEL", "POLICY", "RESOURCE", "MESSAGE"],
    ...violations.map((v) => [v.enforcementLevel, v.policy, v.resource, v.message]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => `  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join("  ")}`);
  return [...lines, summary].join("\n");
}

export class PolicyViolationError extends Error {
  constructor(
    readonly violations: Violation[],
    report: string,
  ) {
    super(`mandatory policy violations:\n${report}`);
    this.name = "PolicyViolationError";
  }
}

/**
 * The offline plan's policy gate: evaluates every rule on the layer's plan document, prints the
 * table and summary, and throws PolicyViolationError (the plan exits non-zero) on any mandatory
 * violation. Advisory violations print and pass.
 */
export function enforcePolicies(
  plan: PlanLike,
  config: Record<string, unknown>,
  log: (line: string) => void = console.log,
): Violation[] {
  const ctx = {
    environmentSuffix: environmentSuffixOf(plan.project, plan.stack, config),
    project: plan.project,
    permissionsBoundary: permissionsBoundaryOf(plan.project, config),
  };
  const violations = evaluate(resourcesFromPlan(plan), ctx);
  const report = formatReport(violations);
  if (violations.some((v) => v.enforcementLevel === "mandatory")) throw new PolicyViolationError(violations, report);
  log(report);
  return violations;
}
