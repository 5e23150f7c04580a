// URNs of a rendered program's resources, built as the Pulumi engine builds them:
// `urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`.
import type { PlannedResource, RenderResult } from "@mlapi/testing";

/** A recorded resource's key in a render: `<type>::<name>`, which `parent` and `dependsOn` refer to. */
export const resourceKey = (r: Pick<PlannedResource, "type" | "name">): string => `${r.type}::${r.name}`;

/** Every resource's URN, by its resourceKey. The stack resource is the root of every type chain. */
export function urnsOf(result: RenderResult, project: string, stack: string): Map<string, string> {
  const byKey = new Map(result.resources.map((r) => [resourceKey(r), r]));
  const typeChain = (r: PlannedResource): string => {
    const parent = r.parent ? byKey.get(r.parent) : undefined;
    return parent ? `${typeChain(parent)}$${r.type}` : r.type;
  };
  const urns = new Map<string, string>();
  for (const r of result.resources) {
    const chain = r.type === "pulumi:pulumi:Stack" ? r.type : `pulumi:pulumi:Stack$${typeChain(r)}`;
    urns.set(resourceKey(r), `urn:pulumi:${stack}::${project}::${chain}::${r.name}`);
  }
  return urns;
}
