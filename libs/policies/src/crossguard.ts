import type {
  Policies,
  PolicyResource as SdkResource,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyContext, PolicyResource, Rule } from "./resource";
import { read } from "./resource";

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack. */
export const stackOfUrn = (urn: string) => urn.split("::")[0]?.split(":")[2] ?? "";

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → project. */
export const projectOfUrn = (urn: string) => urn.split("::")[1] ?? "";

/**
 * The environment suffix under CrossGuard. The pack cannot read the stack's config, so it resolves
 * the suffix as the programs do minus that first step: env ENVIRONMENT_SUFFIX, else the stack name.
 * A stack that sets `environmentSuffix` in config previews with ENVIRONMENT_SUFFIX exported to the
 * same value. Deliberately not the Environment tag: the tag is one of the things being checked.
 */
export function crossGuardContext(urn: string, env: NodeJS.ProcessEnv = process.env): PolicyContext {
  return { environmentSuffix: env["ENVIRONMENT_SUFFIX"] ?? stackOfUrn(urn), project: projectOfUrn(urn) };
}

function fromStackResource(r: SdkResource): PolicyResource {
  const handles = ["id", "arn", "name", "bucket"]
    .map((k) => read(r.props, k))
    .filter((h): h is string => typeof h === "string" && h !== "");
  const propertyDependencies = Object.fromEntries(
    Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)]),
  );
  return {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: r.props,
    protect: r.opts?.protect === true,
    handles,
    propertyDependencies,
  };
}

function fromResourceArgs(args: ResourceValidationArgs): PolicyResource {
  return {
    type: args.type,
    urn: args.urn,
    name: args.name,
    props: args.props,
    protect: args.opts?.protect === true,
    handles: [],
  };
}

/**
 * Adapts the platform's rules to CrossGuard: resource rules become `validateResource`, stack rules
 * `validateStack`, with the rule's enforcement level. A property that is still unknown at preview
 * makes the SDK skip that check for that resource (its unknown-checking proxy), as with any pack.
 */
export function toCrossGuardPolicies(rules: readonly Rule[], env: NodeJS.ProcessEnv = process.env): Policies {
  return rules.map((rule) => {
    const common = { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel };
    if (rule.kind === "resource") {
      return {
        ...common,
        validateResource: (args: ResourceValidationArgs, report: (message: string) => void) => {
          for (const message of rule.validate(fromResourceArgs(args), crossGuardContext(args.urn, env)))
            report(message);
        },
      };
    }
    return {
      ...common,
      validateStack: (args: StackValidationArgs, report: (message: string, urn?: string) => void) => {
        const resources = args.resources.map(fromStackResource);
        if (resources.length === 0) return;
        for (const finding of rule.validate(resources, crossGuardContext(resources[0].urn, env)))
          report(finding.message, finding.resource?.urn);
      },
    };
  });
}
