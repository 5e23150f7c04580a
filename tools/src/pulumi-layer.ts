/**
 * Runs one Pulumi CLI command for one layer, in that layer's folder, for the stack given by
 * `--stack <name>` or env MLAPI_STACK. Behind the nx targets preview, deploy, refresh and destroy.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { isLayer, layerDir } from "./layers";

const COMMANDS = {
  preview: ["preview", "--diff"],
  deploy: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes"],
  destroy: ["destroy", "--yes"],
} as const;
type Command = keyof typeof COMMANDS;

const USAGE = `Usage: tsx tools/src/pulumi-layer.ts <preview|deploy|refresh|destroy> <layer> --stack <name>

Runs \`pulumi <command> --stack <name>\` in projects/<layer>. The stack may also come from env MLAPI_STACK.
Through nx: nx run <layer>:<command> --stack <name>, or nx run-many -t <command> --stack <name>.`;

function main(): number {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { stack: { type: "string" }, help: { type: "boolean", short: "h" } } });
  const [command, layer] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command || !(command in COMMANDS) || !layer || !isLayer(layer)) {
    console.error(USAGE);
    return 2;
  }
  const stack = values.stack ?? process.env.MLAPI_STACK;
  if (!stack) {
    console.error(`No stack given: pass --stack <name> or set MLAPI_STACK.\n\n${USAGE}`);
    return 2;
  }
  const args = [...COMMANDS[command as Command], "--stack", stack];
  console.log(`${layer}: pulumi ${args.join(" ")}`);
  const result = spawnSync("pulumi", args, { cwd: layerDir(layer), stdio: "inherit" });
  if (result.error) {
    console.error(`Could not run pulumi (${result.error.message}). Install the Pulumi CLI 3.x: https://www.pulumi.com/docs/install/`);
    return 127;
  }
  return result.status ?? 1;
}

process.exit(main());
