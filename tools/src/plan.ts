/**
 * Offline plan: runs layers' real Pulumi programs under Pulumi's mock runtime (no Pulumi CLI, no AWS
 * account), writes each layer's resources and outputs to <out>/<layer>.json in the step shape of
 * `pulumi preview --json`, and prints a summary. Upstream StackReferences are answered from the
 * upstream layers' plans, so `--all` is an end-to-end render: network's outputs feed data's, and so on.
 */
// First: keeps modules out that @pulumi/pulumi would load for nothing here.
import "./unloaded-modules";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { enforcePolicies } from "@mlapi/policies";
import type { Violation } from "@mlapi/policies";
import { isSecretEnvelope, programLoader, renderProgram } from "@mlapi/testing";
import type { PlannedResource, RenderResult } from "@mlapi/testing";
import { DEPLOY_ORDER, isLayer, layerDir, pulumiProjectName, R20_OUTPUTS, readStackConfig, UPSTREAM, WORKSPACE_ROOT } from "./layers";
import type { LayerName } from "@mlapi/core";

const USAGE = `Usage: tsx tools/src/plan.ts <layer...> | --all [--stack <name>] [--out <dir>]

Renders layers' Pulumi programs offline with Pulumi's mock runtime and writes <out>/<layer>.json.
  <layer...>      one or more of network | data | service | edge (planned in deploy order)
  --all           all four layers in deploy order, each one's outputs feeding the next
  --stack <name>  stack whose projects/<layer>/Pulumi.<name>.yaml config is used (default: example)
  --out <dir>     where plan files are read and written (default: dist/plan)
A layer's upstream layers must be planned first, in the same run or before (nx run <layer>:plan does that).`;

const ORGANIZATION = "organization";

export interface PlanDocument {
  layer: LayerName;
  project: string;
  stack: string;
  steps: PlanStep[];
  outputs: Record<string, unknown>;
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
  const result = await renderProgram({ project, stack, config, stackOutputs, organization: ORGANIZATION, load: programLoader(program) });
  return toPlanDocument(layer, project, stack, result);
}

/** The resources a layer really creates in AWS: custom resources that are not Pulumi's own (stack, providers, references). */
export function awsSteps(doc: PlanDocument): PlanStep[] {
  return doc.steps.filter((s) => s.newState.custom && !s.newState.type.startsWith("pulumi:"));
}

