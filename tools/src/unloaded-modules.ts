// Imported first by the offline plan. @pulumi/pulumi loads modules when it is imported only to
// serialize functions (pulumi/pulumi#7184) or run its Automation API, which a mock run never does:
// they were 0.7 s of the plan's 1 s start. They go into require's cache as the stub the tests use for
// the same reason (jest.unloaded-module.js), which throws, naming itself, if anything does use them.
import Module, { createRequire } from "node:module";
import * as path from "node:path";

const stub = require(path.resolve(__dirname, "..", "..", "jest.unloaded-module.js")) as Record<symbol, string[]>;
/** The modules left unloaded: the stand-in's own list, which jest.preset.js maps too. */
export const UNLOADED_MODULES = stub[Symbol.for("mlapi.unloadedModules")];
const requireAsPulumi = createRequire(require.resolve("@pulumi/pulumi"));
for (const id of UNLOADED_MODULES) {
  const file = requireAsPulumi.resolve(id);
  require.cache[file] ??= Object.assign(new Module(file), { filename: file, loaded: true, exports: stub });
}
