// Stands in, under jest only, for modules that @pulumi/pulumi loads eagerly for function
// serialization (typescript, @npmcli/arborist; see moduleNameMapper in jest.preset.js). Pulumi's
// mocks never serialize a function, and loading them cost ~0.8 s per test file and per program
// render (the SDK's own open issue: pulumi/pulumi#7184). Anything that does use them fails here,
// loudly, instead of passing on a stub.
const unloaded = (property) =>
  new Error(
    `jest.unloaded-module.js: "${String(property)}" read from a module jest.preset.js maps away ` +
      "(typescript, @npmcli/arborist for Pulumi's function serialization). Remove the mapping for tests that need it.",
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
