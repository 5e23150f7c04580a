/** @type {import('jest').Config} */
module.exports = { ...require("../../jest.preset.js"), displayName: "service", rootDir: __dirname };
