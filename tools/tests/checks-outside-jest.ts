// Runs the check executor's checks in plain Node for executors.test.ts: ESLint loads its formatters
// and file globbing with dynamic import(), which jest's sandbox refuses. argv[2] is the scratch folder
// holding an eslint.config.mjs; argv[3] a JSON list of [project root, options]. Prints the results,
// which kinds of check went to a child process and process.argv[1] afterwards, as JSON.
import type { CheckKind, CheckOptions } from "../src/executors/check";
import { checks, inChildProcess } from "../src/executors/check";

async function main(): Promise<void> {
  const [cwd, runs] = [process.argv[2], JSON.parse(process.argv[3]) as Array<[string, CheckOptions]>];
  const offloaded: CheckKind[] = [];
  const results = await checks(cwd, (kind, root, projects) => {
    offloaded.push(kind);
    return inChildProcess(kind, root, projects);
  })(runs.map(([root, options]) => ({ root, options })));
  process.stdout.write(JSON.stringify({ results, offloaded, argv1: process.argv[1] }));
}

void main();
