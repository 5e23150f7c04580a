// jest.preset.js maps Pulumi's function-serialization dependencies to jest.unloaded-module.js.
describe("modules jest leaves unloaded", () => {
  it.each(["typescript", "@npmcli/arborist"])("%s is a stub that refuses every use, naming the mapping", (id) => {
    const mod = require(id) as Record<string, unknown>;
    expect(() => mod.version).toThrow(`"version" read from a module jest.preset.js maps away`);
  });

  it("still lets @pulumi/pulumi load, since it only reads them when serializing a function", async () => {
    const pulumi = await import("@pulumi/pulumi");
    expect(pulumi.output(1)).toBeDefined();
  });
});
