const preset = require("../jest.preset.js");

// The workspace executors (src/executors) run TypeScript themselves, so tools keeps the real one.
const moduleNameMapper = Object.fromEntries(Object.entries(preset.moduleNameMapper).filter(([pattern]) => pattern !== "^typescript$"));

/** @type {import('jest').Config} */
module.exports = { ...preset, moduleNameMapper, displayName: "tools", rootDir: __dirname };
