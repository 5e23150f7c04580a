// Rewrites package.json files and package-lock.json in the current folder so that this app
// (apps/ml-api) declares its runtime dependencies only: its devDependencies (the compiler, type
// packages, the model converter's inputs) are dropped from its package.json and from its entry in
// the lock. The prod-deps stage of the Dockerfile runs it before
// `npm ci --omit=dev --workspace @mlapi/ml-api --include-workspace-root=false`. Needed because
// npm decides "dev" over the whole workspace: a package this app needs only to build (typescript,
// @types/node) that other workspace packages reach as a production or optional dependency is not
// "dev", and --omit=dev would install it. Versions still come from the lock; nothing is resolved anew.
//   node apps/ml-api/scripts/runtime-manifest.js   (in a folder holding package.json, package-lock.json, apps/ml-api/package.json)
const fs = require("node:fs");

const APP = "apps/ml-api";
const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

const manifest = readJson(`${APP}/package.json`);
delete manifest.devDependencies;
writeJson(`${APP}/package.json`, manifest);

const lock = readJson("package-lock.json");
const entry = lock.packages?.[APP];
if (!entry) throw new Error(`package-lock.json has no entry for ${APP}`);
delete entry.devDependencies;
writeJson("package-lock.json", lock);
