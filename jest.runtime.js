// Jest's own runtime, with V8's code cache kept across test files (the `runtime` in jest.preset.js).
// Every test file gets a fresh module registry, so each module is compiled again per file, and jest
// compiles with vm.compileFunction, which V8's in-memory script cache does not serve. @pulumi/pulumi
// and @pulumi/aws were compiled ~25 times in one project: a third of its test time. Here the first
// compile of a file produces V8's code cache and later compiles of the same source consume it.
// Each test file still evaluates every module afresh: only the parse and compile are shared.
const vm = require("node:vm");

const WRAPPED = Symbol.for("mlapi.jest.codeCache");

/**
 * Wraps `vm.compileFunction` so that compiling the same source of the same file again reuses V8's
 * code cache. Only calls that name a file and a context (jest's) are cached; a caller that handles
 * the code cache itself is left alone. A changed source is compiled afresh and replaces the entry.
 */
function withCodeCache(compileFunction, cache = new Map()) {
  const compile = function (code, params, options) {
    if (!options || !options.filename || !options.parsingContext || options.cachedData || options.produceCachedData) {
      return compileFunction.apply(this, arguments);
    }
    const cached = cache.get(options.filename);
    if (cached && cached.code === code) return compileFunction(code, params, { ...options, cachedData: cached.data });
    const fn = compileFunction(code, params, { ...options, produceCachedData: true });
    if (fn.cachedData) cache.set(options.filename, { code, data: fn.cachedData });
    return fn;
  };
  compile[WRAPPED] = true;
  return compile;
}

if (!vm.compileFunction[WRAPPED]) vm.compileFunction = withCodeCache(vm.compileFunction);

module.exports = {
  __esModule: true,
  // Loaded when jest asks for the runtime, not when a test requires this file for withCodeCache.
  get default() {
    return require("jest-runtime").default;
  },
  withCodeCache,
  WRAPPED,
};
