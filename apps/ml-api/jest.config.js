/** @type {import('jest').Config} */
module.exports = {
  ...require("../../jest.preset.js"),
  displayName: "ml-api",
  rootDir: __dirname,
  // onnxruntime-node returns host-realm typed arrays: see the environment file.
  testEnvironment: "<rootDir>/tests/support/shared-typed-arrays-environment.js",
  // The service tests start PostgreSQL + dynalite + the server process: one file at a time so
  // two of them never compete for the 2 CI cores.
  maxWorkers: 1,
};
