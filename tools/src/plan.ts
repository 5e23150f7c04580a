/**
 * Offline plan of one layer: runs the layer's real Pulumi program under Pulumi's mock runtime
 * (no Pulumi CLI, no AWS account), prints the resources it would create and writes them, with the
 * layer's outputs, to dist/plan/<layer>.json in the shape of `pulumi preview --json` steps.
 * Upstream StackReferences are answered from the upstream layers' plan files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { renderProgram } from "@mlapi/testing";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { isLayer, layerDir, pulumiProjectName, readStackConfig, UPSTREAM, WORKSPACE_ROOT } from "./layers";
import type { LayerName } from "@mlapi/core";

const USAGE = `Usage: tsx tools/src/plan.ts <layer> [--stack <name>] [--out <dir>]

Renders the layer's Pulumi program offline with Pulumi's mock runtime and writes <out>/<layer>.json.
  <layer>         network | data | service | edge
  --stack <name>  stack whose Pulumi.<name>.yaml config is used (default: example)
  --out <dir>     where plan files are read and written (default: dist/plan)
Upstream layers must have been planned first (nx run-many -t plan does that in order).`;

const ORGANIZATION = "organization";

export interface PlanDocument {
  layer: LayerName;
  project: string;
  stack: string;
  steps: PlanStep[];
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

/** One resource, in the step shape of `pulumi preview --json`. */
export interface PlanStep {
  op: "create";
  urn: string;
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

function urns(result: RenderResult, project: string, stack: string): Map<string, string> {
  const byRef = new Map(result.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const cache = new Map<string, string>();
  const typeChain = (r: PlannedResource): string => {
    const parent = r.parent ? byRef.get(r.parent) : undefined;
    return parent ? `${typeChain(parent)}$${r.type}` : r.type;
  };
  for (const r of result.resources) {
    const chain = r.type === "pulumi:pulumi:Stack" ? r.type : `pulumi:pulumi:Stack$${typeChain(r)}`;
    cache.set(`${r.type}::${r.name}`, `urn:pulumi:${stack}::${project}::${chain}::${r.name}`);
  }
  return cache;
}

export function toPlanDocument(layer: LayerName, project: string, stack: string, result: RenderResult): PlanDocument {
  const urnOf = urns(result, project, stack);
  const steps = result.resources.map((r): PlanStep => {
    const urn = urnOf.get(`${r.type}::${r.name}`) ?? "";
    return {
      op: "create",
      urn,
      newState: {
        type: r.type,
        urn,
        custom: r.custom,
        id: r.id,
        parent: r.parent ? urnOf.get(r.parent) : undefined,
        provider: r.provider,
        dependencies: r.dependsOn.map((d) => urnOf.get(d) ?? d),
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        inputs: r.inputs,
        outputs: r.state,
      },
    };
  });
  return { layer, project, stack, steps, outputs: result.outputs, secretOutputNames: result.secretOutputNames };
}

/** Outputs of the upstream layers' plans, keyed as the StackReferences name them. */
export function upstreamOutputs(layer: LayerName, stack: string, outDir: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    UPSTREAM[layer].map((upstream) => {
      const file = path.join(outDir, `${upstream}.json`);
      if (!fs.existsSync(file)) {
        throw new Error(`${layer} reads the ${upstream} layer, but ${path.relative(WORKSPACE_ROOT, file)} does not exist: plan ${upstream} first (nx run ${upstream}:plan).`);
      }
      const doc = JSON.parse(fs.readFileSync(file, "utf8")) as PlanDocument;
      if (doc.stack !== stack) {
        throw new Error(`${path.relative(WORKSPACE_ROOT, file)} is a plan of stack "${doc.stack}", not "${stack}": plan ${upstream} with --stack ${stack} first.`);
      }
      return [`${ORGANIZATION}/${doc.project}/${stack}`, doc.outputs];
    }),
  );
}

export async function planLayer(layer: LayerName, stack: string, outDir: string): Promise<PlanDocument> {
  const project = pulumiProjectName(layer);
  const config = readStackConfig(layer, stack);
  const stackOutputs = upstreamOutputs(layer, stack, outDir);
  const program = path.join(layerDir(layer), "index.ts");
  const result = await renderProgram({ project, stack, config, stackOutputs, organization: ORGANIZATION, load: () => import(program) });
  return toPlanDocument(layer, project, stack, result);
}

/** A short, aligned table: one line per resource type with its count and names. */
export function summarize(doc: PlanDocument): string {
  const custom = doc.steps.filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"));
  const byType = new Map<string, string[]>();
  for (const s of custom) byType.set(s.newState.type, [...(byType.get(s.newState.type) ?? []), s.urn.split("::").pop() ?? ""]);
  const width = Math.max(...[...byType.keys()].map((t) => t.length), 4);
  const lines = [...byType.entries()].map(([type, names]) => `  ${type.padEnd(width)}  ${String(names.length).padStart(3)}  ${names.join(", ")}`);
  const outputs = Object.entries(doc.outputs).map(([k, v]) => `  ${k} = ${doc.secretOutputNames.includes(k) ? "[secret]" : JSON.stringify(v)}`);
  return [`${doc.layer} (${doc.project}, stack ${doc.stack}): ${custom.length} resources`, ...lines, "outputs:", ...outputs].join("\n");
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { stack: { type: "string", default: "example" }, out: { type: "string", default: path.join(WORKSPACE_ROOT, "dist", "plan") }, help: { type: "boolean", short: "h" } },
  });
  const [layer] = positionals;
  if (values.help || !layer || !isLayer(layer)) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const outDir = path.resolve(values.out);
  console.log(`plan ${layer}: rendering with stack ${values.stack} under Pulumi's mock runtime...`);
  const doc = await planLayer(layer, values.stack, outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${layer}.json`);
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(summarize(doc));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
