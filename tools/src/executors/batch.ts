import * as path from "node:path";
import type { ExecutorContext, TaskGraph } from "@nx/devkit";

/** What checking one project printed and whether it passed. */
export interface CheckResult {
  success: boolean;
  output: string;
}

/** One project to check: its absolute root and its target's options. */
export interface ProjectTask<O> {
  root: string;
  options: O;
}

/**
 * A check (type check, lint) of any number of projects, one result per project in the order given.
 * A batch hands it every project at once, so it can share work between them.
 */
export type ProjectsCheck<O> = (projects: ProjectTask<O>[]) => Promise<CheckResult[]>;

/** Creates the check for a workspace. */
export type CheckFactory<O> = (workspaceRoot: string) => ProjectsCheck<O>;

/** Absolute root of the project an nx task belongs to. */
export function projectRootOf(context: ExecutorContext, project: string): string {
  const config = context.projectsConfigurations.projects[project];
  if (!config) throw new Error(`nx has no project named ${project}`);
  return path.join(context.root, config.root);
}

/** The single-task executor: runs the check and prints what it found, as the command-line tool would. */
export function singleTask<O>(check: CheckFactory<O>) {
  return async (options: O, context: ExecutorContext): Promise<{ success: boolean }> => {
    if (!context.projectName) throw new Error("this executor runs a project's target; nx gave it no project");
    const [{ success, output }] = await check(context.root)([{ root: projectRootOf(context, context.projectName), options }]);
    if (output) (success ? process.stdout : process.stderr).write(output.endsWith("\n") ? output : `${output}\n`);
    return { success };
  };
}

/**
 * The batch executor nx uses when several projects run the same check: one process and one call of
 * `check` for all of them, so whatever it loads or builds once (TypeScript's program, ESLint's config
 * and plugins) serves every project. Each project still gets its own result, output and cache entry.
 */
export function batchOfTasks<O>(check: CheckFactory<O>) {
  return async function* (taskGraph: TaskGraph, inputs: Record<string, O>, _overrides: O, context: ExecutorContext) {
    const ids = Object.keys(taskGraph.tasks);
    const startTime = Date.now();
    const results = await check(context.root)(ids.map((id) => ({ root: projectRootOf(context, taskGraph.tasks[id].target.project), options: inputs[id] })));
    const endTime = Date.now();
    for (const [i, id] of ids.entries()) yield { task: id, result: { success: results[i].success, terminalOutput: results[i].output, startTime, endTime } };
  };
}
