// Stands in for modules that @pulumi/pulumi loads on import only for what its mocks never do:
// serializing functions (typescript, @npmcli/arborist, normalize-package-data; the SDK's own open
// issue, pulumi/pulumi#7184) and running the CLI through the Automation API (execa, tmp,
// @logdna/tail-file). Used under jest (moduleNameMapper in jest.preset.js) and in the offline plan
// (tools/src/unloaded-modules.ts): loading them cost ~0.8 s per test file, program render and plan.
// Anything that does use them fails here, loudly, instead of passing on a stub.

/** The modules this stands in for: the one list jest.preset.js and the offline plan read. */
const MODULES = ["typescript", "@npmcli/arborist", "normalize-package-data", "execa", "tmp", "@logdna/tail-file"];
/** Where the stand-in answers with MODULES: a symbol, since reading any name from it throws. */
const LIST = Symbol.for("mlapi.unloadedModules");

const unloaded = (property) =>
  new Error(
    `jest.unloaded-module.js: "${String(property)}" read from a stand-in for a module Pulumi loads only to ` +
      `serialize functions or run its Automation API (${MODULES.join(", ")}), left unloaded by jest.preset.js ` +
      "and the offline plan. Remove the stand-in where either is used.",
  );

module.exports = new Proxy(
  {},
  {
    // __esModule and other symbols are probed by module interop helpers on load; answer "not there".
    get(_target, property) {
      if (property === LIST) return MODULES;
      if (property === "__esModule" || typeof property === "symbol") return undefined;
      throw unloaded(property);
    },
    ownKeys: () => [],
  },
);
