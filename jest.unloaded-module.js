// The stand-in jest.preset.js maps the modules @pulumi/pulumi loads only for function serialization
// and its Automation API to (the offline plan, tools/src/unloaded-modules.ts, too). Anything that
// does use one fails here, loudly, instead of passing on a stub.
const unloaded = (property) =>
  new Error(
    `jest.unloaded-module.js: "${String(property)}" read from a stand-in for a module Pulumi loads only to ` +
      "serialize functions or run its Automation API (see moduleNameMapper in jest.preset.js). " +
      "Remove the mapping where either is used.",
  );

module.exports = new Proxy(
  {},
  {
    // __esModule and symbols are probed by module interop helpers on load; answer "not there".
    get(_target, property) {
      if (property === "__esModule" || typeof property === "symbol") return undefined;
      throw unloaded(property);
    },
    ownKeys: () => [],
  },
);
