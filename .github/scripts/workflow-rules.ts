// The rules the workflows must keep, as pure functions over the parsed YAML: the layer order of the
// deploy and destroy jobs, the environment order of the deploys, and the least `permissions:` of every
// job. Run by the lint target (scripts/validate-workflows.ts) and tested in tests/workflows.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { LayerName } from "@mlapi/core/layers";
import { LAYERS } from "@mlapi/core/layers";

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  steps?: Step[];
  strategy?: { matrix?: Record<string, unknown> };
}

export interface Workflow {
  name?: string;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

export const WORKFLOWS_DIR = path.join(__dirname, "..", "workflows");

/** Every workflow file of a folder, parsed, by file name. */
export function loadWorkflows(dir = WORKFLOWS_DIR): Record<string, Workflow> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return Object.fromEntries(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow]));
}

/** The environment orders deploys go through; prod last. */
export const ENVIRONMENT_ORDER = ["dev", "staging", "prod"] as const;

const uses = (job: Job, action: string) => (job.steps ?? []).some((s) => s.uses?.split("@")[0] === action);
const needsOf = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
const environmentOf = (job: Job): string | undefined =>
  typeof job.environment === "object" ? job.environment.name : job.environment;

/**
 * What each job may be granted, and when: a job gets exactly the permissions its steps use.
 * - contents: read   it checks the repository out (actions/checkout);
 * - id-token: write  it assumes an AWS role through OIDC (aws-actions/configure-aws-credentials);
 * - pull-requests: write  it comments on the pull request (actions/github-script) and runs none of
 *   the repository's code (no checkout), so a change under review cannot use the token.
 */
export function permissionProblems(file: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  const top = workflow.permissions;
  if (typeof top !== "object" || Object.keys(top).length > 0) {
    problems.push(`${file}: the workflow must grant nothing by default (permissions: {}); each job names its own.`);
  }
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const where = `${file}: job ${id}`;
    if (typeof job.permissions !== "object") {
      problems.push(
        `${where} must list its permissions (a map; {} for none), not ${JSON.stringify(job.permissions ?? "the default")}.`,
      );
      continue;
    }
    const checksOut = uses(job, "actions/checkout");
    const expected: Record<string, string> = {
      ...(checksOut ? { contents: "read" } : {}),
      ...(uses(job, "aws-actions/configure-aws-credentials") ? { "id-token": "write" } : {}),
      ...(uses(job, "actions/github-script") && !checksOut ? { "pull-requests": "write" } : {}),
    };
    const granted = job.permissions;
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(granted)])].sort();
    for (const key of keys) {
      if (granted[key] !== expected[key]) {
        problems.push(`${where} has ${key}: ${granted[key] ?? "(none)"}; it needs ${expected[key] ?? "(none)"}.`);
      }
    }
  }
  return problems;
}

/** The layers a job's steps run `nx run <layer>:<target>` for, in step order. */
export function layerSteps(job: Job, target: "deploy" | "destroy"): string[] {
  const pattern = new RegExp(`\\bnx run (\\w+):${target}\\b`);
  return (job.steps ?? []).map((s) => pattern.exec(s.run ?? "")?.[1]).filter((l): l is string => l !== undefined);
}

/**
 * Deploy jobs run the four layers in deploy order (network -> data -> service -> edge), destroy jobs in
 * the reverse; the deploy environments follow one another (dev -> staging -> prod), each needing the one before.
 */
export function orderProblems(file: string, workflow: Workflow, order: readonly LayerName[] = LAYERS): string[] {
  const problems: string[] = [];
  const deployJobs: [string, Job][] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const deploys = layerSteps(job, "deploy");
    const destroys = layerSteps(job, "destroy");
    if (deploys.length > 0) {
      deployJobs.push([id, job]);
      if (deploys.join(",") !== order.join(","))
        problems.push(`${file}: job ${id} deploys ${deploys.join(" -> ")}; the order is ${order.join(" -> ")}.`);
    }
    const reverse = [...order].reverse();
    if (destroys.length > 0 && destroys.join(",") !== reverse.join(",")) {
      problems.push(`${file}: job ${id} destroys ${destroys.join(" -> ")}; the order is ${reverse.join(" -> ")}.`);
    }
  }
  if (deployJobs.length > 1) {
    const environments = deployJobs.map(([, job]) => environmentOf(job));
    if (environments.join(",") !== ENVIRONMENT_ORDER.join(",")) {
      problems.push(
        `${file}: deploy jobs go to ${environments.join(" -> ")}; the order is ${ENVIRONMENT_ORDER.join(" -> ")}.`,
      );
    }
    deployJobs.slice(1).forEach(([id, job], i) => {
      const previous = deployJobs[i][0];
      if (!needsOf(job).includes(previous))
        problems.push(`${file}: job ${id} must need ${previous}, so a failure there stops it.`);
    });
  }
  return problems;
}

/** Every rule over every workflow. */
export function workflowProblems(workflows: Record<string, Workflow>): string[] {
  return Object.entries(workflows).flatMap(([file, wf]) => [
    ...permissionProblems(file, wf),
    ...orderProblems(file, wf),
  ]);
}
