// The bootstrap as a project: the CLI's view of its config, and nx's view of its targets (it must
// never join a run-many deploy, preview or destroy of the layers).
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ConfigSource } from "@mlapi/core";
import { ConfigReader } from "@mlapi/core";
import { loadConfig } from "../src/config";

const dir = path.join(__dirname, "..");
const pulumiYaml = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, { default?: unknown }>;
};
const projectJson = JSON.parse(fs.readFileSync(path.join(dir, "project.json"), "utf8")) as {
  name: string;
  targets: Record<string, { options?: { command?: string } }>;
};

describe("the bootstrap project", () => {
  it("is the Pulumi project mlapi-bootstrap and the nx project bootstrap", () => {
    expect([pulumiYaml.name, projectJson.name]).toEqual(["mlapi-bootstrap", "bootstrap"]);
  });

  it("has no target a run-many of the layers runs: deploy, destroy, refresh, preview, plan", () => {
    expect(Object.keys(projectJson.targets).sort()).toEqual(["admin-preview", "admin-up", "lint", "test", "typecheck"]);
  });

  it("previews and applies only with the platform's policy pack, and applies only after confirmation", () => {
    expect(projectJson.targets["admin-preview"].options?.command).toBe(
      "pulumi preview --diff --policy-pack ../../libs/policies/pack",
    );
    expect(projectJson.targets["admin-up"].options?.command).toBe("pulumi up --policy-pack ../../libs/policies/pack");
  });

  it("declares in Pulumi.yaml exactly the keys the program reads", () => {
    const read = new Set<string>();
    const spy: ConfigSource = {
      name: "mlapi-bootstrap",
      get: (k) => (read.add(k), k === "githubRepository" ? "acme/mlapi" : undefined),
    };
    loadConfig(new ConfigReader(spy, {}, () => "shared"));
    expect(Object.keys(pulumiYaml.config).sort()).toEqual([...read].sort());
  });

  it("has Pulumi.yaml defaults that load as the program's defaults", () => {
    const defaults: Record<string, string> = Object.fromEntries(
      Object.entries(pulumiYaml.config)
        .filter(([, d]) => d.default !== undefined)
        .map(([k, d]) => [k, typeof d.default === "string" ? d.default : JSON.stringify(d.default)]),
    );
    const required = { githubRepository: "acme/mlapi" } as Record<string, string>;
    const fromYaml = loadConfig(
      new ConfigReader({ name: "mlapi-bootstrap", get: (k) => defaults[k] ?? required[k] }, {}, () => "shared"),
    );
    const fromCode = loadConfig(
      new ConfigReader({ name: "mlapi-bootstrap", get: (k) => required[k] }, {}, () => "shared"),
    );
    expect(fromYaml).toEqual(fromCode);
  });
});
