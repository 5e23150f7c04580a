/**
 * `npm run cost` / `nx run <layer>:cost`: the monthly cost and capacity of the offline plan
 * (dist/plan/*.json), priced from tools/src/cost/prices.<region>.json. The I/O lives here; the pricing
 * rules are pure (rules.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { LayerName } from "@mlapi/core";
import type { PlanDocument } from "../plan-document";
import { DEPLOY_ORDER, isLayer, readStackConfig, WORKSPACE_ROOT } from "../layers";
import { CAPACITY_FILE, readCapacity } from "./capacity";
import { toMarkdown, toTable } from "./format";
import { round } from "./lines";
import { loadPrices } from "./prices";
import { costReport } from "./report";
import type { CostReport } from "./report";
import { DEFAULT_PROFILE } from "./usage";
import type { LoadProfile } from "./usage";

const USAGE = `Usage: npm run cost -- [<layer...>] [--rpm <n> --image-kb <n> | --profile <file>] [--markdown] [--stack <name>]

Prices the offline plan (dist/plan/<layer>.json): the fixed monthly cost of every resource, and with a load
profile the usage on top, the tasks, ACUs and requests it takes and the limits that bind first.
  <layer...>        network | data | service | edge (default: all four)
  --rpm <n>         classify requests per minute, steady all month
  --image-kb <n>    uploaded image size in KiB (default 40 with --rpm)
  --profile <file>  a JSON load profile: rpm, imageKb and any assumption to change (README.md, 'What it costs')
  --markdown        print Markdown (for a pull request comment) instead of the table
  --stack <name>    the stack the plan was rendered for (default: example)
  --plan-dir <dir>  where the plan files are (default: dist/plan)
  --no-render       fail on a missing plan instead of rendering it (npm run plan)
  --json <file>     where the JSON report goes (default: dist/cost.json, dist/cost-<layer>.json for one layer)`;

export interface CostArgs {
  layers: LayerName[];
  stack: string;
  planDir: string;
  render: boolean;
  markdown: boolean;
  jsonFile: string;
  profile?: LoadProfile;
}

type Usage = { exitCode: number; message: string };

const VALUE_FLAGS = ["--rpm", "--image-kb"];

function positive(flag: string, value: unknown, what: string): number | Usage {
  const n = typeof value === "number" ? value : Number(value);
  if (value === undefined || value === "" || !Number.isFinite(n) || n <= 0) {
    return { exitCode: 2, message: `${flag} must be a number > 0 (${what}), got ${String(value)}` };
  }
  return n;
}

/** The command line, or the usage problem (exit 0 for --help, 2 otherwise). */
export function parseCostArgs(argv: string[]): CostArgs | Usage {
  // `--rpm -1` is a bad value, not a missing one: hand it to the range check below.
  const args = argv
    .map((a, i) => (/^-\d/.test(a) && VALUE_FLAGS.includes(argv[i - 1]) ? `=${a}` : a))
    .reduce<string[]>((out, a) => {
      if (a.startsWith("=")) out[out.length - 1] += a;
      else out.push(a);
      return out;
    }, []);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      allowNegative: true,
      options: {
        rpm: { type: "string" },
        "image-kb": { type: "string" },
        profile: { type: "string" },
        markdown: { type: "boolean", default: false },
        stack: { type: "string", default: "example" },
        "plan-dir": { type: "string", default: path.join(WORKSPACE_ROOT, "dist", "plan") },
        render: { type: "boolean", default: true },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return { exitCode: 2, message: `${(err as Error).message}\n\n${USAGE}` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { exitCode: 0, message: USAGE };
  const unknown = positionals.filter((p) => !isLayer(p));
  if (unknown.length > 0) return { exitCode: 2, message: `Unknown layer: ${unknown.join(", ")}\n\n${USAGE}` };
  const layers = DEPLOY_ORDER.filter((l) => positionals.length === 0 || positionals.includes(l));

  let profile: LoadProfile | undefined;
  if (values.profile !== undefined || values.rpm !== undefined || values["image-kb"] !== undefined) {
    let fromFile: Partial<LoadProfile> = {};
    if (values.profile !== undefined) {
      if (!fs.existsSync(values.profile)) return { exitCode: 2, message: `--profile ${values.profile}: no such file` };
      fromFile = JSON.parse(fs.readFileSync(values.profile, "utf8")) as Partial<LoadProfile>;
    }
    const rpm = positive("--rpm", values.rpm ?? fromFile.rpm, "requests per minute");
    if (typeof rpm !== "number") return rpm;
    const imageKb = positive("--image-kb", values["image-kb"] ?? fromFile.imageKb ?? 40, "KiB per image");
    if (typeof imageKb !== "number") return imageKb;
    const logBytesPerRequest = { ...DEFAULT_PROFILE.logBytesPerRequest, ...fromFile.logBytesPerRequest };
    profile = { ...DEFAULT_PROFILE, ...fromFile, logBytesPerRequest, rpm, imageKb };
    for (const key of ["v2Share", "targetUtilization"] as const) {
      if (!(profile[key] > 0 && profile[key] <= 1))
        return { exitCode: 2, message: `${key} must be in (0, 1], got ${profile[key]}` };
    }
  }
  const one = positionals.length === 1 ? `-${layers[0]}` : "";
  return {
    layers,
    stack: values.stack,
    planDir: path.resolve(values["plan-dir"]),
    render: values.render,
    markdown: values.markdown,
    jsonFile: path.resolve(values.json ?? path.join(WORKSPACE_ROOT, "dist", `cost${one}.json`)),
    profile,
  };
}

const planFile = (dir: string, layer: LayerName): string => path.join(dir, `${layer}.json`);

/** A path as a user types it: relative inside the workspace, absolute outside. */
const shown = (file: string): string =>
  path.relative(WORKSPACE_ROOT, file).startsWith("..") ? file : path.relative(WORKSPACE_ROOT, file);

/** Renders the plan when a file the report needs is missing (unless --no-render), with a progress line. */
function ensurePlans(args: CostArgs, log: (line: string) => void): void {
  const missing = args.layers.filter((l) => !fs.existsSync(planFile(args.planDir, l)));
  if (missing.length === 0) return;
  const names = missing.map((l) => shown(planFile(args.planDir, l))).join(", ");
  if (!args.render) throw new Error(`No plan ${names}: render it first (npm run plan, or nx run <layer>:plan).`);
  log(`rendering the plan of stack ${args.stack} (${names} missing) ...`);
  const planTool = path.join(WORKSPACE_ROOT, "tools", "src", "plan.ts");
  const r = spawnSync(
    process.execPath,
    ["--require", "tsx/cjs", planTool, "--all", "--stack", args.stack, "--out", args.planDir],
    {
      cwd: WORKSPACE_ROOT,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`rendering the plan failed:\n${r.stderr || r.stdout}`);
  log(`plan rendered -> ${shown(args.planDir)}`);
}

/** Every plan file of the stack present (a rule may read another layer), the requested ones required. */
function readPlans(args: CostArgs): PlanDocument[] {
  const docs: PlanDocument[] = [];
  for (const layer of DEPLOY_ORDER) {
    const file = planFile(args.planDir, layer);
    if (!fs.existsSync(file)) continue;
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as PlanDocument;
    if (doc.stack !== args.stack) {
      if (!args.layers.includes(layer)) continue; // another stack's plan of a layer nobody asked for
      throw new Error(
        `${shown(file)} is a plan of stack "${doc.stack}", not "${args.stack}": render it with npm run plan -- --stack ${args.stack}.`,
      );
    }
    docs.push(doc);
  }
  return docs;
}

/** The region every layer's stack config names (aws:region); the price file must exist for it. */
function regionOf(args: CostArgs): string {
  const regions = new Set(args.layers.map((l) => String(readStackConfig(l, args.stack)["aws:region"] ?? "")));
  if (regions.size !== 1 || regions.has("")) {
    const named = [...regions].join(", ") || "(none)";
    throw new Error(
      `The layers' stack files name regions ${named}: set one aws:region in every Pulumi.${args.stack}.yaml.`,
    );
  }
  return [...regions][0];
}

/** The report the command line asks for; `log` gets the progress lines. */
export function runCost(args: CostArgs, log: (line: string) => void = () => undefined): CostReport {
  ensurePlans(args, log);
  const prices = loadPrices(regionOf(args));
  const docs = readPlans(args);
  const load = args.profile
    ? {
        profile: args.profile,
        capacity: readCapacity(path.join(WORKSPACE_ROOT, CAPACITY_FILE)),
        capacityFile: CAPACITY_FILE,
      }
    : undefined;
  const report = costReport({ docs, prices }, load);
  if (args.layers.length === DEPLOY_ORDER.length) return report;
  // One layer: price the stack as a whole (a rule may read another layer), report that layer's part.
  const lines = report.lines.filter((l) => args.layers.includes(l.layer));
  const layers = report.totals.layers.filter((t) => args.layers.includes(t.layer));
  const fixed = layers.reduce((n, t) => n + t.fixed, 0);
  const usage = layers.reduce((n, t) => n + t.usage, 0);
  return {
    ...report,
    lines,
    free: report.free.filter((f) => args.layers.includes(f.layer)),
    limits: report.limits.filter((l) => lines.some((line) => line.resource === l.resource)),
    totals: {
      layers,
      fixed: round(fixed, 2),
      usage: round(usage, 2),
      total: round(fixed + usage, 2),
      notPriced: lines.filter((l) => l.monthly === null).length,
    },
  };
}

export function main(argv = process.argv.slice(2)): number {
  const args = parseCostArgs(argv);
  if ("exitCode" in args) {
    (args.exitCode === 0 ? console.log : console.error)(args.message);
    return args.exitCode;
  }
  try {
    const report = runCost(args, (line) => console.error(line));
    fs.mkdirSync(path.dirname(args.jsonFile), { recursive: true });
    fs.writeFileSync(args.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(args.markdown ? toMarkdown(report) : toTable(report));
    if (!args.markdown) console.log(`-> ${shown(args.jsonFile)}`);
    return 0;
  } catch (err) {
    console.error(`cost failed: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) process.exit(main());
