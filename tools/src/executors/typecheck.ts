import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import type { CheckResult, ProjectsCheck, ProjectTask } from "./batch";

export interface TypecheckOptions {
  /** The project's tsconfig, relative to the project root. */
  tsConfig?: string;
}

const DEFAULTS: Required<TypecheckOptions> = { tsConfig: "tsconfig.json" };

/** What the compiler printed for one run: its diagnostics, one per line plus indented continuations. */
export interface CompilerRun {
  exitCode: number;
  output: string;
}

/** Runs `tsc --noEmit --pretty false -p <tsconfig>` from the working folder and reports what it printed. */
export type Compiler = (tsConfigPath: string) => Promise<CompilerRun>;

/**
 * TypeScript 7's compiler, a native binary: it type checks the workspace in 3–4 s where TypeScript
 * 5's took 11–13 s. The workspace depends on its per-platform packages (optionalDependencies; npm
 * installs the one for this machine) rather than on `typescript@7`, whose `tsc` command would take
 * the place of TypeScript 5's. `typescript` stays 5.x for the tools that use its JavaScript API
 * (ts-jest, typescript-eslint, Pulumi's ts-node), which TypeScript 7 does not have.
 */
export function nativeTscPath(platform: string = process.platform, arch: string = process.arch): string {
  const name = `@typescript/typescript-${platform}-${arch}`;
  let packageJson: string;
  try {
    packageJson = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`TypeScript 7's compiler for ${platform}-${arch} is not installed (${name}): run npm ci, on Linux or macOS (x64, arm64) or Windows (x64).`);
  }
  return path.join(path.dirname(packageJson), "lib", platform === "win32" ? "tsc.exe" : "tsc");
}

export const nativeTsc: Compiler = (tsConfigPath) =>
  new Promise((resolve, reject) => {
    execFile(nativeTscPath(), ["--noEmit", "--pretty", "false", "-p", tsConfigPath], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? error.code : 0;
      if (typeof exitCode !== "number") reject(error ?? new Error("tsc did not exit"));
      else resolve({ exitCode, output: `${stdout}${stderr}` });
    });
  });

interface ParsedProject {
  tsConfigPath: string;
  config: ts.ParsedCommandLine;
}

/**
 * `tsc --noEmit -p <project>/tsconfig.json` for any number of projects. Projects whose compiler
 * options are the same are checked by one compiler run over all their files, so @pulumi/aws's
 * ~700 declaration files are parsed and bound once rather than once per project. Each project is
 * told the diagnostics of exactly the files its own program would hold (its tsconfig's files and
 * every file they import, as `tsc -p` reports them); a diagnostic in a file none of them holds (a
 * tsconfig, a declaration file) is told to all of them, so no error is ever dropped.
 */
export function typecheck(compiler: Compiler = nativeTsc): ProjectsCheck<TypecheckOptions> {
  return async (projects) => {
    const results = new Map<ProjectTask<TypecheckOptions>, CheckResult>();
    const groups = new Map<string, Array<[ProjectTask<TypecheckOptions>, ParsedProject]>>();
    for (const project of projects) {
      const tsConfigPath = path.join(project.root, project.options.tsConfig ?? DEFAULTS.tsConfig);
      const configErrors: ts.Diagnostic[] = [];
      const config = ts.getParsedCommandLineOfConfigFile(tsConfigPath, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) });
      if (!config) {
        results.set(project, report(tsConfigPath, formatted(configErrors)));
        continue;
      }
      const key = optionsKey(config.options);
      groups.set(key, [...(groups.get(key) ?? []), [project, { tsConfigPath, config }]]);
    }

    await Promise.all(
      [...groups.values()].map(async (members) => {
        const { exitCode, output } = await checkTogether(compiler, members.map(([, p]) => p));
        const diagnostics = parseDiagnostics(output);
        // The compiler failed without a diagnostic to show for it: each project gets what it printed.
        if (exitCode !== 0 && diagnostics.length === 0) {
          for (const [project] of members) results.set(project, { success: false, output: `tsc exited with code ${exitCode}:\n${output}` });
          return;
        }
        const resolutionCache = ts.createModuleResolutionCache(process.cwd(), (f) => f, members[0][1].config.options);
        const files = members.map(([, { config }]) => filesOfProject(config, resolutionCache));
        members.forEach(([project, { tsConfigPath, config }], i) => {
          const told = diagnostics.filter((d) => d.file === undefined || files[i].has(d.file) || !files.some((f) => f.has(d.file as string)));
          // The run reads the first project's tsconfig only: each one's own problems come from parsing it.
          const ownConfig = formatted(ts.getConfigFileParsingDiagnostics(config));
          results.set(project, report(tsConfigPath, [...new Set([...ownConfig, ...told.map((d) => d.text)])]));
        });
      }),
    );
    return projects.map((project) => results.get(project) as CheckResult);
  };
}

