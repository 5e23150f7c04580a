import { ESLint } from "eslint";
import type { ProjectsCheck } from "./batch";

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
export function lint(eslintOptions?: ESLint.Options): ProjectsCheck<LintOptions> {
  return async (projects) => {
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
  };
}
