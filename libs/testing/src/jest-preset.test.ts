import * as path from "node:path";
import type * as Pulumi from "@pulumi/pulumi";

// jest.preset.js maps the modules @pulumi/pulumi loads only for function serialization and its
// Automation API to jest.unloaded-module.js.
const preset = require(path.resolve(__dirname, "../../../jest.preset.js")) as {
  moduleNameMapper: Record<string, string>;
};
const UNLOADED = ["typescript", "@npmcli/arborist", "normalize-package-data", "execa", "tmp", "@logdna/tail-file"];

describe("modules jest leaves unloaded", () => {
  it("are exactly the ones Pulumi loads for function serialization and the Automation API", () => {
    expect(Object.keys(preset.moduleNameMapper)).toEqual(UNLOADED.map((id) => `^${id}$`));
  });

  it.each(UNLOADED)("%s is a stand-in that refuses every use, naming the mapping", (id) => {
    const mod = require(id) as Record<string, unknown>;
    expect(() => mod.version).toThrow(
      `"version" read from a stand-in for a module Pulumi loads only to serialize functions or run its Automation API`,
    );
  });

  it("still lets @pulumi/pulumi load, since it only reads them when serializing a function or running the CLI", () => {
    const pulumi = require("@pulumi/pulumi") as typeof Pulumi;
    expect(pulumi.output(1)).toBeDefined();
  });
});
