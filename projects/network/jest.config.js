/** @type {import('jest').Config} */
module.exports = { ...require("../../jest.preset.js"), displayName: "network", rootDir: __dirname };
