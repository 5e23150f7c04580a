// Test harness around tests/fake-pulumi/pulumi: a scratch folder with the stacks it answers from and
// its call log, an environment that puts the fake first on PATH, and runners for the tools and for nx.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { format } from "node:util";
import type { LayerName } from "@mlapi/core/layers";
import { LAYERS } from "@mlapi/core/layers";
import { CONTRACTS } from "../src/layers";

export const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "node_modules", ".bin");

/** One stack as the fake knows it. */
export interface FakeStack {
  resources?: number;
  outputs?: Record<string, unknown>;
  secrets?: string[];
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Node's arguments for the tool tools/src/<script>, as the nx targets run it. */
export const toolArgs = (script: string): string[] => ["--require", "tsx/cjs", path.join(ROOT, "tools", "src", script)];

export class FakePulumi {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  private readonly log = path.join(this.dir, "calls.log");
  private readonly state = path.join(this.dir, "stacks");

  /** `stacks` keyed by `<pulumi project>/<stack>`, e.g. `mlapi-data/dev`, written as the fake reads them. */
  constructor(
    stacks: Record<string, FakeStack> = {},
    private readonly extraEnv: Record<string, string> = {},
  ) {
    for (const [key, { resources = 0, outputs = {}, secrets = [] }] of Object.entries(stacks)) {
      const dir = path.join(this.state, key);
      fs.mkdirSync(dir, { recursive: true });
      const masked = Object.fromEntries(
        Object.entries(outputs).map(([k, v]) => [k, secrets.includes(k) ? "[secret]" : v]),
      );
      fs.writeFileSync(path.join(dir, "resources"), `${resources}\n`);
      fs.writeFileSync(path.join(dir, "outputs.json"), `${JSON.stringify(masked, null, 2)}\n`);
      fs.writeFileSync(path.join(dir, "outputs-shown.json"), `${JSON.stringify(outputs, null, 2)}\n`);
    }
  }

  /** The environment of a run: none of the outer nx task's NX_* or the caller's stack settings, the fake first on PATH. */
  env(): NodeJS.ProcessEnv {
    const inherited = ([k]: [string, unknown]) =>
      !k.startsWith("NX_") && !["MLAPI_STACK", "ENVIRONMENT_SUFFIX"].includes(k);
    const env = Object.fromEntries(Object.entries(process.env).filter(inherited));
    return {
      ...env,
      ...this.extraEnv,
      PATH: `${path.join(__dirname, "fake-pulumi")}${path.delimiter}${process.env.PATH ?? ""}`,
      FAKE_PULUMI_LOG: this.log,
      FAKE_PULUMI_STATE: this.state,
      NX_DAEMON: "false",
      NX_NO_CLOUD: "true",
      FORCE_COLOR: "0",
    };
  }

  /** Every pulumi call so far as `<folder>: <arguments>`, e.g. `data: destroy --yes --stack dev`. */
  calls(): string[] {
    if (!fs.existsSync(this.log)) return [];
    return fs
      .readFileSync(this.log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("\t"))
      .map(([cwd, args]) => `${path.relative(path.join(ROOT, "projects"), cwd) || "."}: ${args}`);
  }

  /** How many resources the stack `<pulumi project>/<stack>` has now; undefined if it does not exist. */
  resources(key: string): number | undefined {
    const file = path.join(this.state, key, "resources");
    return fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : undefined;
  }

  /** Runs `node --require tsx/cjs tools/src/<script> ...args`, as the nx targets do, from the workspace root. */
  tool(script: string, args: string[], cwd = ROOT): RunResult {
    return this.spawn(process.execPath, [...toolArgs(script), ...args], cwd);
  }

  /**
   * Runs a tool's `main` in this process with the environment `tool` gives a child, and what it
   * prints captured. The pulumi calls are real processes either way; a child process's start is
   * what this saves, so the argument and exit-code handling of `require.main` is left to `tool`.
   */
  async inProcess(main: (argv: string[]) => number | Promise<number>, args: string[]): Promise<RunResult> {
    const saved = process.env;
    const stdout: string[] = [];
    const stderr: string[] = [];
    const capture =
      (lines: string[]) =>
      (...args: unknown[]) =>
        void lines.push(format(...args));
    const spies = [
      jest.spyOn(console, "log").mockImplementation(capture(stdout)),
      jest.spyOn(console, "warn").mockImplementation(capture(stderr)),
      jest.spyOn(console, "error").mockImplementation(capture(stderr)),
    ];
    process.env = this.env();
    try {
      const status = await main(args);
      return { status, stdout: stdout.map((l) => `${l}\n`).join(""), stderr: stderr.map((l) => `${l}\n`).join("") };
    } finally {
      process.env = saved;
      for (const spy of spies) spy.mockRestore();
    }
  }

  /** Runs `nx ...args` from the workspace root (nx's own output flags go before a `--`). */
  nx(args: string[]): RunResult {
    const end = args.includes("--") ? args.indexOf("--") : args.length;
    const withFlags = [...args.slice(0, end), "--outputStyle=stream", "--skip-nx-cache", ...args.slice(end)];
    return this.spawn(path.join(BIN, "nx"), withFlags, ROOT);
  }

  private spawn(cmd: string, args: string[], cwd: string): RunResult {
    const r = spawnSync(cmd, args, { cwd, env: this.env(), encoding: "utf8", timeout: 120_000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every layer's stack `stack` with `resources` resources each and every output of its contract. */
export function allDeployed(
  stack: string,
  resources = 5,
  layers: readonly LayerName[] = LAYERS,
): Record<string, FakeStack> {
  return Object.fromEntries(layers.map((l) => [`mlapi-${l}/${stack}`, { resources, outputs: contractOutputs(l) }]));
}

/** A value for every output of a layer's contract, as a deployed stack exports them. */
export function contractOutputs(layer: LayerName): Record<string, string> {
  return Object.fromEntries(CONTRACTS[layer].outputNames.map((name) => [name, `${name}-value`]));
}