/**
 * Runs the compiler once over the files of projects with the same options: a tsconfig beside the
 * first one's, extending it and naming every project's files, so that its options, and where its
 * type roots are looked up, are the first project's own. Removed again afterwards.
 */
async function checkTogether(compiler: Compiler, projects: ParsedProject[]): Promise<CompilerRun> {
  const base = projects[0].tsConfigPath;
  const combined = path.join(path.dirname(base), `.tsconfig.typecheck-${process.pid}.json`);
  const files = [...new Set(projects.flatMap((p) => p.config.fileNames))];
  fs.writeFileSync(combined, JSON.stringify({ extends: `./${path.basename(base)}`, files, include: [] }));
  try {
    return await compiler(combined);
  } finally {
    fs.rmSync(combined, { force: true });
  }
}

interface Diagnostic {
  /** Absolute path of the file it is in; none for a global diagnostic (options, a missing file). */
  file?: string;
  text: string;
}

/** `file(line,col): error TS…: message` or `error TS…: message`, continued on indented lines. */
const DIAGNOSTIC_START = /^(?:(.+?)\(\d+,\d+\): )?(?:error|warning|message) TS\d+: /;

/** Splits `tsc --pretty false` output into diagnostics; the compiler prints paths relative to the working folder. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const start = DIAGNOSTIC_START.exec(line);
    if (start) diagnostics.push({ file: start[1] === undefined ? undefined : path.resolve(start[1]), text: line });
    else if (line.trim() !== "" && diagnostics.length > 0) diagnostics[diagnostics.length - 1].text += `\n${line}`;
  }
  return diagnostics;
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => "\n",
};

/** TypeScript 5's own diagnostics (from parsing a tsconfig) in tsc's plain format. */
const formatted = (diagnostics: readonly ts.Diagnostic[]) => diagnostics.map((d) => ts.formatDiagnostic(d, formatHost).trimEnd());

/** The compiler options as a comparable key; where the options came from is not part of them. */
function optionsKey(options: ts.CompilerOptions): string {
  return JSON.stringify(
    Object.keys(options)
      .filter((k) => k !== "configFilePath")
      .sort()
      .map((k) => [k, options[k]]),
  );
}

/**
 * The files `tsc -p` would build for this project: its root files and, transitively, the files they
 * import or reference (absolute paths). Declaration files are leaves: nothing they import is checked.
 */
function filesOfProject(config: ts.ParsedCommandLine, resolutionCache: ts.ModuleResolutionCache): Set<string> {
  const files = new Set<string>();
  const queue = config.fileNames.map((f) => path.resolve(f));
  for (let fileName = queue.pop(); fileName !== undefined; fileName = queue.pop()) {
    if (files.has(fileName)) continue;
    files.add(fileName);
    const text = /\.d\.[cm]?ts$/.test(fileName) ? undefined : ts.sys.readFile(fileName);
    if (text === undefined) continue;
    const { importedFiles, referencedFiles } = ts.preProcessFile(text, true, /\.[cm]?jsx?$/.test(fileName));
    for (const { fileName: specifier } of importedFiles) {
      const resolved = ts.resolveModuleName(specifier, fileName, config.options, ts.sys, resolutionCache).resolvedModule;
      if (resolved) queue.push(path.resolve(resolved.resolvedFileName));
    }
    for (const ref of referencedFiles) queue.push(path.resolve(path.dirname(fileName), ref.fileName));
  }
  return files;
}

/** A project's result: the diagnostics it is told and, as tsc ends, their count naming its tsconfig. */
function report(tsConfigPath: string, diagnostics: string[]): CheckResult {
  if (diagnostics.length === 0) return { success: true, output: "" };
  const count = diagnostics.length === 1 ? "1 error" : `${diagnostics.length} errors`;
  return { success: false, output: `${diagnostics.join("\n")}\n\nFound ${count} in ${path.relative(process.cwd(), tsConfigPath)}.\n` };
}
