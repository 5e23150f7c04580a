// The child process of the check executor (check.ts): runs the one kind of check it is sent and
// replies with the results.
import type { ProjectTask } from "./batch";
import type { CheckKind, CheckOptions } from "./check";
import { CHECKS } from "./check";

process.once("message", (job: { kind: CheckKind; workspaceRoot: string; projects: ProjectTask<CheckOptions>[] }) => {
  void CHECKS[job.kind](job.workspaceRoot)(job.projects as never).then((results) => process.send?.(results, () => process.exit(0)));
});
