// The nx executor of the layers' Pulumi targets (preview, deploy, refresh, destroy, stack-init:
// `@mlapi/tools:layer` in nx.json). It runs tools/src/pulumi-layer.ts as its command line would, and
// hands it the one fact only an executor sees: the nx run's task graph, reduced to the layers this
// run runs the same target for (env MLAPI_NX_RUN_LAYERS). With it, `nx run-many -t destroy` can take
// layers down side by side while `nx run data:destroy` keeps its guard; the two differ in nothing else
// a command line shows.
//
// nx loads this file with Node's type stripping: erasable TypeScript and type-only imports only.
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { ExecutorContext, Task } from "@nx/devkit";

export interface LayerExecutorOptions {
  command: string;
  /** The task's own project, or in a task nx added only to order another layer's, that layer. */
  layer: string;
  /** The command line after the target, as typed. */
  args?: string[];
}

/**
 * The projects whose `target` task this nx run runs as asked. A task nx added only to order another
 * one (`"options": "forward"` in project.json) carries the other task's options, `layer` included, so
 * a `layer` that is not its own project marks it as such an ordering step.
 */
export function projectsRunFor(target: string, tasks: readonly Pick<Task, "target" | "overrides">[]): string[] {
  return tasks
    .filter((t) => t.target.target === target)
    .filter((t) => {
      const layer: unknown = t.overrides?.["layer"];
      return layer === undefined || layer === t.target.project;
    })
    .map((t) => t.target.project);
}

export default async function layerExecutor(
  options: LayerExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const target = context.targetName ?? options.command;
  const runLayers = projectsRunFor(target, Object.values(context.taskGraph?.tasks ?? {}));
  const tool = path.join(context.root, "tools", "src", "pulumi-layer.ts");
  const child = spawn(
    process.execPath,
    ["--require", "tsx/cjs", tool, options.command, options.layer, ...(options.args ?? [])],
    { cwd: context.root, stdio: "inherit", env: { ...process.env, MLAPI_NX_RUN_LAYERS: runLayers.join(",") } },
  );
  const status = await new Promise<number>((resolve) => {
    child.on("error", (err) => {
      console.error(`Could not start ${tool}: ${err.message}`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
  return { success: status === 0 };
}
