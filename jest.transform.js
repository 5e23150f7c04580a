// ts-jest (the `transform` of jest.preset.js), with what it emits shared between the workspace's jest
// projects. Jest keeps a transform cache per project and ts-jest's cache key names the project, so a
// file of libs/core was transpiled again by each project that loads it: ~550 transpiles of ~200 files
// in a cold `npm test`, ~15 CPU-s. Here ts-jest's output is also kept under a key of what decides it:
// the file, its source, the project's compiler options, ts-jest's options and the versions.
// TypeScript itself comes in through V8's code cache (requireThroughCodeCache).
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");
const { diskCodeCache } = require("./jest.runtime.js");

/**
 * The compiler options of `<rootDir>/tsconfig.json` (the tsconfig ts-jest reads) as a comparable key,
 * without the two that only say where the file lives; undefined without a readable tsconfig.
 */
function tsconfigOptionsKey(ts, rootDir) {
  const file = path.join(rootDir, "tsconfig.json");
  if (!fs.existsSync(file)) return undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(file, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) return undefined;
  const { configFilePath: _where, pathsBasePath: _base, ...options } = parsed.options;
  return JSON.stringify(Object.keys(options).sort().map((k) => [k, options[k]]));
}

/** A kept output, or undefined when there is none or it cannot be read (then it is made again). */
function readOutput(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Wraps a transformer so that `process` answers from `sharedDir` when a project with the same
 * options key already transformed the same source of the same file. Jest's own per-project cache
 * still comes first (getCacheKey is the inner one's). A project without an options key, and a run
 * with jest's cache off, are left to the inner transformer alone.
 */
function withSharedOutput(inner, { sharedDir, optionsKeyOf, salt }) {
  const keys = new Map();
  const keyOf = (source, file, { config, instrument, supportsStaticESM }) => {
    if (config.cache === false) return undefined; // jest --no-cache
    if (!keys.has(config.rootDir)) keys.set(config.rootDir, optionsKeyOf(config.rootDir));
    const options = keys.get(config.rootDir);
    if (options === undefined) return undefined;
    return crypto.createHash("sha256").update([salt, options, `instrument:${!!instrument} esm:${!!supportsStaticESM}`, file, source].join("\0")).digest("hex");
  };
  return {
    canInstrument: inner.canInstrument,
    getCacheKey: (...args) => inner.getCacheKey(...args),
    process(source, file, transformOptions) {
      const key = keyOf(source, file, transformOptions);
      const shared = key && path.join(sharedDir(transformOptions), key.slice(0, 2), key);
      const reused = shared && readOutput(shared);
      if (reused) return reused;
      const output = inner.process(source, file, transformOptions);
      if (shared) {
        // Written whole under another name, then renamed: nx runs two projects' jest side by side.
        fs.mkdirSync(path.dirname(shared), { recursive: true });
        fs.writeFileSync(`${shared}.${process.pid}`, JSON.stringify({ code: output.code, map: output.map }));
        fs.renameSync(`${shared}.${process.pid}`, shared);
      }
      return output;
    },
  };
}

/**
 * Requires a CommonJS file through V8's code cache in `store` (jest.runtime.js's diskCodeCache). ts-jest
 * loads TypeScript (9 MB) in jest's own process, outside the module registry whose compiles
 * jest.runtime.js caches: ~0.25 s of every project's jest, most of it compiling functions that a
 * code cache holds. `require` then finds the module in its cache. `keep()` stores the cache with
 * everything compiled until then (a first transpile compiles most of TypeScript's emitter) when there
 * was none or V8 rejected it; later calls do nothing.
 */
function requireThroughCodeCache(file, store) {
  const source = Module.wrap(fs.readFileSync(file, "utf8"));
  const cached = store.get(file, source);
  const script = new vm.Script(source, { filename: file, cachedData: cached, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const loaded = new Module(file, module);
  loaded.filename = file;
  require.cache[file] = loaded;
  try {
    script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  loaded.loaded = true;
  const fromCache = cached !== undefined && script.cachedDataRejected === false;
  let unkept = !fromCache;
  return {
    exports: loaded.exports,
    fromCache,
    keep() {
      if (unkept) store.set(file, source, script.createCachedData());
      unkept = false;
    },
  };
}

module.exports = {
  createTransformer(options) {
    // Made on first use, when jest's cache directory (which also keeps TypeScript's code cache) is known.
    let transformer;
    let typescript;
    const made = ({ config }) => {
      if (transformer) return transformer;
      const file = require.resolve("typescript");
      if (config.cache !== false && !require.cache[file]) typescript = requireThroughCodeCache(file, diskCodeCache(path.join(config.cacheDirectory, "mlapi-v8-code-cache")));
      const ts = require("typescript");
      transformer = withSharedOutput(require("ts-jest").default.createTransformer(options), {
        // Inside jest's cache directory, so `jest --clearCache` clears it too.
        sharedDir: ({ config }) => path.join(config.cacheDirectory, "mlapi-ts-jest-shared"),
        optionsKeyOf: (rootDir) => tsconfigOptionsKey(ts, rootDir),
        salt: JSON.stringify([`typescript@${ts.version}`, `ts-jest@${require("ts-jest/package.json").version}`, options ?? {}]),
      });
      return transformer;
    };
    return {
      getCacheKey: (source, file, transformOptions) => made(transformOptions).getCacheKey(source, file, transformOptions),
      process(source, file, transformOptions) {
        const output = made(transformOptions).process(source, file, transformOptions);
        typescript?.keep();
        return output;
      },
    };
  },
  requireThroughCodeCache,
  tsconfigOptionsKey,
  withSharedOutput,
};
