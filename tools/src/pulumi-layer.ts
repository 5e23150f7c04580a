/**
 * Runs one Pulumi CLI command for one layer, in that layer's folder, for the stack given by
 * `--stack <name>` (or env MLAPI_STACK, except for destroy). Behind the nx targets preview, deploy,
 * refresh, destroy and stack-init, so `nx run data:deploy --stack dev` and
 * `node --require tsx/cjs tools/src/pulumi-layer.ts deploy data --stack dev` do the same thing.
 *
 * - deploy is `pulumi up --yes --policy-pack libs/policies/pack`: Pulumi prints its preview, the
 *   policy pack checks it (a mandatory violation stops the run), then it updates. preview runs the
 *   pack too. Flags the tool does not know are Pulumi's and go to it unchanged (`--target`, `--diff`...).
 * - deploy and preview first check that the upstream stacks exist and export what the layer reads.
 * - A stack's environment suffix, once pinned in its config (stack-init pins it), cannot be changed by
 *   env ENVIRONMENT_SUFFIX: a different value is refused before Pulumi starts.
 * - destroy guards the layers that read this one: while a dependent stack still has resources it
 *   refuses; `--cascade` destroys those dependents first, side by side except where AWS needs one gone
 *   first (DESTROY_AFTER: edge before service), then the layer; `--force` skips the check.
 * - destroy refuses a production stack (`<project>:profile: production` in its stack file, the layer's
 *   or any dependent's a --cascade would take down) unless `--allow-production` is given (docs/operations.md).
 *
 * Under nx (the executor tools/executors/layer runs this tool) a layer's deploy depends on its upstream
 * layers' deploy, and a layer's destroy on the destroy of the layers AWS needs gone first
 * (DESTROY_AFTER), so `nx run-many` runs them in order. When nx adds such a task only to order the
 * task that was asked for, it runs that task's command (the dependency's `"options": "forward"` in
 * project.json): the tool sees another layer than the nx task's own and runs that layer's check
 * instead of changing it (see `orderingStep`). The executor also names the layers whose own destroy
 * the same nx run runs (env MLAPI_NX_RUN_LAYERS): those dependents are going down anyway, so the
 * guard does not wait for them (`nx run-many -t destroy`: edge and data side by side, then service,
 * then network).
 */
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { ENVIRONMENT_SUFFIX_PATTERN } from "@mlapi/core/layers";
import type { LayerName } from "@mlapi/core/layers";
import {
  CONTRACTS,
  dependentsOf,
  destroyWaves,
  findStackFile,
  isLayer,
  layerDir,
  pinnedSuffix,
  pulumiProjectName,
  readStackFile,
  UPSTREAM,
} from "./layers";

/** The platform's policy pack, as a path from a layer's folder (where pulumi runs). */
export const POLICY_PACK = path.join("..", "..", "libs", "policies", "pack");

const COMMANDS = {
  preview: ["preview", "--diff", "--policy-pack", POLICY_PACK],
  // Without --skip-preview, `up` shows its preview (with the policy pack's findings) before it changes anything.
  deploy: ["up", "--yes", "--policy-pack", POLICY_PACK],
  refresh: ["refresh", "--yes"],
  destroy: ["destroy", "--yes"],
  "stack-init": ["stack", "init"],
} as const;
type Command = keyof typeof COMMANDS;

