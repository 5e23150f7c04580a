// Shared jest settings. ts-jest runs transpile-only (isolatedModules in tsconfig.base.json): type checking is the `typecheck` target,
// so tests stay fast and a type error fails one target, not every test file.
const path = require("node:path");
const UNLOADED = path.join(__dirname, "jest.unloaded-module.js");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Jest's runtime, compiling each module once per process and sharing package sources (see the file).
  runtime: path.join(__dirname, "jest.runtime.js"),
  // ts-jest, its output shared between the projects (see the file).
  transform: {
    "^.+\\.ts$": [path.join(__dirname, "jest.transform.js"), { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  // Pulumi programs under mocks take a moment to render; the default 5 s is tight on 2 cores.
  testTimeout: 30000,
  // @pulumi/pulumi loads modules on import for function serialization and its Automation API, which
  // mocks never use: most of its 0.8 s load, paid per test file and per program render.
  moduleNameMapper: Object.fromEntries(require(UNLOADED)[Symbol.for("mlapi.unloadedModules")].map((id) => [`^${id}$`, UNLOADED])),
};
