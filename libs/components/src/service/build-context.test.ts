import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildContextFiles, contentTag } from "./build-context";

const ALLOW_LIST = ["# what the build reads", "*", "!package.json", "!app/src/**", ""].join("\n");

let dir: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const source = () => ({ contextDir: dir, dockerfile: "app/Dockerfile" });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-context-"));
  write("app/Dockerfile", "FROM node:24-bookworm-slim\n");
  write("app/Dockerfile.dockerignore", ALLOW_LIST);
  write("package.json", "{}");
  write("app/src/main.ts", "main");
  write("app/src/lib/util.ts", "util");
  write("app/README.md", "not in the image");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("buildContextFiles", () => {
  it("lists the Dockerfile, its ignore file and exactly what the allow-list admits", () => {
    expect(buildContextFiles(source())).toEqual([
      "app/Dockerfile",
      "app/Dockerfile.dockerignore",
      "app/src/lib/util.ts",
      "app/src/main.ts",
      "package.json",
    ]);
  });

  it.each([
    [
      "a deny-list",
      "node_modules\n!package.json",
      'must start with "*" and then allow files with "!" lines (found "node_modules")',
    ],
    [
      "a wildcard it cannot list exactly",
      "*\n!app/*.ts",
      'unsupported line "!app/*.ts" (use "!<file>" or "!<folder>/**")',
    ],
    ["a missing file", "*\n!tsconfig.json", '"!tsconfig.json" names no file'],
    ["a missing folder", "*\n!lib/**", '"!lib/**" names no folder'],
  ])("rejects %s", (_label, ignore, message) => {
    write("app/Dockerfile.dockerignore", ignore);
    expect(() => buildContextFiles(source())).toThrow(message);
  });

  it("needs the Dockerfile's own ignore file", () => {
    fs.rmSync(path.join(dir, "app/Dockerfile.dockerignore"));
    expect(() => buildContextFiles(source())).toThrow("app/Dockerfile.dockerignore is missing");
  });
});

describe("contentTag", () => {
  it("is <arch>-<20 hex> and the same for the same sources", () => {
    const tag = contentTag(source(), "amd64");
    expect(tag).toMatch(/^amd64-[0-9a-f]{20}$/);
    expect(contentTag(source(), "amd64")).toBe(tag);
  });

  it("changes with any admitted file, the Dockerfile, a renamed file, permission bits or the architecture", () => {
    const before = contentTag(source(), "amd64");
    const changed = (edit: () => void) => {
      edit();
      expect(contentTag(source(), "amd64")).not.toBe(before);
    };
    changed(() => write("app/src/lib/util.ts", "util v2"));
    changed(() => write("app/Dockerfile", "FROM node:24-bookworm-slim\nUSER 1000\n"));
    changed(() => fs.renameSync(path.join(dir, "app/src/main.ts"), path.join(dir, "app/src/index.ts")));
    // docker-build's context hash includes permission bits (a checkout under another umask), so a rebuild gets a new tag
    changed(() => fs.chmodSync(path.join(dir, "package.json"), 0o664));
    expect(contentTag(source(), "arm64")).toMatch(/^arm64-[0-9a-f]{20}$/);
    expect(contentTag(source(), "arm64")).not.toBe(contentTag(source(), "amd64"));
  });

  it("ignores files the build cannot see", () => {
    const before = contentTag(source(), "amd64");
    write("app/README.md", "edited");
    write("app/notes.txt", "new");
    expect(contentTag(source(), "amd64")).toBe(before);
  });
});