function countByType(doc: PlanDocument): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const s of awsSteps(doc)) byType.set(s.newState.type, [...(byType.get(s.newState.type) ?? []), s.name]);
  return new Map([...byType.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const showOutput = (doc: PlanDocument, key: string): string => (doc.secretOutputNames.includes(key) ? "[secret]" : JSON.stringify(doc.outputs[key]));

/** One layer in detail: one line per resource type with its count and logical names, then every output. */
export function summarize(doc: PlanDocument): string {
  const byType = countByType(doc);
  const width = Math.max(...[...byType.keys()].map((t) => t.length), 4);
  const lines = [...byType.entries()].map(([type, names]) => `  ${type.padEnd(width)}  ${String(names.length).padStart(3)}  ${names.join(", ")}`);
  const outputs = Object.keys(doc.outputs).map((k) => `  ${k} = ${showOutput(doc, k)}`);
  return [`${doc.layer} (${doc.project}, stack ${doc.stack}): ${awsSteps(doc).length} resources`, ...lines, "outputs:", ...outputs].join("\n");
}

/** Several layers, compactly: resources per layer and type, then the outputs SPEC R20 names. */
export function summarizeAll(docs: PlanDocument[]): string {
  const lines: string[] = [];
  const width = Math.max(...docs.flatMap((d) => [...countByType(d).keys()].map((t) => t.length)), 4);
  for (const doc of docs) {
    lines.push(`${doc.layer} (${doc.project}): ${awsSteps(doc).length} resources`);
    for (const [type, names] of countByType(doc)) lines.push(`  ${type.padEnd(width)} ${String(names.length).padStart(3)}`);
  }
  const r20 = docs.flatMap((doc) => R20_OUTPUTS[doc.layer].map((key) => ({ doc, key })));
  const keyWidth = Math.max(...r20.map((o) => o.key.length));
  lines.push("outputs (SPEC R20):");
  for (const { doc, key } of r20) {
    lines.push(`  ${key.padEnd(keyWidth)} = ${key in doc.outputs ? showOutput(doc, key) : "(missing)"}`);
  }
  const total = docs.reduce((n, d) => n + awsSteps(d).length, 0);
  lines.push(`total: ${total} resources in ${docs.length} layer${docs.length === 1 ? "" : "s"} (stack ${docs[0]?.stack})`);
  return lines.join("\n");
}

export function writePlan(doc: PlanDocument, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${doc.layer}.json`);
  // Secret inputs and resource outputs read "[secret]", as in `pulumi preview --json`. (The layer's
  // own outputs are plain values with their names in secretOutputNames: the next layer's plan reads them.)
  const hideSecrets = (_key: string, value: unknown): unknown => (isSecretEnvelope(value) ? "[secret]" : value);
  fs.writeFileSync(file, `${JSON.stringify(doc, hideSecrets, 2)}\n`);
  return file;
}

/** `policies ok`, or how many advisory findings follow the progress line. */
const policyLine = (violations: Violation[]): string =>
  violations.length === 0 ? "policies ok" : `${violations.length} advisory policy finding${violations.length === 1 ? "" : "s"}`;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface PlanArgs {
  layers: LayerName[];
  stack: string;
  outDir: string;
}

/** The command line, or the usage problem (exit 0 for --help, 2 otherwise). */
export function parsePlanArgs(argv: string[]): PlanArgs | { exitCode: number; message: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean", default: false },
      stack: { type: "string", default: "example" },
      out: { type: "string", default: path.join(WORKSPACE_ROOT, "dist", "plan") },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return { exitCode: 0, message: USAGE };
  const unknown = positionals.filter((p) => !isLayer(p));
  if (unknown.length > 0) return { exitCode: 2, message: `Unknown layer${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n\n${USAGE}` };
  if (values.all && positionals.length > 0) return { exitCode: 2, message: `Pass --all or layer names, not both.\n\n${USAGE}` };
  if (!values.all && positionals.length === 0) return { exitCode: 2, message: `Name the layers to plan, or --all.\n\n${USAGE}` };
  return { layers: DEPLOY_ORDER.filter((l) => values.all || positionals.includes(l)), stack: values.stack, outDir: path.resolve(values.out) };
}

/** Plans the layers the command line names; returns the exit code. A failure is reported once, naming its layer. */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const args = parsePlanArgs(argv);
  if ("exitCode" in args) {
    (args.exitCode === 0 ? console.log : console.error)(args.message);
    return args.exitCode;
  }
  const { layers, stack, outDir } = args;
  const started = Date.now();
  const docs: PlanDocument[] = [];
  reported = false;

  try {
    for (const [i, layer] of layers.entries()) {
      const layerStarted = Date.now();
      current = layer;
      const doc = await planLayer(layer, stack, outDir);
      // The platform policies (libs/policies) gate the plan: a mandatory violation stops it here.
      const violations = enforcePolicies(doc, readStackConfig(layer, stack), () => undefined);
      const file = writePlan(doc, outDir);
      docs.push(doc);
      const seconds = ((Date.now() - layerStarted) / 1000).toFixed(1);
      const progress = layers.length > 1 ? `[${i + 1}/${layers.length}] ` : "";
      console.log(`${progress}${layer}: ${awsSteps(doc).length} resources, ${Object.keys(doc.outputs).length} outputs, ${policyLine(violations)} (${seconds} s) -> ${path.relative(process.cwd(), file)}`);
      for (const v of violations) console.log(`    advisory ${v.policy}: ${v.resource}: ${v.message}`);
    }
  } catch (err) {
    report(err);
    return 1;
  } finally {
    current = undefined;
  }

  console.log(docs.length === 1 ? summarize(docs[0]) : summarizeAll(docs));
  console.log(`plan of stack ${stack} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** The layer being rendered, named in errors. */
let current: LayerName | undefined;
let reported = false;

/** Prints the first failure of a run, naming the layer; the same error also arrives as unhandled rejections. */
function report(err: unknown): void {
  if (reported) return;
  reported = true;
  console.error(`plan failed${current ? ` at ${current}` : ""}: ${errorText(err)}`);
}

/** For what fails outside main's awaits (see below): report it and exit 1. */
function fail(err: unknown): void {
  report(err);
  process.exit(1);
}

if (require.main === module) {
  // An error thrown inside an apply (e.g. a missing upstream output) rejects a promise nobody awaits:
  // it arrives here, not in main's catch, and leaves the render waiting forever.
  process.on("unhandledRejection", fail);
  // Should a render stall without any error, node would exit quietly with Pulumi's leak warning.
  process.on("beforeExit", () => fail(new Error("the program stopped before its outputs resolved (a promise that never settles)")));
  main().then((code) => process.exit(code), fail);
}
