/**
 * The workflows' lint: each file under .github/workflows parsed and checked against GitHub's own
 * workflow schema and expression rules (@actions/workflow-parser, the parser of GitHub's language
 * services), then against the repository's rules (workflow-rules.ts). Offline; exits 1 on any problem.
 * Run as `node --import tsx .github/scripts/validate-workflows.ts [dir]` (the package is ESM and
 * imports its schema JSON without an import attribute, which tsx's loader accepts and Node's does not).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadWorkflows, WORKFLOWS_DIR, workflowProblems } from "./workflow-rules";

/** GitHub's parser's findings for one file: schema errors, unknown keys, broken expressions. */
export async function parserProblems(file: string): Promise<string[]> {
  const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await import("@actions/workflow-parser");
  const parsed = parseWorkflow(
    { name: path.basename(file), content: fs.readFileSync(file, "utf8") },
    new NoOperationTraceWriter(),
  );
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${file}: not a workflow`];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

async function main(dir = WORKFLOWS_DIR): Promise<number> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const problems = [
    ...(await Promise.all(files.map((f) => parserProblems(path.join(dir, f))))).flat(),
    ...workflowProblems(loadWorkflows(dir)),
  ];
  for (const p of problems) console.error(p);
  console.log(`workflows: ${files.length} checked, ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
