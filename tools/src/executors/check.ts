import type { CheckResult, ProjectsCheck, ProjectTask } from "./batch";
import { batchOfTasks, singleTask } from "./batch";
import type { LintOptions } from "./lint";
import { lint } from "./lint";
import type { TypecheckOptions } from "./typecheck";
import { typecheck } from "./typecheck";

/** The options of a lint or typecheck target: which check, and that check's own options. */
export type CheckOptions = ({ check: "typecheck" } & TypecheckOptions) | ({ check: "lint" } & LintOptions);
export type CheckKind = CheckOptions["check"];

/** Each kind of check, made for a workspace. */
export type Checks = { [K in CheckKind]: (workspaceRoot: string) => ProjectsCheck<Extract<CheckOptions, { check: K }>> };

export const CHECKS: Checks = {
  typecheck: () => typecheck(),
  lint: (workspaceRoot) => lint({ cwd: workspaceRoot }),
};

/**
 * lint and typecheck behind one executor, so that nx puts the tasks of both targets in one batch
 * (it batches by executor, and runs one batch at a time with nothing else beside it). Both run at
 * once: the type check is mostly TypeScript 7's compiler, a process of its own, while ESLint lints here.
 */
export function checks(workspaceRoot: string, kinds: Checks = CHECKS): ProjectsCheck<CheckOptions> {
  return async (projects) => {
    const ofKind = (kind: CheckKind) => projects.filter((p) => p.options.check === kind);
    const run = (kind: CheckKind) => (kinds[kind](workspaceRoot) as ProjectsCheck<CheckOptions>)(ofKind(kind));
    const [typechecked, linted] = await Promise.all([run("typecheck"), run("lint")]);
    const results = new Map<ProjectTask<CheckOptions>, CheckResult>();
    ofKind("typecheck").forEach((p, i) => results.set(p, typechecked[i]));
    ofKind("lint").forEach((p, i) => results.set(p, linted[i]));
    return projects.map((p) => results.get(p) as CheckResult);
  };
}

export default singleTask(checks);
export const batch = batchOfTasks(checks);
