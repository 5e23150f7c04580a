/**
 * Offline plan, the command line: runs layers' real Pulumi programs under Pulumi's mock runtime (no
 * Pulumi CLI, no AWS account), gates each on the platform policies, writes each layer's plan document
 * (plan-document.ts) to <out>/<layer>.json and prints a summary. Upstream StackReferences are answered
 * from the upstream layers' plans, so planning all layers is an end-to-end render: network's outputs
 * feed data's, and so on.
 */
// First: keeps modules out that @pulumi/pulumi would load for nothing here.
import "./unloaded-modules";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { enforcePolicies } from "@mlapi/policies";
import type { Violation } from "@mlapi/policies";
import { programLoader, renderProgram } from "@mlapi/testing";
import { printPlanDiff } from "./plan-at-ref";
import type { LayerName } from "@mlapi/core";
import type { PlanDocument } from "./plan-document";
import { awsSteps, planFile, readPlan, toPlanDocument, writePlan } from "./plan-document";
import {
  DEPLOY_ORDER,
  isLayer,
  layerDir,
  pulumiProjectName,
  readStackFile,
  REQUIRED_STACK_OUTPUTS,
  UPSTREAM,
  WORKSPACE_ROOT,
} from "./layers";

const USAGE = `Usage: npm run plan -- [<layer>...] [--stack <name>] [--out <dir>]
   or: node --require tsx/cjs tools/src/plan.ts [<layer>...] [--stack <name>] [--out <dir>]

Renders layers' Pulumi programs offline with Pulumi's mock runtime and writes <out>/<layer>.json.
  <layer...>      one or more of network | data | service | edge, planned in deploy order (default: all four;
                  --all says the same). A named layer's upstream layers are planned first when <out> has no
                  plan of theirs for the stack.
  --stack <name>  stack whose projects/<layer>/Pulumi.<name>.yaml config is used (default: example)
  --out <dir>     where plan files are read and written (default: dist/plan)
  --diff <ref>    then plan git <ref> too and print what changes per layer (Markdown: <out>/plan-diff.md)`;

const ORGANIZATION = "organization";

/** Outputs of the upstream layers' plans, keyed as the StackReferences name them. */
export function upstreamOutputs(
  layer: LayerName,
  stack: string,
  outDir: string,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    UPSTREAM[layer].map((upstream) => {
      const file = path.relative(WORKSPACE_ROOT, planFile(outDir, upstream));
      const doc = readPlan(outDir, upstream);
      if (!doc)
        throw new Error(
          `${layer} reads the ${upstream} layer, but ${file} does not exist: plan ${upstream} first (npm run plan -- ${upstream}).`,
        );
      if (doc.stack !== stack) {
        throw new Error(
          `${file} is a plan of stack "${doc.stack}", not "${stack}": plan ${upstream} with --stack ${stack} first.`,
        );
      }
      return [`${ORGANIZATION}/${doc.project}/${stack}`, doc.outputs];
    }),
  );
}

export async function planLayer(layer: LayerName, stack: string, outDir: string): Promise<PlanDocument> {
  const project = pulumiProjectName(layer);
  const { config, environments, file } = readStackFile(layer, stack);
  if (environments.length > 0) {
    console.warn(
      `${layer}: ${file} imports the Pulumi ESC environment${environments.length > 1 ? "s" : ""} ${environments.join(", ")}; ` +
        "the offline plan does not resolve them, so any config they provide is missing here (pulumi preview resolves them).",
    );
  }
  const stackOutputs = upstreamOutputs(layer, stack, outDir);
  const program = path.join(layerDir(layer), "index.ts");
  const result = await renderProgram({
    project,
    stack,
    config,
    stackOutputs,
    organization: ORGANIZATION,
    load: programLoader(program),
  });
  return toPlanDocument(layer, project, stack, result);
}

