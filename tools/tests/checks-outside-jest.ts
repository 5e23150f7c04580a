// Runs the check executor's checks in plain Node for executors.test.ts: ESLint loads its formatters
// and file globbing with dynamic import(), which jest's sandbox refuses. argv[2] is the scratch folder
// holding an eslint.config.mjs; argv[3] a JSON list of [project root, options]. Prints the results
// and process.argv[1] afterwards, as JSON.
import type { CheckOptions } from "../src/executors/check";
import { checks } from "../src/executors/check";

async function main(): Promise<void> {
  const [cwd, runs] = [process.argv[2], JSON.parse(process.argv[3]) as Array<[string, CheckOptions]>];
  const results = await checks(cwd)(runs.map(([root, options]) => ({ root, options })));
  process.stdout.write(JSON.stringify({ results, argv1: process.argv[1] }));
}

void main();
