// A worker thread of the check executor (check.ts): runs one kind of check and posts its results.
import { parentPort, workerData } from "node:worker_threads";
import type { ProjectTask } from "./batch";
import type { CheckKind, CheckOptions } from "./check";
import { CHECKS } from "./check";

const { kind, workspaceRoot, projects } = workerData as { kind: CheckKind; workspaceRoot: string; projects: ProjectTask<CheckOptions>[] };
void CHECKS[kind](workspaceRoot)(projects as never).then((results) => parentPort?.postMessage(results));