export const USAGE = `Usage: nx run <layer>:<command> --stack <name> [options] [-- <pulumi flags>]
   or: node --require tsx/cjs tools/src/pulumi-layer.ts <command> <layer> --stack <name> [options] [<pulumi flags>]

Commands (run in projects/<layer>):
  preview     pulumi preview --diff --policy-pack libs/policies/pack, after the upstream check
  deploy      pulumi up --yes --policy-pack libs/policies/pack (prints the preview first), after the upstream check
  refresh     pulumi refresh --yes
  destroy     pulumi destroy --yes, guarded (below)
  stack-init  pulumi stack init, then pins environmentSuffix and copies Pulumi.example.yaml's settings into the
              stack's config with pulumi config set-all (keeps what init wrote: encryptionsalt, secretsprovider)

The stack: --stack <name>; preview, deploy and refresh also read env MLAPI_STACK, destroy never does.
Upstream check: the stacks of the layers this one reads exist and export every output of their contract.
Environment suffix: ENVIRONMENT_SUFFIX must be unset or equal the value pinned in the stack's config.
stack-init: --suffix <s> (default ENVIRONMENT_SUFFIX, else the stack name); other flags go to pulumi stack init.

destroy refuses while a layer that reads this one (its dependents) still has resources in the stack:
  --cascade  destroy those dependents first, side by side where AWS allows (edge before service), then this layer
  --force    destroy this layer anyway (dependents are left pointing at deleted resources)
  A dependent whose own destroy is in the same nx run is not waited for: nx run-many -t destroy --stack <s> takes
  edge and data down side by side, then service, then network.
destroy refuses a production stack (<project>:profile: production in its stack file), this layer's or a dependent's
that --cascade would destroy:
  --allow-production  destroy it anyway; its protected resources must be unprotected first (docs/operations.md)

Any other flag is Pulumi's and is passed on unchanged: --target <urn>, --refresh, --diff, --expect-no-changes,
--parallel <n>, --policy-pack <dir> (in addition to the platform's)... Through nx, --refresh, --diff and
--expect-no-changes can follow --stack; nx reads --target and --parallel itself, so put the whole command line
after \`--\` and write --parallel as -p: nx run service:deploy -- --stack dev --target <urn> -p 4`;

/** Exit codes: 2 = usage, 3 = refused because dependents still have resources, 4 = a precondition failed. */
export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;
export const EXIT_PRECONDITION = 4;

export interface PulumiResult {
  status: number;
  stdout: string;
  stderr: string;
}

const installHint = (message: string): Error =>
  new Error(`Could not run pulumi (${message}). Install the Pulumi CLI 3.x: https://www.pulumi.com/docs/install/`);

