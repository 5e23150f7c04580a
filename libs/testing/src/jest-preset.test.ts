import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import type * as Pulumi from "@pulumi/pulumi";

// The workspace's jest files are plain JavaScript at its root, outside every project.
const workspaceFile = (name: string) => path.resolve(__dirname, "../../..", name);

// jest.preset.js maps Pulumi's function-serialization dependencies to jest.unloaded-module.js.
describe("modules jest leaves unloaded", () => {
  it.each(["typescript", "@npmcli/arborist", "normalize-package-data", "execa", "tmp", "@logdna/tail-file"])("%s is a stub that refuses every use, naming the mapping", (id) => {
    const mod = require(id) as Record<string, unknown>;
    expect(() => mod.version).toThrow(`"version" read from a stand-in for a module Pulumi loads only to serialize functions or run its Automation API`);
  });

  it("still lets @pulumi/pulumi load, since it only reads them when serializing a function or running the CLI", () => {
    const pulumi = require("@pulumi/pulumi") as typeof Pulumi;
    expect(pulumi.output(1)).toBeDefined();
  });
});

// jest.preset.js runs tests on jest.runtime.js, which shares V8's code cache and installed packages'
// sources between test files, and keeps installed packages out of jest.isolateModules.
describe("jest's runtime with a code cache, shared package sources and workspace-only isolation", () => {
  const runtime = require(workspaceFile("jest.runtime.js")) as {
    withCodeCache(compile: typeof vm.compileFunction, cache?: Map<string, { code: string; data: Buffer }>, disk?: () => CodeCacheStore | undefined): typeof vm.compileFunction;
    diskCodeCache(dir: string): CodeCacheStore;
    withSharedPackageSources(cacheFS: Map<string, string>, shared: Map<string, string>): Map<string, string>;
    WorkspaceModulesOnly: new (packages: () => Map<string, unknown>) => Map<string, unknown>;
    WRAPPED: symbol;
  };
  type CodeCacheStore = { get(filename: string, code: string): Buffer | undefined; set(filename: string, code: string, data: Buffer): void };
  type Compiled = ReturnType<typeof vm.compileFunction> & { cachedData?: Buffer; cachedDataRejected?: boolean };
  const compileIn = (compile: typeof vm.compileFunction, code: string, filename = "/virtual/probe.js") =>
    compile(code, ["exports"], { filename, parsingContext: vm.createContext({}) }) as Compiled;

  it("is the runtime this very test runs on", () => {
    const preset = require(workspaceFile("jest.preset.js")) as { runtime: string };
    expect(preset.runtime).toBe(workspaceFile("jest.runtime.js"));
    expect((vm.compileFunction as unknown as Record<symbol, unknown>)[runtime.WRAPPED]).toBe(true);
  });

  it("compiles a file once and serves the next context from V8's code cache", () => {
    const cache = new Map<string, { code: string; data: Buffer }>();
    const compile = runtime.withCodeCache(vm.compileFunction, cache);
    const first = compileIn(compile, "exports.answer = 6 * 7;");
    expect(cache.get("/virtual/probe.js")?.data).toBe(first.cachedData);

    const second = compileIn(compile, "exports.answer = 6 * 7;");
    expect(second.cachedDataRejected).toBe(false);
    const exports: { answer?: number } = {};
    second(exports);
    expect(exports.answer).toBe(42);
  });

  it("compiles a changed file afresh, never running stale code", () => {
    const compile = runtime.withCodeCache(vm.compileFunction);
    compileIn(compile, "exports.version = 1;");
    const changed = compileIn(compile, "exports.version = 2;");
    expect(changed.cachedDataRejected).toBeUndefined();
    const exports: { version?: number } = {};
    changed(exports);
    expect(exports.version).toBe(2);
  });

  describe("kept on disk for the next process", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-code-cache-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    /** A process's compile: its own memory cache, the store in `dir`, and what V8 was asked to do. */
    const processCompile = () => {
      const asked: string[] = [];
      const spy = ((code: string, params: string[], options: vm.CompileFunctionOptions) => {
        asked.push(options.cachedData ? "consume" : options.produceCachedData ? "produce" : "plain");
        return vm.compileFunction(code, params, options);
      }) as typeof vm.compileFunction;
      const store = runtime.diskCodeCache(dir);
      return { compile: runtime.withCodeCache(spy, new Map(), () => store), asked };
    };
    const run = (fn: Compiled) => {
      const exports: { v?: number } = {};
      fn(exports);
      return exports.v;
    };

    it("serves a file another process compiled from the store", () => {
      const first = processCompile();
      compileIn(first.compile, "exports.v = 1;");
      const next = processCompile();
      const fn = compileIn(next.compile, "exports.v = 1;");
      expect([first.asked, next.asked]).toEqual([["produce"], ["consume"]]);
      expect(fn.cachedDataRejected).toBe(false);
      expect(run(fn)).toBe(1);
    });

    it("never serves the cache of another source of the same length (V8 checks only the length)", () => {
      compileIn(processCompile().compile, "exports.v = 1;");
      const next = processCompile();
      expect(run(compileIn(next.compile, "exports.v = 2;"))).toBe(2);
      expect(next.asked).toEqual(["produce"]);
      expect(fs.readdirSync(dir)).toHaveLength(2);
    });

    it("compiles afresh and replaces a stored cache V8 rejects", () => {
      compileIn(processCompile().compile, "exports.v = 3;");
      const [entry] = fs.readdirSync(dir);
      fs.writeFileSync(path.join(dir, entry), "not a code cache");
      const next = processCompile();
      expect(run(compileIn(next.compile, "exports.v = 3;"))).toBe(3);
      expect(next.asked).toEqual(["consume", "produce"]);
      expect(fs.readFileSync(path.join(dir, entry), "utf8")).not.toBe("not a code cache");
    });
  });

  it("leaves a compile without a file name or context to V8", () => {
    const cache = new Map();
    runtime.withCodeCache(vm.compileFunction, cache)("return 1;");
    expect(cache.size).toBe(0);
  });

  it("serves a package's source read by one test file to the next, and no workspace file", () => {
    const shared = new Map<string, string>();
    const pkg = "/w/node_modules/@pulumi/aws/index.js";
    const own = "/w/libs/core/src/index.ts";
    const first = runtime.withSharedPackageSources(new Map(), shared);
    first.set(pkg, "exports.aws = 1;");
    first.set(own, "export const core = 1;");

    const next = runtime.withSharedPackageSources(new Map([["/w/tests/next.test.ts", "test source"]]), shared);
    expect(next.get(pkg)).toBe("exports.aws = 1;");
    expect(next.get(own)).toBeUndefined();
    expect(next.get("/w/tests/next.test.ts")).toBe("test source");
    expect([...shared.keys()]).toEqual([pkg]);
  });

  it("evaluates the workspace's modules afresh in jest.isolateModules, and no installed package", () => {
    const probe = path.join(__dirname, "fixtures", "evaluation-probe.ts");
    const load = () => [require("@pulumi/pulumi/runtime"), (require(probe) as { evaluation: symbol }).evaluation];
    const [outsidePackage, outsideProbe] = load();
    let inside: unknown[] = [];
    jest.isolateModules(() => (inside = load()));
    expect(inside[0]).toBe(outsidePackage);
    expect(inside[1]).not.toBe(outsideProbe);
  });

  it("keeps what an isolated block loads from a package in the test file's registry", () => {
    const pkg = "/w/node_modules/@pulumi/aws/index.js";
    const own = "/w/libs/core/src/index.ts";
    const fileRegistry = new Map<string, unknown>([[pkg, "loaded before the block"]]);
    const block = new runtime.WorkspaceModulesOnly(() => fileRegistry);
    expect(block.get(pkg)).toBe("loaded before the block");
    block.set(own, "own").set("/w/node_modules/tslib/tslib.js", "tslib");
    expect([...fileRegistry.keys()]).toEqual([pkg, "/w/node_modules/tslib/tslib.js"]);
    expect([block.get(own), block.has(own), fileRegistry.has(own)]).toEqual(["own", true, false]);
    expect(block.delete(pkg)).toBe(true);
    expect(fileRegistry.has(pkg)).toBe(false);
  });
});

