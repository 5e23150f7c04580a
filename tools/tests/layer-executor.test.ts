// The nx executor of the layers' Pulumi targets: which layers of an nx run's task graph run a target
// for themselves. The task graphs are the ones nx 23 builds for these command lines (their overrides
// as nx hands them to the executor); the tests through nx in pulumi-layer.test.ts run the real thing.
import { projectsRunFor } from "../executors/layer/executor";

const task = (project: string, target: string, overrides: Record<string, unknown>) => ({
  target: { project, target },
  overrides: { stack: "dev", __overrides_unparsed__: ["--stack", "dev"], ...overrides },
});
// A task nx added to order another layer's carries that task's target options (`"options": "forward"`).
const orderingStep = (project: string, requestedBy: string) =>
  task(project, "destroy", { command: "destroy", layer: requestedBy });

describe("projectsRunFor", () => {
  it("nx run-many -t destroy: every layer destroys itself", () => {
    const tasks = ["network", "service", "data", "edge"].map((p) => task(p, "destroy", {}));
    expect(projectsRunFor("destroy", tasks)).toEqual(["network", "service", "data", "edge"]);
  });

  it("nx run network:destroy: the other layers' tasks are ordering steps, not destroys of their own", () => {
    const tasks = [
      task("network", "destroy", {}),
      orderingStep("data", "network"),
      orderingStep("service", "network"),
      orderingStep("edge", "service"),
    ];
    expect(projectsRunFor("destroy", tasks)).toEqual(["network"]);
  });

  it("counts only tasks of the target asked about", () => {
    const tasks = [task("data", "destroy", {}), task("data", "test", {}), task("edge", "deploy", {})];
    expect(projectsRunFor("destroy", tasks)).toEqual(["data"]);
  });

  it("a task whose forwarded layer is its own project still runs for itself", () => {
    expect(projectsRunFor("destroy", [task("edge", "destroy", { command: "destroy", layer: "edge" })])).toEqual([
      "edge",
    ]);
  });
});
