/** @type {import('jest').Config} */
module.exports = {
  ...require("../../jest.preset.js"),
  displayName: "ml-api",
  rootDir: __dirname,
  // The service tests start PostgreSQL + dynalite and the server process; run files one at a
  // time so two of them never compete for the 2 CI cores.
  maxWorkers: 1,
};