// jest.preset.js transforms TypeScript with jest.transform.js: ts-jest, its output shared between projects.
describe("ts-jest with its output shared between projects", () => {
  type Output = { code: string; map: string | null };
  type Transformer = { process(source: string, file: string, options: object): Output; getCacheKey(...args: unknown[]): string };
  const transform = require(workspaceFile("jest.transform.js")) as {
    tsconfigOptionsKey(ts: object, rootDir: string): string | undefined;
    withSharedOutput(inner: Transformer, options: { sharedDir: (o: object) => string; optionsKeyOf: (rootDir: string) => string | undefined; salt: string }): Transformer;
  };
  // "typescript" itself is the preset's stand-in here (see above); this path is the real one.
  const ts = require("typescript/lib/typescript") as object;

  let scratch: string;
  beforeEach(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-transform-"))));
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const write = (file: string, json: object) => {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), JSON.stringify(json));
    return path.dirname(path.join(scratch, file));
  };

  it("is the transform this very test runs on", () => {
    const preset = require(workspaceFile("jest.preset.js")) as { transform: Record<string, [string, object]> };
    expect(preset.transform["^.+\\.ts$"]).toEqual([workspaceFile("jest.transform.js"), { diagnostics: false }]);
  });

  it("keys projects by their compiler options, not by where their tsconfig is or what it includes", () => {
    write("tsconfig.base.json", { compilerOptions: { strict: true, module: "commonjs" } });
    const a = write("a/tsconfig.json", { extends: "../tsconfig.base.json", include: ["**/*.ts"] });
    const b = write("b/tsconfig.json", { extends: "../tsconfig.base.json", include: ["src/*.ts"], exclude: ["dist"] });
    const loose = write("loose/tsconfig.json", { extends: "../tsconfig.base.json", compilerOptions: { strict: false } });
    expect(transform.tsconfigOptionsKey(ts, a)).toContain('["strict",true]');
    expect(transform.tsconfigOptionsKey(ts, a)).toBe(transform.tsconfigOptionsKey(ts, b));
    expect(transform.tsconfigOptionsKey(ts, loose)).not.toBe(transform.tsconfigOptionsKey(ts, a));
    expect(transform.tsconfigOptionsKey(ts, path.join(scratch, "none"))).toBeUndefined();
  });

  it("transforms a file once for all projects with the same options, and again when the source or the options differ or caching is off", () => {
    const inner = { process: jest.fn((source: string, file: string) => ({ code: `compiled ${file}: ${source}`, map: null })), getCacheKey: () => "inner" };
    const shared = transform.withSharedOutput(inner, { sharedDir: () => scratch, optionsKeyOf: (root) => (root === "/none" ? undefined : root.startsWith("/strict") ? "strict" : "loose"), salt: "v1" });
    const run = (root: string, source = "export const a = 1;") => shared.process(source, "/w/libs/core/src/a.ts", { config: { rootDir: root } });

    expect(run("/strict/core")).toEqual({ code: "compiled /w/libs/core/src/a.ts: export const a = 1;", map: null });
    expect(run("/strict/data")).toEqual({ code: "compiled /w/libs/core/src/a.ts: export const a = 1;", map: null });
    expect(inner.process).toHaveBeenCalledTimes(1);
    run("/strict/data", "export const a = 2;");
    run("/loose/app");
    run("/none");
    run("/none");
    expect(inner.process).toHaveBeenCalledTimes(5);
    // jest --no-cache: nothing kept is used.
    shared.process("export const a = 1;", "/w/libs/core/src/a.ts", { config: { rootDir: "/strict/core", cache: false } });
    expect(inner.process).toHaveBeenCalledTimes(6);
  });

  it("transforms again, and keeps the new output, when a kept one cannot be read", () => {
    const inner = { process: jest.fn(() => ({ code: "compiled", map: null })), getCacheKey: () => "inner" };
    const shared = transform.withSharedOutput(inner, { sharedDir: () => scratch, optionsKeyOf: () => "strict", salt: "v1" });
    const run = () => shared.process("export const a = 1;", "/w/a.ts", { config: { rootDir: "/w" } });
    run();
    const [kept] = fs.readdirSync(scratch).flatMap((d) => fs.readdirSync(path.join(scratch, d)).map((f) => path.join(scratch, d, f)));
    fs.writeFileSync(kept, '{"code": "trunc');
    expect(run()).toEqual({ code: "compiled", map: null });
    expect(run()).toEqual({ code: "compiled", map: null });
    expect(inner.process).toHaveBeenCalledTimes(2);
  });
});
