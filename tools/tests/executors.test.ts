// The workspace's typecheck and lint executors, on scratch projects: what they report, when they
// fail, and that a batch shares what it loaded between projects.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ExecutorContext, TaskGraph } from "@nx/devkit";
import type { CheckResult } from "../src/executors/batch";
import { batchOfTasks, singleTask } from "../src/executors/batch";
import type { CheckOptions } from "../src/executors/check";
import { checks } from "../src/executors/check";
import type { Compiler, TypecheckOptions } from "../src/executors/typecheck";
import { nativeTsc, nativeTscPath, parseDiagnostics, typecheck } from "../src/executors/typecheck";

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-executors-"));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A project folder with the given files, under the scratch folder (or another). */
function project(name: string, files: Record<string, string>, parent = scratch): string {
  const root = path.join(parent, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

// noLib and a few global types of our own keep each check to a few files instead of TypeScript's lib.
const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, noEmit: true, noLib: true, types: [], pretty: false }, include: ["*.ts", "../globals.d.ts"] });
const GLOBALS = ["Array<T>", "Boolean", "Function", "IArguments", "Number", "Object", "RegExp", "String", "CallableFunction", "NewableFunction"]
  .map((t) => `interface ${t} {}`)
  .join("\n");
beforeEach(() => fs.writeFileSync(path.join(scratch, "globals.d.ts"), GLOBALS));

/** Type checks one project, as a single nx task does. */
const typecheckOne = async (root: string, options: TypecheckOptions = {}) => (await typecheck()([{ root, options }]))[0];