function countByType(doc: PlanDocument): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const s of awsSteps(doc)) byType.set(s.newState.type, [...(byType.get(s.newState.type) ?? []), s.name]);
  return new Map([...byType.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const showOutput = (doc: PlanDocument, key: string): string =>
  doc.secretOutputNames.includes(key) ? "[secret]" : JSON.stringify(doc.outputs[key]);

/** One layer in detail: one line per resource type with its count and logical names, then every output. */
export function summarize(doc: PlanDocument): string {
  const byType = countByType(doc);
  const width = Math.max(...[...byType.keys()].map((t) => t.length), 4);
  const lines = [...byType.entries()].map(
    ([type, names]) => `  ${type.padEnd(width)}  ${String(names.length).padStart(3)}  ${names.join(", ")}`,
  );
  const outputs = Object.keys(doc.outputs).map((k) => `  ${k} = ${showOutput(doc, k)}`);
  return [
    `${doc.layer} (${doc.project}, stack ${doc.stack}): ${awsSteps(doc).length} resources`,
    ...lines,
    "outputs:",
    ...outputs,
  ].join("\n");
}

/** Several layers, compactly: resources per layer and type, then every layer's required outputs (R20). */
export function summarizeAll(docs: PlanDocument[]): string {
  const lines: string[] = [];
  const width = Math.max(...docs.flatMap((d) => [...countByType(d).keys()].map((t) => t.length)), 4);
  for (const doc of docs) {
    lines.push(`${doc.layer} (${doc.project}): ${awsSteps(doc).length} resources`);
    for (const [type, names] of countByType(doc))
      lines.push(`  ${type.padEnd(width)} ${String(names.length).padStart(3)}`);
  }
  const required = docs.flatMap((doc) => REQUIRED_STACK_OUTPUTS[doc.layer].map((key) => ({ doc, key })));
  const keyWidth = Math.max(...required.map((o) => o.key.length));
  lines.push("required outputs (R20):");
  for (const { doc, key } of required) {
    lines.push(`  ${key.padEnd(keyWidth)} = ${key in doc.outputs ? showOutput(doc, key) : "(missing)"}`);
  }
  const total = docs.reduce((n, d) => n + awsSteps(d).length, 0);
  lines.push(
    `total: ${total} resources in ${docs.length} layer${docs.length === 1 ? "" : "s"} (stack ${docs[0]?.stack})`,
  );
  return lines.join("\n");
}

/** `policies ok`, or how many advisory findings follow the progress line. */
const policyLine = (violations: Violation[]): string =>
  violations.length === 0
    ? "policies ok"
    : `${violations.length} advisory policy finding${violations.length === 1 ? "" : "s"}`;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface PlanArgs {
  layers: LayerName[];
  stack: string;
  outDir: string;
  /** Git ref to diff the plan against (plan-at-ref.ts). */
  diff?: string;
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
      diff: { type: "string" },
    },
  });
  if (values.help) return { exitCode: 0, message: USAGE };
  const unknown = positionals.filter((p) => !isLayer(p));
  if (unknown.length > 0)
    return { exitCode: 2, message: `Unknown layer${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n\n${USAGE}` };
  if (values.all && positionals.length > 0)
    return { exitCode: 2, message: `Pass --all or layer names, not both.\n\n${USAGE}` };
  const outDir = path.resolve(values.out);
  const named: readonly LayerName[] = positionals.length === 0 ? DEPLOY_ORDER : positionals.filter(isLayer);
  // A named layer's upstream layers, when there is no plan of theirs to read.
  const missing = new Set<LayerName>();
  const addMissingUpstream = (layer: LayerName): void => {
    for (const upstream of UPSTREAM[layer]) {
      if (named.includes(upstream) || missing.has(upstream) || readPlan(outDir, upstream)?.stack === values.stack)
        continue;
      missing.add(upstream);
      addMissingUpstream(upstream);
    }
  };
  named.forEach(addMissingUpstream);
  return {
    layers: DEPLOY_ORDER.filter((l) => named.includes(l) || missing.has(l)),
    stack: values.stack,
    outDir,
    diff: values.diff,
  };
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
      const violations = enforcePolicies(doc, readStackFile(layer, stack).config, () => undefined);
      const file = writePlan(doc, outDir);
      docs.push(doc);
      const seconds = ((Date.now() - layerStarted) / 1000).toFixed(1);
      const progress = layers.length > 1 ? `[${i + 1}/${layers.length}] ` : "";
      console.log(
        `${progress}${layer}: ${awsSteps(doc).length} resources, ${Object.keys(doc.outputs).length} outputs, ${policyLine(violations)} (${seconds} s) -> ${path.relative(process.cwd(), file)}`,
      );
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
  return args.diff === undefined ? 0 : printPlanDiff(args.diff, layers, stack, outDir);
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
  process.on("beforeExit", () =>
    fail(new Error("the program stopped before its outputs resolved (a promise that never settles)")),
  );
  main().then((code) => process.exit(code), fail);
}
