// Shared jest settings of every project: jest and ts-jest as they ship. ts-jest transpiles only
// (isolatedModules in tsconfig.base.json); type errors are the `typecheck` target's to report.
const path = require("node:path");
const STAND_IN = path.join(__dirname, "jest.unloaded-module.js");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  moduleFileExtensions: ["ts", "js", "json"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  // Pulumi programs under mocks take a moment to render; the default 5 s is tight on 2 shared cores.
  testTimeout: 30000,
  // @pulumi/pulumi requires these on import only to serialize functions (pulumi/pulumi#7184) and to
  // drive the CLI through its Automation API, which programs under mocks never do; loading them is
  // most of the SDK's import, paid in every test file. The stand-in throws on any use.
  moduleNameMapper: {
    "^typescript$": STAND_IN,
    "^@npmcli/arborist$": STAND_IN,
    "^normalize-package-data$": STAND_IN,
    "^execa$": STAND_IN,
    "^tmp$": STAND_IN,
    "^@logdna/tail-file$": STAND_IN,
  },
};
