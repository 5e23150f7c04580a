import { ESLint } from "eslint";
import type { ProjectCheck } from "./batch";
import { batchOfTasks, singleTask } from "./batch";

export interface LintOptions {
  /** More warnings than this fail the target, like `eslint --max-warnings`. */
  maxWarnings?: number;
}

const DEFAULTS: Required<LintOptions> = { maxWarnings: 0 };

/**
 * `eslint --max-warnings <n> <project>` for any number of projects with one ESLint instance, so
 * its configuration, parser and plugins (and the nx project graph the module-boundary rule reads)
 * load once instead of once per project.
 */
export function lint(eslintOptions?: ESLint.Options): ProjectCheck<LintOptions> {
  const eslint = new ESLint(eslintOptions);
  const formatter = eslint.loadFormatter("stylish");

  return async (projectRoot, options) => {
    const maxWarnings = options.maxWarnings ?? DEFAULTS.maxWarnings;
    const results = await eslint.lintFiles([projectRoot]);
    const errors = results.reduce((n, r) => n + r.errorCount, 0);
    const warnings = results.reduce((n, r) => n + r.warningCount, 0);
    let output = await (await formatter).format(results);
    if (errors === 0 && warnings > maxWarnings) output += `ESLint found too many warnings (maximum: ${maxWarnings}).\n`;
    return { success: errors === 0 && warnings <= maxWarnings, output };
  };
}

const forWorkspace = (workspaceRoot: string) => lint({ cwd: workspaceRoot });
export default singleTask(forWorkspace);
export const batch = batchOfTasks(forWorkspace);
