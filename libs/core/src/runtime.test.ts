import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertSupportedRuntime, NODE_LTS_MAJOR } from "./runtime";

const root = join(__dirname, "../../..");
const read = (file: string): string => readFileSync(join(root, file), "utf8");
const major = (version: string): number => Number(/(\d+)/.exec(version)?.[1]);

describe("the Node.js LTS line (R24)", () => {
  it("is the runtime these tests run on", () => {
    expect(major(process.versions.node)).toBe(NODE_LTS_MAJOR);
  });

  it("is the line the workspace installs, declares and types against", () => {
    const pkg = JSON.parse(read("package.json")) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(major(pkg.devDependencies.node)).toBe(NODE_LTS_MAJOR);
    expect(major(pkg.devDependencies["@types/node"])).toBe(NODE_LTS_MAJOR);
    expect(pkg.engines.node).toMatch(new RegExp(`^>=${NODE_LTS_MAJOR}\\.\\d+ <${NODE_LTS_MAJOR + 1}$`));
  });

  it("is the line every workspace types against", () => {
    for (const file of ["apps/ml-api/package.json"]) {
      const pkg = JSON.parse(read(file)) as { devDependencies?: Record<string, string> };
      expect(major(pkg.devDependencies?.["@types/node"] ?? `${NODE_LTS_MAJOR}`)).toBe(NODE_LTS_MAJOR);
    }
  });

  it("is the base image of the API's container", () => {
    expect(read("apps/ml-api/Dockerfile")).toMatch(
      new RegExp(`^ARG NODE_IMAGE=node:${NODE_LTS_MAJOR}-bookworm-slim$`, "m"),
    );
  });

  it.each(["20.20.2", "22.22.0", "25.1.0"])("refuses to run a layer on Node.js %s", (version) => {
    expect(() => assertSupportedRuntime(version)).toThrow(
      `Node.js ${version} is not a supported LTS for this platform (needs ${NODE_LTS_MAJOR}.x or a later LTS line).`,
    );
  });

  it.each([`${NODE_LTS_MAJOR}.11.0`, "26.12.1"])("accepts Node.js %s", (version) => {
    expect(() => assertSupportedRuntime(version)).not.toThrow();
  });
});
