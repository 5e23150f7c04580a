import * as path from "node:path";
import * as ts from "typescript";
import type { CheckResult, ProjectCheck } from "./batch";
import { batchOfTasks, singleTask } from "./batch";

export interface TypecheckOptions {
  /** The project's tsconfig, relative to the project root. */
  tsConfig?: string;
}

const DEFAULTS: Required<TypecheckOptions> = { tsConfig: "tsconfig.json" };

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => "\n",
};

/**
 * `tsc --noEmit -p <project>/tsconfig.json` for any number of projects in one process. Declaration
 * files are parsed once and shared between the projects' programs, as `tsc --build` does: each
 * project pulls in @pulumi/aws's ~3,000 declaration files, ~4 s of parsing per separate tsc run.
 */
export function typecheck(declarations = new Map<string, ts.SourceFile>()): ProjectCheck<TypecheckOptions> {
  return async (projectRoot, options) => {
    const tsConfigPath = path.join(projectRoot, options.tsConfig ?? DEFAULTS.tsConfig);
    const configErrors: ts.Diagnostic[] = [];
    const config = ts.getParsedCommandLineOfConfigFile(tsConfigPath, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) });
    if (!config) return report(tsConfigPath, configErrors, process.stdout.isTTY);

    const host = ts.createCompilerHost(config.options);
    const parse = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreateNewSourceFile) => {
      if (!fileName.endsWith(".d.ts")) return parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
      const version = typeof languageVersion === "object" ? `${languageVersion.languageVersion}/${languageVersion.impliedNodeFormat}` : `${languageVersion}`;
      const key = `${version}:${fileName}`;
      const cached = shouldCreateNewSourceFile ? undefined : declarations.get(key);
      if (cached) return cached;
      const parsed = parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
      if (parsed) declarations.set(key, parsed);
      return parsed;
    };
    const program = ts.createProgram({
      rootNames: config.fileNames,
      options: config.options,
      host,
      projectReferences: config.projectReferences,
      configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
    });
    // Like tsc: the tsconfig's `pretty`, else colours and source context on a terminal.
    return report(tsConfigPath, ts.getPreEmitDiagnostics(program), typeof config.options.pretty === "boolean" ? config.options.pretty : process.stdout.isTTY);
  };
}

function report(tsConfigPath: string, diagnostics: readonly ts.Diagnostic[], pretty: boolean): CheckResult {
  if (diagnostics.length === 0) return { success: true, output: "" };
  const format = pretty ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  const count = diagnostics.length === 1 ? "1 error" : `${diagnostics.length} errors`;
  return { success: false, output: `${format(diagnostics, formatHost)}\nFound ${count} in ${path.relative(process.cwd(), tsConfigPath)}.\n` };
}

export default singleTask(() => typecheck());
export const batch = batchOfTasks(() => typecheck());
