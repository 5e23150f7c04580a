// Runs the lint check in plain Node for executors.test.ts: ESLint loads its formatters and file
// globbing with dynamic import(), which jest's sandbox refuses. argv[2] is the scratch folder holding
// an eslint.config.mjs; argv[3] a JSON list of [project root, options]; prints the results as JSON.
import { lint } from "../src/executors/lint";

async function main(): Promise<void> {
  const [cwd, runs] = [process.argv[2], JSON.parse(process.argv[3]) as Array<[string, { maxWarnings?: number }]>];
  const results = await lint({ cwd })(runs.map(([root, options]) => ({ root, options })));
  process.stdout.write(JSON.stringify(results));
}

void main();
