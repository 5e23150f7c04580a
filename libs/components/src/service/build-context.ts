import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A Docker build: the context folder and the Dockerfile inside it. */
export interface BuildSource {
  /** Absolute path of the build context. */
  contextDir: string;
  /** Dockerfile path relative to contextDir. */
  dockerfile: string;
}

/**
 * The files BuildKit sends for `source`: the Dockerfile, its `<Dockerfile>.dockerignore` and what
 * that file lets through. Only the allow-list form is accepted (`*`, then `!file` or `!dir/**`
 * lines), because then the list is exact: a hash over it changes exactly when the image can.
 */
export function buildContextFiles(source: BuildSource): string[] {
  const ignoreFile = `${source.dockerfile}.dockerignore`;
  const ignorePath = path.join(source.contextDir, ignoreFile);
  if (!fs.existsSync(ignorePath))
    throw new Error(`${ignoreFile} is missing: the image's content tag needs an allow-list of what the build reads`);
  const lines = fs
    .readFileSync(ignorePath, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines[0] !== "*")
    throw new Error(
      `${ignoreFile} must start with "*" and then allow files with "!" lines (found "${lines[0] ?? ""}")`,
    );

  const files = new Set<string>([source.dockerfile, ignoreFile]);
  for (const line of lines.slice(1)) {
    const allowed = /^!([\w./-]+?)(\/\*\*)?$/.exec(line);
    if (!allowed || allowed[1].includes("*"))
      throw new Error(`${ignoreFile}: unsupported line "${line}" (use "!<file>" or "!<folder>/**")`);
    const [, rel, recursive] = allowed;
    const abs = path.join(source.contextDir, rel);
    if (recursive) {
      if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory())
        throw new Error(`${ignoreFile}: "${line}" names no folder`);
      for (const entry of fs.readdirSync(abs, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) files.add(path.relative(source.contextDir, path.join(entry.parentPath, entry.name)));
      }
    } else {
      if (!fs.statSync(abs, { throwIfNoEntry: false })?.isFile())
        throw new Error(`${ignoreFile}: "${line}" names no file`);
      files.add(rel);
    }
  }
  return [...files].map((f) => f.split(path.sep).join("/")).sort();
}

/**
 * An image tag that names the content: `<platform arch>-<first 20 hex of a SHA-256 over every
 * context file's path, permission bits and bytes>`. ECR tags are immutable, so the tag must change
 * whenever @pulumi/docker-build decides to rebuild, or the rebuilt image is refused on push. Its
 * context hash covers permission bits (which differ between checkouts made under different
 * umasks), so this one does too: such a checkout pushes a new tag instead of failing the deploy.
 */
export function contentTag(source: BuildSource, arch: string): string {
  const hash = createHash("sha256");
  for (const file of buildContextFiles(source)) {
    const abs = path.join(source.contextDir, file);
    const mode = (fs.statSync(abs).mode & 0o777).toString(8);
    hash.update(file).update("\0").update(mode).update("\0").update(fs.readFileSync(abs)).update("\0");
  }
  return `${arch}-${hash.digest("hex").slice(0, 20)}`;
}
