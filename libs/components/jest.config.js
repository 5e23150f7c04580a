/** @type {import('jest').Config} */
module.exports = { ...require("../../jest.preset.js"), displayName: "components", rootDir: __dirname };