describe("typecheck", () => {
  it("passes a project without type errors and prints nothing", async () => {
    const root = project("clean", { "tsconfig.json": TSCONFIG, "ok.ts": "export const port: number = 80;\n" });
    expect(await typecheckOne(root)).toEqual({ success: true, output: "" });
  });

  it("fails with tsc's diagnostics and a count naming the tsconfig", async () => {
    const root = project("broken", { "tsconfig.json": TSCONFIG, "bad.ts": 'export const port: number = "80";\n' });
    const { success, output } = await typecheckOne(root);
    expect(success).toBe(false);
    expect(output).toContain("bad.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(output).toContain(`Found 1 error in ${path.relative(process.cwd(), path.join(root, "tsconfig.json"))}.`);
  });

  it("reads the tsconfig the options name", async () => {
    const root = project("other-config", { "tsconfig.strict.json": TSCONFIG, "implicit.ts": "export function f(x) { return x; }\n" });
    expect((await typecheckOne(root, { tsConfig: "tsconfig.strict.json" })).output).toContain("error TS7006: Parameter 'x' implicitly has an 'any' type.");
  });

  it("runs the compiler once for projects with the same compiler options and once more for different ones", async () => {
    const runs: Array<{ config: { extends: string; files: string[]; include: string[] }; folder: string }> = [];
    const compiler: Compiler = async (tsConfigPath) => {
      runs.push({ config: JSON.parse(fs.readFileSync(tsConfigPath, "utf8")), folder: path.relative(scratch, path.dirname(tsConfigPath)) });
      return nativeTsc(tsConfigPath);
    };
    const loose = JSON.stringify({ ...JSON.parse(TSCONFIG), compilerOptions: { ...JSON.parse(TSCONFIG).compilerOptions, strict: false } });
    const roots = [
      project("first", { "tsconfig.json": TSCONFIG, "a.ts": "export const a = 1;\n" }),
      project("second", { "tsconfig.json": TSCONFIG, "b.ts": "export function b(x) { return x; }\n" }),
      project("loose", { "tsconfig.json": loose, "c.ts": "export function c(x) { return x; }\n" }),
    ];
    const results = await typecheck(compiler)(roots.map((root) => ({ root, options: {} })));
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    // Each run's tsconfig sits beside the first project's and extends it, naming every project's files.
    const relative = (files: string[]) => files.map((f) => path.relative(scratch, f)).sort();
    expect(runs.map(({ config, folder }) => [folder, config.extends, relative(config.files), config.include])).toEqual([
      ["first", "./tsconfig.json", ["first/a.ts", "globals.d.ts", "second/b.ts"], []],
      ["loose", "./tsconfig.json", ["globals.d.ts", "loose/c.ts"], []],
    ]);
    // ...and is removed afterwards.
    expect(fs.readdirSync(path.join(scratch, "first"))).toEqual(["a.ts", "tsconfig.json"]);
  });

  it("tells each project of a shared program the errors of its own files and of the files they import, as tsc -p does", async () => {
    const lib = project("lib", { "tsconfig.json": TSCONFIG, "lib.ts": 'export const port: number = "80";\n' });
    const app = project("app", { "tsconfig.json": TSCONFIG, "main.ts": 'import { port } from "../lib/lib";\nexport const url = `http://localhost:${port}`;\n' });
    const other = project("other", { "tsconfig.json": TSCONFIG, "other.ts": "export const other = 1;\n" });
    const [libResult, appResult, otherResult] = await typecheck()([lib, app, other].map((root) => ({ root, options: {} })));
    const libError = "lib.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.";
    expect(libResult.output).toContain(libError);
    expect(appResult.success).toBe(false);
    expect(appResult.output).toContain(libError);
    expect(appResult.output).toContain(`Found 1 error in ${path.relative(process.cwd(), path.join(app, "tsconfig.json"))}.`);
    expect(otherResult).toEqual({ success: true, output: "" });
  });

  it("tells every project of a run a diagnostic in a file none of them holds", async () => {
    const [a, b] = [project("a", { "tsconfig.json": TSCONFIG, "a.ts": "export const a = 1;\n" }), project("b", { "tsconfig.json": TSCONFIG, "b.ts": "export const b = 1;\n" })];
    const elsewhere = `${path.relative(process.cwd(), path.join(scratch, "vendor.d.ts"))}(3,1): error TS1005: ';' expected.`;
    const mine = `${path.relative(process.cwd(), path.join(a, "a.ts"))}(1,1): error TS2304: Cannot find name 'x'.`;
    const results = await typecheck(async () => ({ exitCode: 1, output: `${elsewhere}\n${mine}\n` }))([a, b].map((root) => ({ root, options: {} })));
    expect(results[0].output).toBe(`${elsewhere}\n${mine}\n\nFound 2 errors in ${path.relative(process.cwd(), path.join(a, "tsconfig.json"))}.\n`);
    expect(results[1].output).toBe(`${elsewhere}\n\nFound 1 error in ${path.relative(process.cwd(), path.join(b, "tsconfig.json"))}.\n`);
  });

  it("tells a project the problems of its own tsconfig when it shares a run with another", async () => {
    const first = project("first", { "tsconfig.json": TSCONFIG, "a.ts": "export const a = 1;\n" });
    const empty = project("empty", { "tsconfig.json": JSON.stringify({ ...JSON.parse(TSCONFIG), include: ["none/*.ts"] }) });
    const [firstResult, emptyResult] = await typecheck()([first, empty].map((root) => ({ root, options: {} })));
    expect(firstResult).toEqual({ success: true, output: "" });
    expect(emptyResult.success).toBe(false);
    expect(emptyResult.output).toContain("error TS18003: No inputs were found in config file");
  });

  it("fails every project of a run with what the compiler printed when it fails without a diagnostic", async () => {
    const root = project("any", { "tsconfig.json": TSCONFIG, "a.ts": "export const a = 1;\n" });
    const [result] = await typecheck(async () => ({ exitCode: 3, output: "panic: out of memory\n" }))([{ root, options: {} }]);
    expect(result).toEqual({ success: false, output: "tsc exited with code 3:\npanic: out of memory\n" });
  });
});

describe("nativeTscPath", () => {
  it("is the compiler binary of this platform's TypeScript 7 package", () => {
    expect(execFileSync(nativeTscPath(), ["--version"], { encoding: "utf8" })).toMatch(/^Version 7\.\d+\.\d+\n$/);
  });

  it("says which package is missing and how to get it", () => {
    expect(() => nativeTscPath("plan9", "mips")).toThrow("TypeScript 7's compiler for plan9-mips is not installed (@typescript/typescript-plan9-mips): run npm ci, on Linux or macOS (x64, arm64) or Windows (x64).");
  });
});

describe("parseDiagnostics", () => {
  it("splits tsc's plain output into diagnostics with their continuation lines and absolute file paths", () => {
    const output = ["lib/a.ts(2,7): error TS2322: Type '{ b: string; }' is not assignable to type 'B'.", "  Types of property 'b' are incompatible.", "error TS5083: Cannot read file 'x.json'.", ""].join("\n");
    expect(parseDiagnostics(output)).toEqual([
      { file: path.resolve("lib/a.ts"), text: "lib/a.ts(2,7): error TS2322: Type '{ b: string; }' is not assignable to type 'B'.\n  Types of property 'b' are incompatible." },
      { file: undefined, text: "error TS5083: Cannot read file 'x.json'." },
    ]);
  });
});

const CHECKS_OUTSIDE_JEST = path.join(__dirname, "checks-outside-jest.ts");

// A scratch ESLint config: the executor's own logic (counts, maxWarnings, report), not the workspace's
// rules; and a rule that warns, in argv-probe.js only, what process.argv[1] is while ESLint runs.
const ARGV_PROBE = "{ rules: { argv: { create: (context) => ({ Program: (node) => context.filename.endsWith('argv-probe.js') && context.report({ node, message: `argv[1] = ${process.argv[1]}` }) }) } } }";
const ESLINT_CONFIG = `export default [{ files: ["**/*.js"], plugins: { probe: ${ARGV_PROBE} }, rules: { eqeqeq: "error", "no-console": "warn", "probe/argv": "warn" } }];\n`;

// One batch in plain Node (see checks-outside-jest.ts), one process for all these cases: lint
// projects, then type checked and linted ones mixed.
describe("lint and typecheck in one batch", () => {
  let results: CheckResult[];
  let argv1: string;
  beforeAll(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-executors-batch-"));
    const at = (name: string, files: Record<string, string>) => project(name, files, root);
    fs.writeFileSync(path.join(root, "eslint.config.mjs"), ESLINT_CONFIG);
    fs.writeFileSync(path.join(root, "globals.d.ts"), GLOBALS);
    const runs: Array<[string, CheckOptions]> = [
      [at("clean", { "ok.js": "export const same = (a, b) => a === b;\n" }), { check: "lint" }],
      [at("broken", { "bad.js": "export const same = (a, b) => a == b;\n" }), { check: "lint" }],
      [at("noisy", { "log.js": "console.log(1);\n" }), { check: "lint" }],
      [path.join(root, "noisy"), { check: "lint", maxWarnings: 1 }],
      [at("probed", { "argv-probe.js": "export const a = 1;\n" }), { check: "lint", maxWarnings: 1 }],
      [at("typed", { "tsconfig.json": TSCONFIG, "bad.ts": "export const bad: string = 1;\n" }), { check: "typecheck" }],
      [at("mixed", { "tsconfig.json": TSCONFIG, "ok.ts": "export const ok = 1;\n", "ok.js": "export const ok = 1;\n" }), { check: "typecheck" }],
      [path.join(root, "mixed"), { check: "lint" }],
    ];
    try {
      const env = { ...process.env, FORCE_COLOR: "0" };
      const out = execFileSync(process.execPath, ["--require", "tsx/cjs", CHECKS_OUTSIDE_JEST, root, JSON.stringify(runs)], { encoding: "utf8", env });
      ({ results, argv1 } = JSON.parse(out) as { results: CheckResult[]; argv1: string });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("lint passes clean code and prints nothing; fails an error with ESLint's report; fails more warnings than maxWarnings (0 by default); runs as ESLint's command", () => {
    const [cleanResult, brokenResult, noisyResult, noisyAllowed, probedResult] = results;
    expect(cleanResult).toEqual({ success: true, output: "" });
    expect(brokenResult.success).toBe(false);
    expect(brokenResult.output).toMatch(/1:33\s+error\s+Expected '===' and instead saw '=='\s+eqeqeq/);
    expect(noisyResult.success).toBe(false);
    expect(noisyResult.output).toMatch(/1:1\s+warning\s+Unexpected console statement\s+no-console/);
    expect(noisyResult.output).toContain("ESLint found too many warnings (maximum: 0).");
    expect(noisyAllowed.success).toBe(true);

    // While it lints, argv[1] names ESLint's own command, so nx's module-boundary rule reads the
    // project graph once rather than for every file (nrwl/nx#36611); afterwards it is restored.
    const eslintPackage = require.resolve("eslint/package.json");
    const eslintCommand = path.resolve(path.dirname(eslintPackage), (JSON.parse(fs.readFileSync(eslintPackage, "utf8")) as { bin: { eslint: string } }).bin.eslint);
    expect(probedResult.output).toContain(`argv[1] = ${eslintCommand}`);
    expect(argv1).toBe(CHECKS_OUTSIDE_JEST);
  });

  it("lints and type checks, each project keeping its own result in order", () => {
    const [typed, mixedTypes, mixedLint] = results.slice(5);
    expect([typed.success, mixedTypes.success, mixedLint.success]).toEqual([false, true, true]);
    expect(typed.output).toContain("bad.ts(1,14): error TS2322: Type 'number' is not assignable to type 'string'.");
  });

  it("runs both kinds at once", async () => {
    // Each kind finishes only once the other has started: one after the other, they never would.
    let lintStarted: () => void = () => undefined;
    let typecheckStarted: () => void = () => undefined;
    const lintRunning = new Promise<void>((resolve) => (lintStarted = resolve));
    const typecheckRunning = new Promise<void>((resolve) => (typecheckStarted = resolve));
    const results = await checks(scratch, {
      lint: () => async (projects) => {
        lintStarted();
        await typecheckRunning;
        return projects.map(() => ({ success: true, output: "linted" }));
      },
      typecheck: () => async (projects) => {
        typecheckStarted();
        await lintRunning;
        return projects.map(() => ({ success: true, output: "type checked" }));
      },
    })([
      { root: "a", options: { check: "lint" } },
      { root: "a", options: { check: "typecheck" } },
    ]);
    expect(results.map((r) => r.output)).toEqual(["linted", "type checked"]);
  }, 5_000);
});

describe("a batch", () => {
  it("reports each project on its own and runs the check factory once", async () => {
    project("clean", { "tsconfig.json": TSCONFIG, "ok.ts": "export const ok = 1;\n" });
    const broken = project("broken", { "tsconfig.json": TSCONFIG, "bad.ts": "export const bad: string = 1;\n" });
    const task = (p: string) => ({ id: `${p}:typecheck`, target: { project: p, target: "typecheck" }, overrides: {}, outputs: [], parallelism: true });
    const taskGraph = { tasks: { "clean:typecheck": task("clean"), "broken:typecheck": task("broken") } } as unknown as TaskGraph;
    const context = { root: scratch, projectsConfigurations: { version: 2, projects: { clean: { root: "clean" }, broken: { root: "broken" } } } } as unknown as ExecutorContext;
    const factory = jest.fn((_workspaceRoot: string) => typecheck());

    const results = [];
    for await (const r of batchOfTasks(factory)(taskGraph, { "clean:typecheck": {}, "broken:typecheck": {} }, {}, context)) results.push(r);

    expect(factory.mock.calls).toEqual([[scratch]]);
    expect(results.map((r) => [r.task, r.result.success])).toEqual([["clean:typecheck", true], ["broken:typecheck", false]]);
    expect(results[1].result.terminalOutput).toContain(`${path.relative(process.cwd(), broken)}/bad.ts(1,14): error TS2322`);
  });
});

describe("a single task", () => {
  it("checks the project nx names and prints the failure on stderr", async () => {
    const broken = project("broken", { "tsconfig.json": TSCONFIG, "bad.ts": "export const bad: string = 1;\n" });
    const context = { root: scratch, projectName: "broken", projectsConfigurations: { version: 2, projects: { broken: { root: "broken" } } } } as unknown as ExecutorContext;
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await singleTask(() => typecheck())({}, context)).toEqual({ success: false });
      expect(String(stderr.mock.calls[0]?.[0])).toContain(`${path.relative(process.cwd(), broken)}/bad.ts(1,14): error TS2322`);
    } finally {
      stderr.mockRestore();
    }
  });
});