/** Runs the `pulumi` on PATH in a layer's folder; output to the terminal unless captured. */
export function runPulumi(
  layer: LayerName,
  args: readonly string[],
  capture = false,
  env: NodeJS.ProcessEnv = process.env,
): PulumiResult {
  const result = spawnSync("pulumi", args, {
    cwd: layerDir(layer),
    // The environment this module sees, which under jest is the test's copy (the tools tests run
    // main() against a fake pulumi), or the one with the pinned suffix (see suffixEnv).
    env,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw installHint(result.error.message);
  return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** Like runPulumi, without waiting, each output line prefixed with the layer (several run at once). */
function runPulumiPrefixed(layer: LayerName, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd: layerDir(layer), env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    const relay = (print: (line: string) => void) => {
      let pending = "";
      return (chunk: Buffer) => {
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) print(`[${layer}] ${line}`);
      };
    };
    child.stdout.on("data", relay(console.log));
    child.stderr.on("data", relay(console.error));
    child.on("error", (err) => reject(installHint(err.message)));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const NO_STACK = /no stack named|stack .* not found|does not exist/i;

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
    if (NO_STACK.test(result.stderr)) return 0;
    throw new Error(
      `Could not read stack ${stack} of ${layer} (pulumi stack export): ${result.stderr.trim() || `exit ${result.status}`}`,
    );
  }
  const doc = JSON.parse(result.stdout) as Deployment;
  return (doc.deployment?.resources ?? []).filter(
    (r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"),
  ).length;
}

/**
 * Checks that `upstream`'s stack exists and exports every output of its contract, which is what
 * `reader` reads through StackReference. Returns the problem, or undefined when all is there.
 */
export function upstreamProblem(upstream: LayerName, reader: LayerName, stack: string): string | undefined {
  const ref = `${pulumiProjectName(upstream)}/${stack}`;
  const deployFirst = `deploy ${upstream} first: nx run ${upstream}:deploy --stack ${stack}`;
  const result = runPulumi(upstream, ["stack", "output", "--json", "--stack", stack], true);
  if (result.status !== 0) {
    if (NO_STACK.test(result.stderr))
      return `${reader} reads ${upstream}, but stack ${ref} does not exist: ${deployFirst}.`;
    return `Could not read the outputs of ${ref} (pulumi stack output): ${result.stderr.trim() || `exit ${result.status}`}`;
  }
  const outputs = JSON.parse(result.stdout) as Record<string, unknown>;
  const missing = CONTRACTS[upstream].outputNames.filter((name) => !(name in outputs));
  if (missing.length > 0)
    return `${reader} reads ${missing.join(", ")} from ${ref}, which does not export them: ${deployFirst}.`;
  return undefined;
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

/**
 * The environment Pulumi runs with: ENVIRONMENT_SUFFIX set to the suffix pinned in the stack's config
 * (so the policy pack, which cannot read the config, checks names against it), or the problem when the
 * variable in the caller's shell says otherwise or a setting of the layer is `secure:`.
 */
export function suffixEnv(
  layer: LayerName,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv | string {
  const file = findStackFile(layer, stack);
  const pinned = file ? pinnedSuffix(layer, file.config) : undefined;
  const ambient = env["ENVIRONMENT_SUFFIX"];
  const project = pulumiProjectName(layer);
  const key = `${project}:environmentSuffix`;
  // The same rule as the config reader's for the offline plan (libs/core/src/config.ts).
  const secure = Object.entries(file?.config ?? {}).filter(
    ([k, v]) => k.startsWith(`${project}:`) && typeof v === "object" && v !== null && "secure" in v,
  );
  if (secure.length > 0) {
    return secure
      .map(
        ([k]) =>
          `${k} is a secret (secure: in ${file?.file}), but no setting of this layer is: set it in plain text (pulumi config set ${k.slice(project.length + 1)} <value> --stack ${stack}). Secrets the API needs stay in Secrets Manager; list their names in mlapi-data:appSecretNames.`,
      )
      .join("\n");
  }
  if (pinned !== undefined && ambient !== undefined && ambient !== pinned) {
    return (
      `ENVIRONMENT_SUFFIX is "${ambient}", but stack ${stack} of ${layer} is pinned to "${pinned}" (${key} in ${file?.file}). ` +
      `A stack's suffix is in every resource name; changing it would replace them all. Unset ENVIRONMENT_SUFFIX, ` +
      `or create a stack for "${ambient}": nx run ${layer}:stack-init --stack <name> --suffix ${ambient}`
    );
  }
  if (pinned === undefined && ambient !== undefined) {
    return (
      `ENVIRONMENT_SUFFIX is "${ambient}", but stack ${stack} of ${layer} pins no suffix (${key}), so the variable would ` +
      `name its resources on this run and not on the next. Pin the suffix the stack was created with: ` +
      `(cd projects/${layer} && pulumi config set environmentSuffix <suffix> --stack ${stack}), then unset ENVIRONMENT_SUFFIX.`
    );
  }
  return pinned === undefined ? env : { ...env, ENVIRONMENT_SUFFIX: pinned };
}

function runCommand(
  command: Exclude<Command, "stack-init">,
  layer: LayerName,
  stack: string,
  extra: readonly string[],
  env = process.env,
): number {
  const args = [...COMMANDS[command], "--stack", stack, ...extra];
  console.log(`${layer}: pulumi ${args.join(" ")}`);
  return runPulumi(layer, args, false, env).status;
}

/** Whether the layer's stack file says `<project>:profile: production` (Pulumi.yaml's default is throwaway). */
export function isProductionStack(layer: LayerName, stack: string): boolean {
  return findStackFile(layer, stack)?.config[`${pulumiProjectName(layer)}:profile`] === "production";
}

/** The message of a destroy refused because production stacks are among those it would destroy. */
export function productionRefusal(layer: LayerName, stack: string, production: LayerName[]): string {
  return [
    `Refusing to destroy ${layer} (stack ${stack}): ${production.map((l) => `${pulumiProjectName(l)}/${stack}`).join(", ")} ` +
      `${production.length === 1 ? "is a production stack" : "are production stacks"} (<project>:profile: production in the stack file).`,
    "In production the ALB (service), the Aurora cluster and the sessions table (data) are deletion-protected and Aurora",
    'takes a final snapshot. To tear it down, lift the protection first (docs/operations.md, "Destroying a production',
    'stack"), then run the same command with --allow-production.',
  ].join("\n");
}

/**
 * The layers whose own task for this target the current nx run runs, as the executor
 * tools/executors/layer found them in the run's task graph; none outside nx.
 */
export function layersOfThisNxRun(env: NodeJS.ProcessEnv = process.env): LayerName[] {
  return (env["MLAPI_NX_RUN_LAYERS"] ?? "").split(",").filter(isLayer);
}

/** destroy with the dependents guard and the production guard; returns the exit code. */
export async function destroy(
  layer: LayerName,
  stack: string,
  mode: { cascade: boolean; force: boolean; allowProduction?: boolean },
  extra: readonly string[] = [],
): Promise<number> {
  const guard = (layers: LayerName[]): number | undefined => {
    const production = layers.filter((l) => isProductionStack(l, stack));
    if (production.length === 0) return undefined;
    if (mode.allowProduction !== true) {
      console.error(productionRefusal(layer, stack, production));
      return EXIT_REFUSED;
    }
    console.warn(
      `${layer}: --allow-production: destroying production stack${production.length === 1 ? "" : "s"} ${production.join(", ")}.`,
    );
    return undefined;
  };
  const refusedHere = guard([layer]);
  if (refusedHere !== undefined) return refusedHere;
  if (mode.force) {
    console.warn(
      `${layer}: --force: destroying without checking ${dependentsOf(layer).join(", ") || "dependents (there are none)"}.`,
    );
    return runCommand("destroy", layer, stack, extra);
  }
  // Dependents this same nx run destroys on their own (nx starts this task only once the ones AWS
  // needs gone first are done): neither a reason to refuse nor something to cascade over.
  const sameRun = dependentsOf(layer).filter((d) => layersOfThisNxRun().includes(d));
  if (sameRun.length > 0) {
    console.log(
      `${layer}: ${sameRun.join(", ")} ${sameRun.length === 1 ? "is" : "are"} destroyed in this same nx run.`,
    );
  }
  const live = dependentsOf(layer)
    .filter((d) => !sameRun.includes(d))
    .map((d) => ({ layer: d, count: resourceCount(d, stack) }))
    .filter((d) => d.count > 0);
  if (live.length > 0 && !mode.cascade) {
    console.error(refusalMessage(layer, stack, live));
    return EXIT_REFUSED;
  }
  if (live.length > 0) {
    const refused = guard(live.map((d) => d.layer));
    if (refused !== undefined) return refused;
    // Everything that reads `layer` goes, and the layers left standing (its upstreams) read none of
    // them; within the cascade, a layer waits only for what AWS needs gone first (DESTROY_AFTER).
    const waves = destroyWaves(live.map((d) => d.layer));
    const counted = (l: LayerName): string => `${l} (${live.find((d) => d.layer === l)?.count ?? 0} resources)`;
    console.log(
      `${layer}: --cascade: destroying ${waves.map((w) => w.map(counted).join(" and ")).join(", then ")} first`,
    );
    const args = [...COMMANDS.destroy, "--stack", stack, ...extra];
    for (const wave of waves) {
      const statuses = await Promise.all(wave.map((d) => runPulumiPrefixed(d, args)));
      const failed = wave.filter((_, i) => statuses[i] !== 0);
      if (failed.length > 0) {
        console.error(`${layer}: destroying ${failed.join(", ")} failed; ${layer} was not touched.`);
        return statuses.find((s) => s !== 0) ?? 1;
      }
    }
  }
  return runCommand("destroy", layer, stack, extra);
}

/**
 * stack-init: creates the stack, pins its environment suffix and copies the example stack file's
 * settings into its config through Pulumi, so what `pulumi stack init` wrote (encryptionsalt,
 * secretsprovider) stays.
 */
export function stackInit(
  layer: LayerName,
  stack: string,
  suffix: string | undefined,
  extra: readonly string[],
): number {
  const value = suffix ?? process.env["ENVIRONMENT_SUFFIX"] ?? stack;
  const origin =
    suffix !== undefined
      ? "--suffix"
      : process.env["ENVIRONMENT_SUFFIX"] !== undefined
        ? "env ENVIRONMENT_SUFFIX"
        : "the stack name";
  if (!ENVIRONMENT_SUFFIX_PATTERN.test(value)) {
    console.error(
      `Environment suffix "${value}" (from ${origin}) must match ${ENVIRONMENT_SUFFIX_PATTERN.source}: 1-16 lowercase letters, digits or inner hyphens.`,
    );
    return EXIT_USAGE;
  }
  const existing = findStackFile(layer, stack);
  if (existing) {
    const pinned = pinnedSuffix(layer, existing.config);
    console.error(
      `${existing.file} exists: stack ${stack} of ${layer} was created already (suffix ${pinned ? `"${pinned}"` : "not pinned"}). Edit its settings with pulumi config set.`,
    );
    return EXIT_PRECONDITION;
  }
  const init = [...COMMANDS["stack-init"], stack, ...extra];
  console.log(`${layer}: pulumi ${init.join(" ")}`);
  const created = runPulumi(layer, init).status;
  if (created !== 0) return created;

  const project = pulumiProjectName(layer);
  const suffixKey = `${project}:environmentSuffix`;
  const example = Object.entries(readStackFile(layer, "example").config).filter(([key]) => key !== suffixKey);
  const asText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
  const settings = [[suffixKey, value], ...example.map(([k, v]) => [k, asText(v)])].flatMap(([k, v]) => [
    "--plaintext",
    `${k}=${v}`,
  ]);
  const set = ["config", "set-all", "--stack", stack, ...settings];
  console.log(`${layer}: pulumi ${set.join(" ")}`);
  const status = runPulumi(layer, set).status;
  if (status === 0) {
    console.log(
      `${layer}: stack ${stack} created, environment suffix "${value}" (from ${origin}) pinned. Review projects/${layer}/Pulumi.${stack}.yaml, then: nx run ${layer}:deploy --stack ${stack}`,
    );
  }
  return status;
}

/**
 * The layer whose nx task this is, when nx added the task only to order another layer's task (see
 * the header): it then runs the command of the layer that pulled it in. Undefined when the task is
 * the one asked for, or when the tool runs outside nx.
 */
export function orderingStep(
  command: Command,
  layer: LayerName,
  env: NodeJS.ProcessEnv = process.env,
): LayerName | undefined {
  const project = env["NX_TASK_TARGET_PROJECT"];
  if (env["NX_TASK_TARGET_TARGET"] !== command || project === undefined || project === layer || !isLayer(project))
    return undefined;
  return project;
}

/** What an ordering step does: the check the asked-for task relies on, never a change. */
function orderingCheck(
  command: Command,
  self: LayerName,
  requested: LayerName,
  stack: string,
  mode: { cascade: boolean; force: boolean },
): number {
  const step = `${self}: not ${command === "destroy" ? "destroyed" : "deployed"} (nx added this task to order ${requested}:${command})`;
  if (command === "destroy") {
    const count = resourceCount(self, stack);
    const ref = `${pulumiProjectName(self)}/${stack}`;
    if (count > 0 && !mode.cascade && !mode.force) {
      console.error(
        `Refusing to destroy ${requested} (stack ${stack}) in this run: ${ref} (${self}, ${count} resources) reads it.\n` +
          `Tear ${self} down first (nx run ${self}:destroy --stack ${stack}), or destroy both in one go with --cascade.`,
      );
      return EXIT_REFUSED;
    }
    const next =
      count === 0
        ? "nothing left"
        : mode.cascade
          ? "the --cascade of the destroy asked for takes them down"
          : "left standing (--force)";
    console.log(`${step}: stack ${ref} has ${count} resources; ${next}.`);
    return 0;
  }
  const problem = upstreamProblem(self, requested, stack);
  if (problem) {
    console.error(problem);
    return EXIT_PRECONDITION;
  }
  console.log(
    `${step}: stack ${pulumiProjectName(self)}/${stack} exports the ${CONTRACTS[self].outputNames.length} outputs ${requested} reads.`,
  );
  return 0;
}

interface CommandLine {
  command?: string;
  layer?: string;
  stack?: string;
  suffix?: string;
  cascade: boolean;
  force: boolean;
  allowProduction: boolean;
  help: boolean;
  /** Everything else, in order: Pulumi's flags and their values. */
  pulumi: string[];
}

/**
 * The tool's own options out of argv; every other argument is Pulumi's and is kept in order. nx
 * passes options as `--stack=dev` and booleans as `--cascade=true`; a `--` is dropped.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const line: CommandLine = { cascade: false, force: false, allowProduction: false, help: false, pulumi: [] };
  const bool = (value: string | undefined): boolean => value === undefined || value === "true";
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") {
      line.pulumi.push(...argv.slice(i + 1));
      break;
    }
    const [flag, inline] =
      token.startsWith("--") && token.includes("=")
        ? [token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)]
        : [token, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw Object.assign(new Error(`${flag} needs a value`), { code: "ERR_PARSE_ARGS_USAGE" });
      return next;
    };
    if (flag === "--stack" || flag === "-s") line.stack = value();
    else if (flag === "--suffix") line.suffix = value();
    else if (flag === "--cascade") line.cascade = bool(inline);
    else if (flag === "--force") line.force = bool(inline);
    else if (flag === "--allow-production") line.allowProduction = bool(inline);
    else if (flag === "--help" || flag === "-h") line.help = true;
    else if (!token.startsWith("-") && line.command === undefined) line.command = token;
    else if (!token.startsWith("-") && line.layer === undefined) line.layer = token;
    else line.pulumi.push(token);
  }
  return line;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const line = parseCommandLine(argv);
  const { command, layer, cascade, force } = line;
  if (line.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command || !(command in COMMANDS) || !layer || !isLayer(layer)) {
    console.error(USAGE);
    return EXIT_USAGE;
  }
  const cmd = command as Command;
  if ((cascade || force) && cmd !== "destroy") {
    console.error(`--cascade and --force apply to destroy only.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (line.allowProduction && cmd !== "destroy") {
    console.error(`--allow-production applies to destroy only.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (cascade && force) {
    console.error(`Pass --cascade or --force, not both.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (line.suffix !== undefined && cmd !== "stack-init") {
    console.error(`--suffix applies to stack-init only.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const stack = cmd === "destroy" || cmd === "stack-init" ? line.stack : (line.stack ?? process.env["MLAPI_STACK"]);
  if (!stack) {
    const where =
      cmd === "destroy" || cmd === "stack-init"
        ? `${cmd} needs the stack on the command line: --stack <name> (MLAPI_STACK is not used for ${cmd})`
        : "No stack given: pass --stack <name> or set MLAPI_STACK";
    console.error(`${where}.\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  const self = orderingStep(cmd, layer);
  if (self) return orderingCheck(cmd, self, layer, stack, { cascade, force });

  switch (cmd) {
    case "stack-init":
      return stackInit(layer, stack, line.suffix, line.pulumi);
    case "destroy":
      return destroy(layer, stack, { cascade, force, allowProduction: line.allowProduction }, line.pulumi);
    case "refresh":
      return runCommand(cmd, layer, stack, line.pulumi);
    case "preview":
    case "deploy": {
      const env = suffixEnv(layer, stack);
      if (typeof env === "string") {
        console.error(env);
        return EXIT_PRECONDITION;
      }
      // Under nx a deploy's upstream checks were tasks of their own (ordering steps), or the upstream
      // was deployed earlier in the run; otherwise (preview, or run directly) the tool checks first.
      if (cmd === "preview" || process.env["NX_TASK_TARGET_PROJECT"] !== layer) {
        const problems = UPSTREAM[layer]
          .map((u) => upstreamProblem(u, layer, stack))
          .filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
          console.error(problems.join("\n"));
          return EXIT_PRECONDITION;
        }
      }
      return runCommand(cmd, layer, stack, line.pulumi, env);
    }
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      // exitCode, not exit(): node ends once pending writes are done (stdout's, tsx's cache of this file).
      process.exitCode = code;
    },
    (err: unknown) => {
      const usage = (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ?? false;
      console.error(`${err instanceof Error ? err.message : String(err)}${usage ? `\n\n${USAGE}` : ""}`);
      process.exitCode = usage ? EXIT_USAGE : 1;
    },
  );
}
