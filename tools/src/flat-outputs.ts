/**
 * Writes cfn-outputs/flat-outputs.json (R21): every layer's stack outputs for one stack, read
 * with `pulumi stack output --json` in each layer's folder, merged into one flat object with the keys
 * unchanged. Layers re-export some upstream outputs (service: the data layer's alarm topic, cluster and
 * table; edge: an alarm topic): a key exported with one value appears once; with different values the
 * plain key keeps the first exporter's in deploy order (the owner) and every exporter's value is also
 * written as `<layer>.<key>` (cfn-outputs/README.md). Secret outputs are left out unless --show-secrets.
 * The integration tests read this file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { LayerName } from "@mlapi/core/layers";
import { DEPLOY_ORDER, pulumiProjectName, WORKSPACE_ROOT } from "./layers";
import { runPulumi } from "./pulumi-layer";

export const DEFAULT_OUT = path.join(WORKSPACE_ROOT, "cfn-outputs", "flat-outputs.json");

const USAGE = `Usage: tsx tools/src/flat-outputs.ts --stack <name> [--show-secrets] [--out <file>]
   or: nx run tools:flat-outputs --stack <name> [--show-secrets]

Reads \`pulumi stack output --json --stack <name>\` of network, data, service and edge and writes one
flat JSON object to cfn-outputs/flat-outputs.json (or --out). The stack may also come from env MLAPI_STACK.
  --show-secrets  include secret outputs in plain text (the file is git-ignored; keep it that way)`;

/** What `pulumi stack output --json` prints for a secret when --show-secrets is not given. */
const SECRET_PLACEHOLDER = "[secret]";

export interface FlatOutputs {
  outputs: Record<string, unknown>;
  /** `layer.key` of each secret output left out. */
  omittedSecrets: string[];
}

/** One layer's outputs as the CLI reports them. */
export function layerOutputs(layer: LayerName, stack: string, showSecrets: boolean): Record<string, unknown> {
  const args = ["stack", "output", "--json", "--stack", stack, ...(showSecrets ? ["--show-secrets"] : [])];
  const result = runPulumi(layer, args, true);
  if (result.status !== 0) {
    throw new Error(
      `Could not read the outputs of ${pulumiProjectName(layer)}/${stack} (pulumi ${args.join(" ")} in projects/${layer}): ` +
        `${result.stderr.trim() || `exit ${result.status}`}\nDeploy it first (nx run ${layer}:deploy --stack ${stack}), or check \`pulumi login\`.`,
    );
  }
  return JSON.parse(result.stdout || "{}") as Record<string, unknown>;
}

/** The key a layer's value of a re-exported output is also written under when the layers disagree. */
export const layerKey = (layer: LayerName, key: string): string => `${layer}.${key}`;

/** Whether two output values are the same JSON (lists and objects compared by content). */
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Merges the layers' outputs, given in deploy order. A key exported by several layers with one value
 * appears once. With different values, the plain key keeps the value of the first layer that exports
 * it (the owner; later layers re-export it) and each exporter's value is also under `<layer>.<key>`.
 */
export function flatten(byLayer: [LayerName, Record<string, unknown>][], showSecrets: boolean): FlatOutputs {
  const exporters = new Map<string, [LayerName, unknown][]>();
  const omittedSecrets: string[] = [];
  for (const [layer, values] of byLayer) {
    for (const [key, value] of Object.entries(values)) {
      if (!showSecrets && value === SECRET_PLACEHOLDER) {
        omittedSecrets.push(layerKey(layer, key));
        continue;
      }
      exporters.set(key, [...(exporters.get(key) ?? []), [layer, value]]);
    }
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, [[, first], ...others]] of exporters) {
    outputs[key] = first;
    if (others.every(([, value]) => sameValue(value, first))) continue;
    for (const [layer, value] of exporters.get(key) ?? []) outputs[layerKey(layer, key)] = value;
  }
  return { outputs, omittedSecrets };
}

export function main(argv = process.argv.slice(2)): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      "show-secrets": { type: "boolean", default: false },
      out: { type: "string", default: DEFAULT_OUT },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const stack = values.stack ?? process.env.MLAPI_STACK;
  if (!stack) {
    console.error(`No stack given: pass --stack <name> or set MLAPI_STACK.\n\n${USAGE}`);
    return 2;
  }
  const showSecrets = values["show-secrets"];
  const byLayer = DEPLOY_ORDER.map((layer): [LayerName, Record<string, unknown>] => [
    layer,
    layerOutputs(layer, stack, showSecrets),
  ]);
  const { outputs, omittedSecrets } = flatten(byLayer, showSecrets);
  const file = path.resolve(values.out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
  console.log(
    `wrote ${path.relative(process.cwd(), file)}: ${Object.keys(outputs).length} outputs of stack ${stack} from ${byLayer.map(([l]) => l).join(", ")}`,
  );
  if (omittedSecrets.length > 0)
    console.log(
      `left out ${omittedSecrets.length} secret output(s): ${omittedSecrets.join(", ")} (--show-secrets includes them)`,
    );
  if (showSecrets)
    console.warn(
      `${path.relative(process.cwd(), file)} may now hold secrets in plain text: it is git-ignored, do not share it.`,
    );
  return 0;
}

// exitCode, not exit(), as in pulumi-layer.ts: pending writes (stdout, tsx's cache) finish first.
if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error(`flat-outputs failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
