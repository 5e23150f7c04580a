/**
 * Runs one Pulumi CLI command for one layer, in that layer's folder, for the stack given by
 * `--stack <name>` (or env MLAPI_STACK, except for destroy). Behind the nx targets preview, deploy,
 * refresh and destroy, so `nx run data:destroy --stack dev --cascade` and
 * `tsx tools/src/pulumi-layer.ts destroy data --stack dev --cascade` do exactly the same thing.
 *
 * destroy guards the layers that read this one: while a dependent stack (e.g. mlapi-service/dev for
 * data) still has resources, it refuses and says how to tear the dependents down first;
 * `--cascade` destroys those dependents first, in destroy order; `--force` skips the check.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import type { LayerName } from "@mlapi/core/layers";
import { dependentsOf, isLayer, layerDir, pulumiProjectName } from "./layers";

const COMMANDS = {
  preview: ["preview", "--diff"],
  deploy: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes"],
  destroy: ["destroy", "--yes"],
} as const;
type Command = keyof typeof COMMANDS;

export const USAGE = `Usage: tsx tools/src/pulumi-layer.ts <preview|deploy|refresh|destroy> <layer> --stack <name> [--cascade | --force]

Runs \`pulumi <command> --stack <name>\` in projects/<layer>. preview, deploy and refresh also take the
stack from env MLAPI_STACK; destroy needs --stack on the command line.
Through nx: nx run <layer>:<command> --stack <name>, or nx run-many -t <command> --stack <name>.

destroy refuses while a layer that reads this one (its dependents) still has resources in the stack:
  --cascade  destroy those dependents first (edge -> service -> data), then this layer
  --force    destroy this layer anyway (dependents are left pointing at deleted resources)`;

/** Exit codes: 2 = usage, 3 = refused because dependents still have resources. */
export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;

export interface PulumiResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the `pulumi` on PATH in a layer's folder; output to the terminal unless captured. */
export function runPulumi(layer: LayerName, args: string[], capture = false): PulumiResult {
  const result = spawnSync("pulumi", args, {
    cwd: layerDir(layer),
    // The default, made explicit: the environment this module sees, which under jest is the test
    // file's own copy, not the jest process's (the tools tests run main() against a fake pulumi).
    env: process.env,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`Could not run pulumi (${result.error.message}). Install the Pulumi CLI 3.x: https://www.pulumi.com/docs/install/`);
  }
  return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

interface Deployment {
  deployment?: { resources?: { type: string }[] | null };
}

/**
 * How many resources a layer's stack still manages, from `pulumi stack export` (the one query that
 * answers the same on every backend). The stack itself and provider entries are not counted; a
 * stack that does not exist has none.
 */
export function resourceCount(layer: LayerName, stack: string): number {
  const result = runPulumi(layer, ["stack", "export", "--stack", stack], true);
  if (result.status !== 0) {
    if (/no stack named|stack .* not found|does not exist/i.test(result.stderr)) return 0;
    throw new Error(`Could not read stack ${stack} of ${layer} (pulumi stack export): ${result.stderr.trim() || `exit ${result.status}`}`);
  }
  const doc = JSON.parse(result.stdout) as Deployment;
  return (doc.deployment?.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

/** The message of a refused destroy: who still depends on the layer and how to tear them down. */
export function refusalMessage(layer: LayerName, stack: string, live: { layer: LayerName; count: number }[]): string {
  const names = live.map((d) => d.layer);
  return [
    `Refusing to destroy ${layer} (stack ${stack}): these stacks read its outputs and still have resources:`,
    ...live.map((d) => `  ${pulumiProjectName(d.layer)}/${stack} (${d.layer}, ${d.count} resources)`),
    `Tear them down first:  nx run-many -t destroy --projects=${names.join(",")} --stack ${stack}`,
    `or in one go:          nx run ${layer}:destroy --stack ${stack} --cascade`,
    `(--force destroys ${layer} anyway and leaves ${names.join(", ")} pointing at deleted resources.)`,
  ].join("\n");
}

function runCommand(command: Command, layer: LayerName, stack: string): number {
  const args = [...COMMANDS[command], "--stack", stack];
  console.log(`${layer}: pulumi ${args.join(" ")}`);
  return runPulumi(layer, args).status;
}

/** destroy with the dependents guard; returns the exit code. */
export function destroy(layer: LayerName, stack: string, mode: { cascade: boolean; force: boolean }): number {
  if (mode.force) {
    console.warn(`${layer}: --force: destroying without checking ${dependentsOf(layer).join(", ") || "dependents (there are none)"}.`);
    return runCommand("destroy", layer, stack);
  }
  const live = dependentsOf(layer)
    .map((d) => ({ layer: d, count: resourceCount(d, stack) }))
    .filter((d) => d.count > 0);
  if (live.length > 0 && !mode.cascade) {
    console.error(refusalMessage(layer, stack, live));
    return EXIT_REFUSED;
  }
  for (const d of live) {
    console.log(`${layer}: --cascade: destroying dependent ${d.layer} (${d.count} resources) first`);
    const status = runCommand("destroy", d.layer, stack);
    if (status !== 0) {
      console.error(`${layer}: destroying dependent ${d.layer} failed (exit ${status}); ${layer} was not touched.`);
      return status;
    }
  }
  return runCommand("destroy", layer, stack);
}

export function main(argv = process.argv.slice(2)): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: "string" },
      cascade: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, layer] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command || !(command in COMMANDS) || !layer || !isLayer(layer)) {
    console.error(USAGE);
    return EXIT_USAGE;
  }
  if ((values.cascade || values.force) && command !== "destroy") {
    console.error(`--cascade and --force apply to destroy only.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.cascade && values.force) {
    console.error(`Pass --cascade or --force, not both.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (command === "destroy") {
    if (!values.stack) {
      // nx passes command-line arguments to the tasks it was asked for, not to the tasks it adds as
      // dependencies. The destroy targets depend on their dependents' destroy (so run-many tears down
      // edge -> network); when only `nx run data:destroy --stack dev` was asked for, nx still adds
      // edge:destroy and service:destroy, argument-less: they are ordering steps and do nothing. The
      // requested layer then refuses, or with --cascade destroys them itself.
      if (process.env.NX_TASK_TARGET_TARGET === "destroy") {
        const envHint = process.env.MLAPI_STACK ? ` MLAPI_STACK is not used for destroy.` : "";
        console.log(`${layer}: destroy skipped: no --stack (an ordering step of another layer's destroy; pass --stack to destroy ${layer}).${envHint}`);
        return 0;
      }
      console.error(`destroy needs the stack on the command line: --stack <name> (MLAPI_STACK is not used for destroy).\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    return destroy(layer, values.stack, { cascade: values.cascade, force: values.force });
  }
  const stack = values.stack ?? process.env.MLAPI_STACK;
  if (!stack) {
    console.error(`No stack given: pass --stack <name> or set MLAPI_STACK.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  return runCommand(command as Command, layer, stack);
}

// exitCode, not exit(): node ends once pending writes are done, stdout's and tsx's cache of this
// file's transform. exit() cut the cache write off, so every run transformed the file again (~0.2 s).
if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (err) {
    const usage = (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ?? false;
    console.error(`${err instanceof Error ? err.message : String(err)}${usage ? `\n\n${USAGE}` : ""}`);
    process.exitCode = usage ? EXIT_USAGE : 1;
  }
}
