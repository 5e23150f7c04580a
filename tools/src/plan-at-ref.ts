/**
 * `plan --diff <git-ref>`: renders the offline plan of a base commit in a temporary git worktree
 * (sharing this checkout's installed packages, its own workspace libs), reads the working tree's
 * plan from the plan's output folder, and prints the per-layer diff (plan-diff.ts) for the terminal;
 * the Markdown for a pull-request comment goes to <out>/plan-diff.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LayerName } from "@mlapi/core/layers";
import { LAYERS } from "@mlapi/core/layers";
import { layerDir, UPSTREAM, WORKSPACE_ROOT } from "./layers";
import type { DiffablePlan } from "./plan-diff";
import { diffPlans, renderMarkdown, renderText } from "./plan-diff";

function git(args: string[], cwd = WORKSPACE_ROOT): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.error) throw new Error(`Could not run git (${r.error.message}).`);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/**
 * node_modules for the worktree: every installed package linked from this checkout, except the
 * workspace's own packages (@mlapi/*), which are linked to the worktree's libs so the base commit
 * renders with its own code. Installing would need the registry and minutes; this is offline and instant.
 */
export function linkNodeModules(from: string, to: string): void {
  fs.mkdirSync(to);
  for (const entry of fs.readdirSync(from)) {
    if (entry === "@mlapi" || entry === ".cache") continue;
    fs.symlinkSync(path.join(from, entry), path.join(to, entry));
  }
  const scope = path.join(from, "@mlapi");
  if (!fs.existsSync(scope)) return;
  fs.mkdirSync(path.join(to, "@mlapi"));
  for (const pkg of fs.readdirSync(scope)) {
    // The links are relative (../../libs/core): in the worktree they reach its own libs.
    fs.symlinkSync(fs.readlinkSync(path.join(scope, pkg)), path.join(to, "@mlapi", pkg));
  }
}

/** Reads `<dir>/<layer>.json` for each layer that has one. */
export function readPlans(dir: string, layers: readonly string[] = LAYERS): Map<string, DiffablePlan> {
  const plans = new Map<string, DiffablePlan>();
  for (const layer of layers) {
    const file = path.join(dir, `${layer}.json`);
    if (fs.existsSync(file)) plans.set(layer, JSON.parse(fs.readFileSync(file, "utf8")) as DiffablePlan);
  }
  return plans;
}

/** The offline plans of every layer at `ref`, for `stack`; the worktree is removed afterwards. */
export function plansAtRef(
  ref: string,
  stack: string,
  log: (line: string) => void = console.error,
): Map<string, DiffablePlan> {
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new Error(
      `"${ref}" is not a commit git knows here (a shallow clone needs fetch-depth: 0, or git fetch of the base).`,
    );
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-plan-base-"));
  const tree = path.join(scratch, "tree");
  const out = path.join(scratch, "plan");
  try {
    git(["worktree", "add", "--detach", "--quiet", tree, commit]);
    linkNodeModules(path.join(WORKSPACE_ROOT, "node_modules"), path.join(tree, "node_modules"));
    if (git(["diff", "--name-only", commit, "--", "package-lock.json"]) !== "") {
      log(`plan diff: package-lock.json differs at ${ref}; the base renders with this checkout's installed packages.`);
    }
    log(`plan diff: rendering ${ref} (${commit.slice(0, 12)}) in a temporary worktree`);
    // `npm run plan` is the stable entry point across commits (the CLI's file may move).
    const r = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--out", out], {
      cwd: tree,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`the plan of ${ref} failed:\n${(r.stderr || r.stdout).trim()}`);
    return readPlans(out);
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: WORKSPACE_ROOT });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Source files of a layer's program (not its tests). */
function programFiles(layer: LayerName): string[] {
  const dir = layerDir(layer);
  const src = path.join(dir, "src");
  const files = [path.join(dir, "index.ts")];
  if (fs.existsSync(src))
    files.push(
      ...fs
        .readdirSync(src, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(src, f)),
    );
  return files.filter((f) => fs.existsSync(f));
}

/**
 * Who reads an output of `layer`: the layers with `layer` upstream whose program calls
 * `.require("<output>")` on a StackReference (the typed Upstream reader of @mlapi/core).
 */
export function outputReaders(layer: string): (output: string) => string[] {
  const readers = LAYERS.filter((l) => (UPSTREAM[l] as readonly string[]).includes(layer)).map((l) => ({
    layer: l,
    source: programFiles(l)
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n"),
  }));
  return (output) => readers.filter((r) => r.source.includes(`.require("${output}")`)).map((r) => r.layer);
}

/** Diffs the plans of `layers` at `ref` against those in `outDir`; prints the text, writes plan-diff.md. */
export function printPlanDiff(ref: string, layers: readonly string[], stack: string, outDir: string): number {
  let base: Map<string, DiffablePlan>;
  try {
    base = plansAtRef(ref, stack);
  } catch (err) {
    console.error(`plan diff failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const head = readPlans(outDir, layers);
  const diffs = layers.map((l) => diffPlans(base.get(l), head.get(l), outputReaders(l)));
  console.log(renderText(diffs, ref));
  const markdown = path.join(outDir, "plan-diff.md");
  fs.writeFileSync(markdown, renderMarkdown(diffs, ref));
  console.log(`plan diff (Markdown) -> ${path.relative(process.cwd(), markdown)}`);
  return 0;
}
