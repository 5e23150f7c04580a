// Jest's own runtime (the `runtime` in jest.preset.js), with what it redoes for every test file of a
// project shared between them: compiling each module, and reading installed packages' sources.
// Every test file gets a fresh module registry, so @pulumi/pulumi and @pulumi/aws (~660 modules) were
// read and compiled again for each one, a third of a project's test time. Each test file still
// evaluates every module afresh: only reading and compiling are shared. V8's code cache is also kept
// on disk, for the other projects' jest processes: each one's first test file compiled it all again.
// Within a test file, `jest.isolateModules` evaluates only the workspace's modules afresh, not
// installed packages (see workspaceModulesOnly).
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const WRAPPED = Symbol.for("mlapi.jest.codeCache");

/**
 * V8 code caches in a folder, one file each, under a key of the file, its whole source and Node's
 * version: V8 itself only checks a cache against the source's length. Written whole under another
 * name, then renamed, since nx runs two projects' jest side by side; one that cannot be read is none.
 */
function diskCodeCache(dir) {
  const fileOf = (filename, code) => path.join(dir, crypto.createHash("sha256").update([process.version, filename, code].join("\0")).digest("hex"));
  return {
    get(filename, code) {
      try {
        return fs.readFileSync(fileOf(filename, code));
      } catch {
        return undefined;
      }
    },
    set(filename, code, data) {
      const file = fileOf(filename, code);
      try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(`${file}.${process.pid}`, data);
        fs.renameSync(`${file}.${process.pid}`, file);
      } catch {
        // A cache that cannot be written only costs the next process a compile.
      }
    },
  };
}

/**
 * `vm.compileFunction` for jest's modules (calls that name a file and a context), compiled instead
 * as a `vm.Script` of the source wrapped in a function with the same parameters and line numbers. V8
 * keeps each script it compiled and serves it again for the same source in any context, so every
 * test file after a process's first gets each module from there; compileFunction has no such cache,
 * and reading a code cache back for every test file cost more than compiling did. The first compile
 * of a file in a process reads V8's code cache from the `disk()` store, or makes it and stores it,
 * also when V8 rejects the stored one. Any other call, and a source that starts with a hashbang
 * (only a script's first line may), is left to `compileFunction`.
 */
function compiledAsScripts(compileFunction, disk = () => undefined) {
  const compiledHere = new Map();
  const compile = function (code, params, options) {
    if (!options || !options.filename || !options.parsingContext || options.cachedData || options.produceCachedData || code.startsWith("#!")) {
      return compileFunction.apply(this, arguments);
    }
    const { filename, parsingContext, importModuleDynamically } = options;
    const source = `(function (${params.join(", ")}) {\n${code}\n})`;
    const scriptOf = (cachedData) => new vm.Script(source, { filename, lineOffset: -1, cachedData, importModuleDynamically });
    if (compiledHere.get(filename) === source) return scriptOf().runInContext(parsingContext);
    compiledHere.set(filename, source);
    const store = disk();
    const stored = store && store.get(filename, source);
    const script = scriptOf(stored);
    if (store && (!stored || script.cachedDataRejected)) store.set(filename, source, script.createCachedData());
    return script.runInContext(parsingContext);
  };
  compile[WRAPPED] = true;
  return compile;
}

// The disk store is jest's cache directory's, known once jest makes the runtime (so `jest --clearCache`
// clears it too, and `--no-cache` uses none).
let codeCacheOnDisk;
if (!vm.compileFunction[WRAPPED]) vm.compileFunction = compiledAsScripts(vm.compileFunction, () => codeCacheOnDisk);

const PACKAGE_DIR = `${path.sep}node_modules${path.sep}`;
const isPackage = (file) => file.includes(PACKAGE_DIR);

/**
 * Makes a test file's map of file contents (jest's `cacheFS`, which its runtime and transformer read
 * modules through) serve the sources of installed packages from `shared`, one map for every test file
 * of the process: packages do not change during a run. The workspace's own files stay in the file's
 * own map, read from disk afresh for each test file as jest does.
 */
function withSharedPackageSources(cacheFS, shared) {
  const own = Map.prototype;
  cacheFS.get = (file) => own.get.call(cacheFS, file) ?? (isPackage(file) ? shared.get(file) : undefined);
  cacheFS.set = (file, source) => {
    if (isPackage(file)) shared.set(file, source);
    return own.set.call(cacheFS, file, source);
  };
  return cacheFS;
}

/**
 * The module registry of a `jest.isolateModules` block that isolates only the workspace's modules:
 * an installed package is looked up in, and loaded into, the test file's own registry (`packages()`),
 * as if there were no block. libs/testing's programLoader isolates a program to evaluate it afresh for
 * each render; on the way @pulumi/aws loads each service module on first use, and each of those loaded
 * @pulumi/pulumi/runtime, grpc-js and OpenTelemetry again: ~400 modules per render, a fifth of a
 * layer's test time. Packages keep their state in Pulumi's global store, not per registry, anyway.
 */
class WorkspaceModulesOnly extends Map {
  constructor(packages) {
    super();
    this.packages = packages;
  }
  get(file) {
    return isPackage(file) ? this.packages().get(file) : super.get(file);
  }
  has(file) {
    return isPackage(file) ? this.packages().has(file) : super.has(file);
  }
  set(file, module) {
    if (isPackage(file)) this.packages().set(file, module);
    else super.set(file, module);
    return this;
  }
  delete(file) {
    return isPackage(file) ? this.packages().delete(file) : super.delete(file);
  }
}

/** Makes every `jest.isolateModules` block of a runtime's `registries` isolate the workspace's modules only. */
function workspaceModulesOnly(registries) {
  const enterIsolated = registries.enterIsolated;
  registries.enterIsolated = function (...args) {
    enterIsolated.apply(this, args);
    this.isolation.cjs = new WorkspaceModulesOnly(() => this.moduleRegistry);
  };
  return registries;
}

const packageSources = new Map();
let SharingRuntime;

module.exports = {
  __esModule: true,
  // Loaded when jest asks for the runtime, not when a test requires this file for its helpers.
  get default() {
    const Runtime = require("jest-runtime").default;
    SharingRuntime ??= class extends Runtime {
      constructor(config, environment, resolver, transformer, cacheFS, ...rest) {
        super(config, environment, resolver, transformer, withSharedPackageSources(cacheFS, packageSources), ...rest);
        if (config.cache !== false) codeCacheOnDisk ??= diskCodeCache(path.join(config.cacheDirectory, "mlapi-v8-code-cache"));
        workspaceModulesOnly(this.registries);
      }
    };
    return SharingRuntime;
  },
  diskCodeCache,
  compiledAsScripts,
  withSharedPackageSources,
  WorkspaceModulesOnly,
  WRAPPED,
};
