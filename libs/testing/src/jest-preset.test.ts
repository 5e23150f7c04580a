import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import type * as Pulumi from "@pulumi/pulumi";

// The workspace's jest files are plain JavaScript at its root, outside every project.
const workspaceFile = (name: string) => path.resolve(__dirname, "../../..", name);

/** Where jest.runtime.js and jest.transform.js keep V8 code caches (diskCodeCache). */
type CodeCacheStore = { get(filename: string, code: string): Buffer | undefined; set(filename: string, code: string, data: Buffer): void };
/** A store in memory, keyed by file and source unless told otherwise, that records what it was asked. */
const memoryStore = (keyOf = (filename: string, code: string) => `${filename}\0${code}`) => {
  const entries = new Map<string, Buffer>();
  const asked: string[] = [];
  const store: CodeCacheStore = {
    get: (filename, code) => {
      asked.push(`get ${entries.has(keyOf(filename, code)) ? "hit" : "miss"}`);
      return entries.get(keyOf(filename, code));
    },
    set: (filename, code, data) => {
      asked.push("set");
      entries.set(keyOf(filename, code), data);
    },
  };
  return { store, asked, entries };
};

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

// jest.preset.js runs tests on jest.runtime.js, which compiles each module once per process (keeping
// V8's code cache on disk), shares installed packages' sources between test files, and keeps
// installed packages out of jest.isolateModules.
describe("jest's runtime: modules compiled once per process, shared package sources, workspace-only isolation", () => {
  const runtime = require(workspaceFile("jest.runtime.js")) as {
    compiledAsScripts(compile: typeof vm.compileFunction, disk?: () => CodeCacheStore | undefined): typeof vm.compileFunction;
    diskCodeCache(dir: string): CodeCacheStore;
    withSharedPackageSources(cacheFS: Map<string, string>, shared: Map<string, string>): Map<string, string>;
    WorkspaceModulesOnly: new (packages: () => Map<string, unknown>) => Map<string, unknown>;
    WRAPPED: symbol;
  };
  type Module = (exports: Record<string, unknown>, require: unknown) => void;
  /** Compiles `code` as jest does, for a fresh context unless one is given, and runs it: its exports. */
  const load = (compile: typeof vm.compileFunction, code: string, context = vm.createContext({}), filename = "/virtual/probe.js") => {
    const exports: Record<string, unknown> = {};
    (compile(code, ["exports", "require"], { filename, parsingContext: context }) as unknown as Module)(exports, undefined);
    return exports;
  };
  it("is the runtime this very test runs on", () => {
    const preset = require(workspaceFile("jest.preset.js")) as { runtime: string };
    expect(preset.runtime).toBe(workspaceFile("jest.runtime.js"));
    expect((vm.compileFunction as unknown as Record<symbol, unknown>)[runtime.WRAPPED]).toBe(true);
  });

  it("compiles a module into each context it is asked for, with the parameters it is given", () => {
    const compile = runtime.compiledAsScripts(vm.compileFunction);
    const code = "exports.global = globalThis; exports.required = typeof require; exports.answer = 6 * 7;";
    const [first, second] = [vm.createContext({}), vm.createContext({})];
    const [a, b] = [load(compile, code, first), load(compile, code, second)];
    expect(a.global).toBe(vm.runInContext("globalThis", first));
    expect(b.global).toBe(vm.runInContext("globalThis", second));
    expect([a.answer, a.required, b.answer]).toEqual([42, "undefined", 42]);
  });

  it("keeps compileFunction's line and column numbers", () => {
    const compile = runtime.compiledAsScripts(vm.compileFunction);
    const code = "exports.f = 1;\n\n  exports.stack = new Error('here').stack;";
    const expected = load(vm.compileFunction, code).stack as string;
    expect((load(compile, code).stack as string).split("\n")[1]).toBe(expected.split("\n")[1]);
    expect(expected.split("\n")[1]).toContain("/virtual/probe.js:3:19");
  });

  it("compiles a changed file afresh, never running stale code", () => {
    const compile = runtime.compiledAsScripts(vm.compileFunction);
    expect(load(compile, "exports.version = 1;").version).toBe(1);
    expect(load(compile, "exports.version = 2;").version).toBe(2);
  });

  it("leaves a compile without a file name or context, or of a hashbang script, to compileFunction", () => {
    const asked: string[] = [];
    const spy = ((...args: Parameters<typeof vm.compileFunction>) => {
      asked.push(args[0]);
      return vm.compileFunction(...args);
    }) as typeof vm.compileFunction;
    const compile = runtime.compiledAsScripts(spy);
    compile("return 1;");
    compile("#!/usr/bin/env node\nexports.x = 1;", ["exports"], { filename: "/virtual/bin.js", parsingContext: vm.createContext({}) });
    load(compile, "exports.y = 1;");
    expect(asked).toEqual(["return 1;", "#!/usr/bin/env node\nexports.x = 1;"]);
  });

  describe("with V8's code cache kept on disk for the next process", () => {
    it("reads the store once per file in a process, and fills it when it had nothing", () => {
      const { store, asked } = memoryStore();
      const compile = runtime.compiledAsScripts(vm.compileFunction, () => store);
      expect([load(compile, "exports.v = 1;").v, load(compile, "exports.v = 1;").v]).toEqual([1, 1]);
      expect(asked).toEqual(["get miss", "set"]);

      const nextProcess = runtime.compiledAsScripts(vm.compileFunction, () => store);
      expect(load(nextProcess, "exports.v = 1;").v).toBe(1);
      expect(asked).toEqual(["get miss", "set", "get hit"]);
    });

    it("replaces a stored cache V8 rejects", () => {
      const { store, asked, entries } = memoryStore();
      const corrupted: CodeCacheStore = { get: (filename, code) => store.get(filename, code) ?? Buffer.from("not a code cache"), set: store.set };
      // A source this process has not compiled, or V8 would answer from its own cache and never look.
      expect(load(runtime.compiledAsScripts(vm.compileFunction, () => corrupted), "exports.v = 'rejected';").v).toBe("rejected");
      expect(asked).toEqual(["get miss", "set"]);
      expect([...entries.values()][0].toString()).not.toBe("not a code cache");
    });

    describe("in a folder", () => {
      let dir: string;
      beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlapi-code-cache-"))));
      afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

      it("gives a process what another stored for the same file and source", () => {
        runtime.diskCodeCache(dir).set("/virtual/probe.js", "exports.v = 1;", Buffer.from("cache of 1"));
        expect(runtime.diskCodeCache(dir).get("/virtual/probe.js", "exports.v = 1;")?.toString()).toBe("cache of 1");
        expect(fs.readdirSync(dir)).toHaveLength(1);
      });

      it("never serves the cache of another source of the same length (V8 checks only the length)", () => {
        const store = runtime.diskCodeCache(dir);
        store.set("/virtual/probe.js", "exports.v = 1;", Buffer.from("cache of 1"));
        expect(store.get("/virtual/probe.js", "exports.v = 2;")).toBeUndefined();
        expect(store.get("/virtual/probe.js", "exports.v = 1;")?.toString()).toBe("cache of 1");
      });
    });
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
    const requireBoth = () => [require("@pulumi/pulumi/runtime"), (require(probe) as { evaluation: symbol }).evaluation];
    const [outsidePackage, outsideProbe] = requireBoth();
    let inside: unknown[] = [];
    jest.isolateModules(() => (inside = requireBoth()));
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
    requireThroughCodeCache(file: string, store: CodeCacheStore): { exports: Record<string, unknown>; fromCache: boolean; keep(): void };
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

  it("requires a file (TypeScript) through V8's code cache, storing one at keep() when there was none or V8 rejected it", () => {
    // Copies of one source at three paths: V8's in-process cache answers a path it compiled before
    // without reading the code cache at all. The store is keyed by source, so each copy reads it.
    const copy = (n: number) => {
      const file = path.join(scratch, `lib-${n}.js`);
      fs.writeFileSync(file, "exports.double = (n) => n * 2;\n");
      return file;
    };
    const { store, asked, entries } = memoryStore((_file, code) => code);
    const first = transform.requireThroughCodeCache(copy(1), store);
    expect((first.exports.double as (n: number) => number)(21)).toBe(42);
    expect([first.fromCache, asked]).toEqual([false, ["get miss"]]);
    first.keep();
    first.keep();
    const second = transform.requireThroughCodeCache(copy(2), store);
    expect([second.fromCache, (second.exports.double as (n: number) => number)(4)]).toEqual([true, 8]);
    second.keep();
    expect(asked).toEqual(["get miss", "set", "get hit"]);
    // One V8 rejects is made again at keep().
    const [[key]] = [...entries];
    entries.set(key, Buffer.from("not a code cache"));
    const third = transform.requireThroughCodeCache(copy(3), store);
    expect(third.fromCache).toBe(false);
    third.keep();
    expect(asked.slice(3)).toEqual(["get hit", "set"]);
    expect(entries.get(key)?.toString()).not.toBe("not a code cache");
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
