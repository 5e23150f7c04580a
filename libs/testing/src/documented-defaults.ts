import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** One default a layer states in its documentation, as the text a stack file would set. */
export interface DocumentedDefault {
  /** Where it is written. */
  source: "Pulumi.yaml" | "README.md";
  key: string;
  value: string;
}

/** `default:` of every key in the `config:` block of a layer's Pulumi.yaml, as config text. */
export function pulumiYamlDefaults(projectDir: string): DocumentedDefault[] {
  const file = path.join(projectDir, "Pulumi.yaml");
  const project = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, { default?: unknown }> };
  return Object.entries(project.config ?? {})
    .filter(([, declaration]) => declaration.default !== undefined)
    .map(([key, { default: value }]) => ({
      source: "Pulumi.yaml" as const,
      key,
      value: typeof value === "string" ? value : JSON.stringify(value),
    }));
}

const BACKTICKED = /`([^`]*)`/g;
/** A Default cell that states values: backticked literals, comma-separated, each maybe with a (note). */
const LITERAL_CELL = /^`[^`]*`(?:\s*\([^)]*\))?(?:\s*,\s*`[^`]*`(?:\s*\([^)]*\))?)*$/;

/**
 * The literal defaults of the `| Key | Default | Rule |` table in a layer's README. A row may list
 * several keys and as many defaults, in order; a row of one key whose cell gives a value per profile
 * (`1` (throwaway), `3` (production)) contributes the first. Cells that describe rather than state a
 * value ("env `ENVIRONMENT_SUFFIX`, else the stack name", "—") are not literals and are skipped.
 */
export function readmeDefaults(projectDir: string): DocumentedDefault[] {
  const file = path.join(projectDir, "README.md");
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const header = lines.findIndex((line) => /^\|\s*Key\s*\|\s*Default\s*\|/.test(line));
  if (header < 0) throw new Error(`${file}: no "| Key | Default | Rule |" table`);
  const defaults: DocumentedDefault[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [keyCell, defaultCell] = line
      .split("|")
      .slice(1, 3)
      .map((cell) => cell.trim());
    if (!LITERAL_CELL.test(defaultCell)) continue;
    const keys = [...keyCell.matchAll(BACKTICKED)].map((m) => m[1]).filter((key) => !key.includes(":"));
    const values = [...defaultCell.matchAll(BACKTICKED)].map((m) => m[1]);
    if (keys.length === 0) continue;
    if (keys.length !== values.length && keys.length !== 1) {
      throw new Error(`${file}: ${keys.length} keys but ${values.length} defaults in the row "${line}"`);
    }
    keys.forEach((key, i) => defaults.push({ source: "README.md", key, value: values[i] }));
  }
  if (defaults.length === 0) throw new Error(`${file}: the config table states no default`);
  return defaults;
}

/** Every default a layer documents, in Pulumi.yaml and in its README's config table. */
export function documentedDefaults(projectDir: string): DocumentedDefault[] {
  return [...pulumiYamlDefaults(projectDir), ...readmeDefaults(projectDir)];
}
