/** @type {import('jest').Config} */
module.exports = { ...require("../../jest.preset.js"), displayName: "bootstrap", rootDir: __dirname };
