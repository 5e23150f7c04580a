import * as path from "node:path";
import type { ExecutorContext, TaskGraph } from "@nx/devkit";

/** What checking one project printed and whether it passed. */
export interface CheckResult {
  success: boolean;
  output: string;
}

/** A check (type check, lint) of one project; one instance serves every project of a batch. */
export type ProjectCheck<O> = (projectRoot: string, options: O) => Promise<CheckResult>;

/** Creates the check for a workspace; what it loads is shared by the projects it checks. */
export type CheckFactory<O> = (workspaceRoot: string) => ProjectCheck<O>;

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
    const { success, output } = await check(context.root)(projectRootOf(context, context.projectName), options);
    if (output) (success ? process.stdout : process.stderr).write(output.endsWith("\n") ? output : `${output}\n`);
    return { success };
  };
}

/**
 * The batch executor nx uses when several projects run the same check: one process, one `check`
 * for all of them, so whatever it loads once (TypeScript's parse of @pulumi/aws, ESLint's config and
 * plugins) serves every project. Each project still gets its own result, output and cache entry.
 */
export function batchOfTasks<O>(check: CheckFactory<O>) {
  return async function* (taskGraph: TaskGraph, inputs: Record<string, O>, _overrides: O, context: ExecutorContext) {
    const run = check(context.root);
    for (const [id, task] of Object.entries(taskGraph.tasks)) {
      const startTime = Date.now();
      const { success, output } = await run(projectRootOf(context, task.target.project), inputs[id]);
      yield { task: id, result: { success, terminalOutput: output, startTime, endTime: Date.now() } };
    }
  };
}
