import { fork } from "node:child_process";
import * as path from "node:path";
import type { CheckResult, ProjectsCheck, ProjectTask } from "./batch";
import { batchOfTasks, singleTask } from "./batch";
import type { LintOptions } from "./lint";
import { lint } from "./lint";
import type { TypecheckOptions } from "./typecheck";
import { typecheck } from "./typecheck";

/** The options of a lint or typecheck target: which check, and that check's own options. */
export type CheckOptions = ({ check: "typecheck" } & TypecheckOptions) | ({ check: "lint" } & LintOptions);
export type CheckKind = CheckOptions["check"];

export const CHECKS: { [K in CheckKind]: (workspaceRoot: string) => ProjectsCheck<Extract<CheckOptions, { check: K }>> } = {
  typecheck: () => typecheck(),
  lint: (workspaceRoot) => lint({ cwd: workspaceRoot }),
};

/** Runs one kind of check in another process, beside the one this process runs. */
export type Offload = (kind: CheckKind, workspaceRoot: string, projects: ProjectTask<CheckOptions>[]) => Promise<CheckResult[]>;

/**
 * lint and typecheck behind one executor, so that nx puts the tasks of both targets in one batch
 * (it batches by executor, and runs one batch at a time with nothing else beside it). When a batch
 * holds both, the type check runs in a child process while the lint runs here: two cores instead of
 * one, ~21 s -> ~14 s at the start of `npm test`.
 */
export function checks(workspaceRoot: string, offload: Offload = inChildProcess): ProjectsCheck<CheckOptions> {
  return async (projects) => {
    const ofKind = (kind: CheckKind) => projects.filter((p) => p.options.check === kind);
    const run = (kind: CheckKind, here: boolean) => (here ? (CHECKS[kind](workspaceRoot) as ProjectsCheck<CheckOptions>)(ofKind(kind)) : offload(kind, workspaceRoot, ofKind(kind)));
    const both = ofKind("lint").length > 0 && ofKind("typecheck").length > 0;
    const [typechecked, linted] = await Promise.all([run("typecheck", !both), run("lint", true)]);
    const results = new Map<ProjectTask<CheckOptions>, CheckResult>();
    ofKind("typecheck").forEach((p, i) => results.set(p, typechecked[i]));
    ofKind("lint").forEach((p, i) => results.set(p, linted[i]));
    return projects.map((p) => results.get(p) as CheckResult);
  };
}

/**
 * Runs a check in a child process (check-process.ts, loaded with tsx). A process rather than a worker
 * thread: tsx's esbuild service, started by a worker, is left unreaped when the worker ends, and nx
 * then waits out its kill grace period (~6 s) at the end of the run.
 */
export const inChildProcess: Offload = (kind, workspaceRoot, projects) =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "check-process.ts"), [], { execArgv: ["--require", require.resolve("tsx/cjs")] });
    child.once("message", (results) => resolve(results as CheckResult[]));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the ${kind} process exited with code ${code} before reporting`)));
    child.send({ kind, workspaceRoot, projects });
  });

export default singleTask(checks);
export const batch = batchOfTasks(checks);
