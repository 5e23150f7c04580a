// The Pulumi CLI checks Pulumi.yaml and every stack file against the project's config declarations
// before it runs the program; a mock run does not, so these rules are checked here.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ConfigSource } from "@mlapi/core";
import { ConfigReader } from "@mlapi/core";
import { loadConfig } from "../src/config";

interface Declaration {
  type: string;
  items?: { type: string };
  description?: string;
  default?: unknown;
}

const dir = path.join(__dirname, "..");
const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration>;
};
const example = (
  parse(fs.readFileSync(path.join(dir, "Pulumi.example.yaml"), "utf8")) as { config: Record<string, unknown> }
).config;

/** The Pulumi CLI's own check of a config value against a declared type (ValidateConfigValue). */
function fitsType(decl: Pick<Declaration, "type" | "items">, value: unknown): boolean {
  switch (decl.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(typeof value === "string" ? Number(value) : value);
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "array":
      return (
        Array.isArray(value) && decl.items !== undefined && value.every((v) => fitsType(decl.items as Declaration, v))
      );
    default:
      return false;
  }
}

describe("Pulumi.yaml of mlapi-data", () => {
  it("is the mlapi-data project", () => {
    expect(project.name).toBe("mlapi-data");
  });

  it.each(Object.entries(project.config))(
    "declares %s with a type the CLI accepts, a description and a default of that type",
    (_key, decl) => {
      expect(["string", "integer", "boolean", "array"]).toContain(decl.type);
      expect(decl.description).toEqual(expect.any(String));
      if (decl.type === "array") expect(decl.items).toBeDefined();
      if (decl.default !== undefined) expect(fitsType(decl, decl.default)).toBe(true);
    },
  );

  it("declares exactly the keys the program reads (the CLI rejects stack keys the project does not declare)", () => {
    const read = new Set<string>();
    const spy: ConfigSource = { name: "mlapi-data", get: (k) => (read.add(k), undefined) };
    loadConfig(
      new ConfigReader(
        spy,
        {},
        () => "dev",
        () => "organization",
      ),
    );
    expect(Object.keys(project.config).sort()).toEqual([...read].sort());
  });

  it("has an example stack whose every value is declared and of the declared type", () => {
    for (const [key, value] of Object.entries(example)) {
      if (!key.startsWith("mlapi-data:")) continue;
      const decl = project.config[key.slice("mlapi-data:".length)];
      expect([key, decl !== undefined && fitsType(decl, value)]).toEqual([key, true]);
    }
    expect(example["aws:region"]).toBe("us-east-1");
  });
});
