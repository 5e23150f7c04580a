import * as path from "node:path";
import { ESLint } from "eslint";
import type { ProjectsCheck } from "./batch";

export interface LintOptions {
  /** More warnings than this fail the target, like `eslint --max-warnings`. */
  maxWarnings?: number;
}

const DEFAULTS: Required<LintOptions> = { maxWarnings: 0 };

/** ESLint's command-line entry point, as process.argv[1] names it when `eslint` runs. */
const ESLINT_CLI = path.join(path.dirname(require.resolve("eslint/package.json")), "bin", "eslint.js");

/**
 * Runs `lint` as a terminal run of ESLint, as far as process.argv[1] tells. @nx/enforce-module-boundaries
 * keeps nx's project graph between files only when argv[1] is a command it knows (ESLint's CLI, jest,
 * nx's run-executor); in nx's batch process it re-read and re-indexed the graph for every file it
 * linted (nrwl/nx#36611), ~1 s of a workspace lint. Restored afterwards.
 */
async function asEslintCli<T>(lint: () => Promise<T>): Promise<T> {
  const argv1 = process.argv[1];
  process.argv[1] = ESLINT_CLI;
  try {
    return await lint();
  } finally {
    process.argv[1] = argv1;
  }
}

/**
 * `eslint --max-warnings <n> <project>` for any number of projects with one ESLint instance, so
 * its configuration, parser and plugins (and the nx project graph the module-boundary rule reads)
 * load once instead of once per project.
 */
export function lint(eslintOptions?: ESLint.Options): ProjectsCheck<LintOptions> {
  return (projects) =>
    asEslintCli(async () => {
      const eslint = new ESLint(eslintOptions);
      const formatter = await eslint.loadFormatter("stylish");
      const results = [];
      for (const { root, options } of projects) {
        const maxWarnings = options.maxWarnings ?? DEFAULTS.maxWarnings;
        const files = await eslint.lintFiles([root]);
        const errors = files.reduce((n, r) => n + r.errorCount, 0);
        const warnings = files.reduce((n, r) => n + r.warningCount, 0);
        let output = await formatter.format(files);
        if (errors === 0 && warnings > maxWarnings) output += `ESLint found too many warnings (maximum: ${maxWarnings}).\n`;
        results.push({ success: errors === 0 && warnings <= maxWarnings, output });
      }
      return results;
    });
}
