/** @type {import('jest').Config} */
module.exports = { ...require("../jest.preset.js"), displayName: "tools", rootDir: __dirname };
