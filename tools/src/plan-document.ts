// The offline plan's document: one file per layer (<out>/<layer>.json), each resource a step in the
// shape of `pulumi preview --json` plus its logical and physical names. Read by the next layer's plan
// (its outputs answer StackReferences), by the policy gate and by anyone diffing two plans.
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerName } from "@mlapi/core/layers";
import { isSecretEnvelope } from "@mlapi/testing";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { urnsOf, resourceKey } from "./plan-urn";

export interface PlanDocument {
  layer: LayerName;
  project: string;
  stack: string;
  steps: PlanStep[];
  /** The layer's stack outputs, in plain text (the next layer's plan reads them). */
  outputs: Record<string, unknown>;
  /** Which of `outputs` are secret: `pulumi stack output` would show them as [secret]. */
  secretOutputNames: string[];
}

/** One resource, in the step shape of `pulumi preview --json`, plus its logical and physical names. */
export interface PlanStep {
  op: "create";
  urn: string;
  /** Logical name (the last part of the URN). */
  name: string;
  /** The name the resource gets in AWS (name, bucket, identifier...), else its id. */
  physicalName: string;
  provider?: string;
  newState: {
    type: string;
    urn: string;
    custom: boolean;
    id: string;
    parent?: string;
    provider?: string;
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };
}

/** State keys that hold a resource's physical name, most specific first. */
const PHYSICAL_NAME_KEYS = ["name", "bucket", "clusterIdentifier", "identifier", "family", "domainName"];

function physicalName(r: PlannedResource): string {
  for (const key of PHYSICAL_NAME_KEYS) {
    const value = r.state[key] ?? r.inputs[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return r.id;
}

export function toPlanDocument(layer: LayerName, project: string, stack: string, result: RenderResult): PlanDocument {
  const urnOf = urnsOf(result, project, stack);
  const steps = result.resources.map((r): PlanStep => {
    const urn = urnOf.get(resourceKey(r)) ?? "";
    return {
      op: "create",
      urn,
      name: r.name,
      physicalName: physicalName(r),
      provider: r.provider || undefined,
      newState: {
        type: r.type,
        urn,
        custom: r.custom,
        id: r.id,
        parent: r.parent ? urnOf.get(r.parent) : undefined,
        provider: r.provider || undefined,
        dependencies: r.dependencies.map((d) => urnOf.get(d) ?? d),
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        inputs: r.inputs,
        outputs: r.state,
      },
    };
  });
  return { layer, project, stack, steps, outputs: result.outputs, secretOutputNames: result.secretOutputNames };
}

/** The resources a layer really creates in AWS: custom resources that are not Pulumi's own (stack, providers, references). */
export function awsSteps(doc: PlanDocument): PlanStep[] {
  return doc.steps.filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"));
}

export const planFile = (outDir: string, layer: LayerName): string => path.join(outDir, `${layer}.json`);

export function writePlan(doc: PlanDocument, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = planFile(outDir, doc.layer);
  // Secret inputs and resource outputs read "[secret]", as in `pulumi preview --json`. (The layer's
  // own outputs are plain values with their names in secretOutputNames: the next layer's plan reads them.)
  const hideSecrets = (_key: string, value: unknown): unknown => (isSecretEnvelope(value) ? "[secret]" : value);
  fs.writeFileSync(file, `${JSON.stringify(doc, hideSecrets, 2)}\n`);
  return file;
}

/** A layer's plan from `outDir`, or undefined when there is none. */
export function readPlan(outDir: string, layer: LayerName): PlanDocument | undefined {
  const file = planFile(outDir, layer);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PlanDocument) : undefined;
}
