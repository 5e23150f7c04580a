import * as path from "node:path";
import * as vm from "node:vm";

// jest.preset.js maps Pulumi's function-serialization dependencies to jest.unloaded-module.js.
describe("modules jest leaves unloaded", () => {
  it.each(["typescript", "@npmcli/arborist"])("%s is a stub that refuses every use, naming the mapping", (id) => {
    const mod = require(id) as Record<string, unknown>;
    expect(() => mod.version).toThrow(`"version" read from a stand-in for a module Pulumi loads only to serialize functions`);
  });

  it("still lets @pulumi/pulumi load, since it only reads them when serializing a function", async () => {
    const pulumi = await import("@pulumi/pulumi");
    expect(pulumi.output(1)).toBeDefined();
  });
});

// jest.preset.js runs tests on jest.runtime.js, which shares V8's code cache and installed packages'
// sources between test files.
describe("jest's runtime with a code cache and shared package sources", () => {
  // The workspace's jest files are plain JavaScript at its root, outside every project.
  const workspaceFile = (name: string) => path.resolve(__dirname, "../../..", name);
  const runtime = require(workspaceFile("jest.runtime.js")) as {
    withCodeCache(compile: typeof vm.compileFunction, cache?: Map<string, { code: string; data: Buffer }>): typeof vm.compileFunction;
    withSharedPackageSources(cacheFS: Map<string, string>, shared: Map<string, string>): Map<string, string>;
    WRAPPED: symbol;
  };
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
});
