// The workflows as the repository needs them: deploy jobs in layer order and environment order, the
// destroy in reverse, the least permissions per job; and the lint's validator failing a broken file.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Job, Workflow } from "../scripts/workflow-rules";
import { layerSteps, loadWorkflows, orderProblems, permissionProblems } from "../scripts/workflow-rules";

const ROOT = path.join(__dirname, "..", "..");
const workflows = loadWorkflows();
const wf = (file: string): Workflow => workflows[file];
const job = (file: string, id: string): Job => wf(file).jobs[id];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const runs = (j: Job) => (j.steps ?? []).map((s) => s.run ?? "").join("\n");

describe("the workflow files", () => {
  it("are the four the platform needs", () => {
    expect(Object.keys(workflows)).toEqual(["deploy.yml", "destroy.yml", "drift.yml", "pull-request.yml"]);
  });

  it.each(Object.keys(workflows))("%s grants each job exactly the permissions its steps use", (file) => {
    expect(permissionProblems(file, wf(file))).toEqual([]);
  });

  it.each(Object.keys(workflows))("%s keeps the layer and environment order", (file) => {
    expect(orderProblems(file, wf(file))).toEqual([]);
  });
});

describe("deploy (main)", () => {
  it("deploys network -> data -> service -> edge in dev, then staging, then prod, each needing the one before", () => {
    for (const id of ["deploy-dev", "deploy-staging", "deploy-prod"])
      expect(layerSteps(job("deploy.yml", id), "deploy")).toEqual(["network", "data", "service", "edge"]);
    expect(job("deploy.yml", "deploy-staging").needs).toContain("deploy-dev");
    expect(job("deploy.yml", "deploy-prod").needs).toContain("deploy-staging");
    expect(["deploy-dev", "deploy-staging", "deploy-prod"].map((id) => job("deploy.yml", id).environment)).toEqual([
      "dev",
      "staging",
      "prod",
    ]);
  });

  it("deploys through the nx targets, with the deploy role, skipping layers the push does not affect", () => {
    const dev = job("deploy.yml", "deploy-dev");
    // One layer per step: nx would otherwise deploy the upstream layers again first (their deploy dependsOn).
    expect(runs(dev)).toContain('npx nx run network:deploy --stack "$STACK" --exclude-task-dependencies');
    expect(runs(dev)).not.toMatch(/pulumi up/);
    const credentials = dev.steps?.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect((credentials as { with?: Record<string, string> }).with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
    );
    const data = dev.steps?.find((s) => s.name === "deploy data");
    expect(data?.if).toBe("contains(fromJSON(env.LAYERS), 'data')");
  });

  it("fails the order rule when two layers swap or an environment stops needing the one before", () => {
    const swapped = clone(wf("deploy.yml"));
    const steps = swapped.jobs["deploy-staging"].steps as NonNullable<Job["steps"]>;
    const [i, j] = [
      steps.findIndex((s) => s.name === "deploy data"),
      steps.findIndex((s) => s.name === "deploy service"),
    ];
    [steps[i], steps[j]] = [steps[j], steps[i]];
    swapped.jobs["deploy-prod"].needs = ["affected"];
    expect(orderProblems("deploy.yml", swapped)).toEqual([
      "deploy.yml: job deploy-staging deploys network -> service -> data -> edge; the order is network -> data -> service -> edge.",
      "deploy.yml: job deploy-prod must need deploy-staging, so a failure there stops it.",
    ]);
  });
});

describe("destroy (manual)", () => {
  it("destroys every layer in one nx run (nx orders them), after a typed confirmation", () => {
    expect(runs(job("destroy.yml", "destroy"))).toContain('npx nx run-many -t destroy --stack "$STACK"');
    expect(layerSteps(job("destroy.yml", "destroy"), "destroy")).toEqual([]);
    expect(job("destroy.yml", "destroy").needs).toBe("confirm");
    expect(runs(job("destroy.yml", "confirm"))).toContain('if [ "$TYPED" != "$EXPECTED" ]; then');
  });
});

describe("pull request", () => {
  it("checks what the change affects, plans offline, posts the plan diff and previews with the read-only role", () => {
    expect(runs(job("pull-request.yml", "checks"))).toContain("npx nx affected -t test lint typecheck");
    expect(runs(job("pull-request.yml", "plan"))).toContain('npm run plan -- --diff "$BASE_REF"');
    expect(runs(job("pull-request.yml", "preview"))).toContain("npx nx affected -t preview");
    const credentials = job("pull-request.yml", "preview").steps?.find((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect((credentials as { with?: Record<string, string> }).with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
    );
  });

  it("fails the permission rule when a job gets more than it uses", () => {
    const widened = clone(wf("pull-request.yml"));
    widened.jobs.checks.permissions = { contents: "read", "id-token": "write" };
    widened.jobs.comment.permissions = { "pull-requests": "write", contents: "write" };
    expect(permissionProblems("pull-request.yml", widened)).toEqual([
      "pull-request.yml: job checks has id-token: write; it needs (none).",
      "pull-request.yml: job comment has contents: write; it needs (none).",
    ]);
  });
});

describe("drift detection", () => {
  it("previews every layer of every environment expecting no changes, after a refresh", () => {
    const drift = job("drift.yml", "drift");
    expect(drift.strategy?.matrix).toMatchObject({
      stack: ["dev", "staging", "prod"],
      layer: ["network", "data", "service", "edge"],
    });
    expect(runs(drift)).toMatch(/pulumi preview --stack \$\{\{ matrix\.stack \}\} --refresh --expect-no-changes/);
  });
});

describe("the lint's validator (GitHub's workflow parser, then these rules)", () => {
  it("fails a workflow with an unknown key and an unclosed expression, naming the line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
    fs.writeFileSync(
      path.join(dir, "broken.yml"),
      "name: broken\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permisions: {}\n    steps:\n      - run: echo ${{ github.sha }\n",
    );
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, ".github", "scripts", "validate-workflows.ts"), dir],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    fs.rmSync(dir, { recursive: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("broken.yml (Line: 7, Col: 5): Unexpected value 'permisions'");
    expect(r.stderr).toContain("broken.yml (Line: 9, Col: 14): The expression is not closed.");
  });
});
