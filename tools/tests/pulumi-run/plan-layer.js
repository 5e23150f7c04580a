// Plans one layer (argv[2], writing to the folder argv[3]) in a process that compiles TypeScript the
// way `pulumi preview` and `pulumi up` do: Pulumi's language host sets PULUMI_NODEJS_TYPESCRIPT and
// PULUMI_NODEJS_TSCONFIG_PATH from the Pulumi.yaml runtime options and starts @pulumi/pulumi's run
// module (cmd/run/run.js) in the layer's folder, which registers ts-node as below. Plain JavaScript:
// nothing but that registration compiles TypeScript here. Prints { transpileOnly, exitCode } as JSON.
const fs = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");

const [layer, out] = process.argv.slice(2);
const ROOT = path.resolve(__dirname, "..", "..", "..");

async function main() {
  process.chdir(path.join(ROOT, "projects", layer));
  const { options } = parse(fs.readFileSync("Pulumi.yaml", "utf8")).runtime;
  if (options.typescript !== true) throw new Error(`${layer}: Pulumi.yaml does not set runtime.options.typescript`);

  // --- as cmd/run/run.js ---
  const tsutils = require("@pulumi/pulumi/tsutils");
  const tsConfigPath = options.tsconfig ?? "tsconfig.json";
  const skipProject = !fs.existsSync(tsConfigPath);
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
  const transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY
    ? process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true"
    : compilerOptions.noCheck;
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly,
    project: tsConfigPath,
    skipProject,
    compilerOptions: {
      target: "ES2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
  // --- end of run.js's registration ---

  const { main: plan } = require(path.join(ROOT, "tools", "src", "plan.ts"));
  const exitCode = await plan([layer, "--out", out]);
  process.stdout.write(`\n${JSON.stringify({ transpileOnly: transpileOnly === true, exitCode })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
