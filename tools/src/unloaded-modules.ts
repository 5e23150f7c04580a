// Imported first by the offline plan: the modules jest.preset.js maps to its stand-in (those
// @pulumi/pulumi loads only to serialize functions or run its Automation API, which a mock run never
// does) go into require's cache as that same stand-in, so the plan does not load them either.
import Module, { createRequire } from "node:module";
import * as path from "node:path";

const WORKSPACE_ROOT = path.resolve(__dirname, "..", "..");
const preset = require(path.join(WORKSPACE_ROOT, "jest.preset.js")) as { moduleNameMapper: Record<string, string> };
const STAND_IN = path.join(WORKSPACE_ROOT, "jest.unloaded-module.js");

/** The module ids jest.preset.js maps to the stand-in (`^id$` patterns). */
export const UNLOADED_MODULES = Object.entries(preset.moduleNameMapper)
  .filter(([, target]) => target === STAND_IN)
  .map(([pattern]) => pattern.replace(/^\^/, "").replace(/\$$/, ""));

const stub: unknown = require(STAND_IN);
const requireAsPulumi = createRequire(require.resolve("@pulumi/pulumi"));
for (const id of UNLOADED_MODULES) {
  const file = requireAsPulumi.resolve(id);
  require.cache[file] ??= Object.assign(new Module(file), { filename: file, loaded: true, exports: stub });
}
