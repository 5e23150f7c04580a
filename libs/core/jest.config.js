/** @type {import('jest').Config} */
module.exports = { ...require("../../jest.preset.js"), displayName: "core", rootDir: __dirname };
