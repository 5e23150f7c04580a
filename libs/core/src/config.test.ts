import type { ConfigSource } from "./config";
import { cidrProblem, ConfigError, ConfigReader, ENVIRONMENT_SUFFIX_PATTERN } from "./config";

const source = (values: Record<string, string>, secrets: string[] = []): ConfigSource => ({
  name: "mlapi-test",
  get: (k) => values[k],
  keys: () => Object.keys(values),
  isSecret: (k) => secrets.includes(k),
});
const reader = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}, stack = "dev") =>
  new ConfigReader(
    source(values),
    env,
    () => stack,
    () => "organization",
  );

describe("environmentSuffix resolution (docs/requirements.md, Configuration)", () => {
  it("prefers config over env over the stack name", () => {
    expect(reader({ environmentSuffix: "cfg" }, { ENVIRONMENT_SUFFIX: "env" }, "stack").environmentSuffix()).toBe(
      "cfg",
    );
    expect(reader({}, { ENVIRONMENT_SUFFIX: "env" }, "stack").environmentSuffix()).toBe("env");
    expect(reader({}, {}, "stack").environmentSuffix()).toBe("stack");
  });

  describe.each([
    ["dev", true],
    ["pr-1234", true],
    ["a", true],
    ["abcdefghijklmnop", true], // 16 characters, the longest legal
    ["abcdefghijklmnopq", false], // 17
    ["Dev", false],
    ["-dev", false],
    ["dev-", false],
    ["dev_1", false],
    ["", false],
  ])("suffix %j", (value, valid) => {
    it(valid ? "is accepted" : "is rejected naming key, value and rule", () => {
      const r = reader({ environmentSuffix: value });
      r.environmentSuffix();
      if (valid) {
        expect(() => r.done()).not.toThrow();
      } else {
        expect(() => r.done()).toThrow(
          `mlapi-test:environmentSuffix = ${JSON.stringify(value)}: must match ${ENVIRONMENT_SUFFIX_PATTERN.source}`,
        );
      }
    });
  });

  it("refuses an ENVIRONMENT_SUFFIX that differs from the suffix pinned in config", () => {
    const r = reader({ environmentSuffix: "dev" }, { ENVIRONMENT_SUFFIX: "qa" });
    expect(r.environmentSuffix()).toBe("dev");
    expect(() => r.done()).toThrow(
      'Invalid configuration: mlapi-test:environmentSuffix = "dev": is pinned in the stack config, but env ENVIRONMENT_SUFFIX is "qa". ' +
        'The suffix is part of every resource name and cannot change once the stack exists: unset ENVIRONMENT_SUFFIX, or create a stack for "qa"',
    );
  });

  it("accepts an ENVIRONMENT_SUFFIX equal to the pinned suffix", () => {
    const r = reader({ environmentSuffix: "dev" }, { ENVIRONMENT_SUFFIX: "dev" });
    r.environmentSuffix();
    expect(() => r.done()).not.toThrow();
  });

  it("says where a bad value came from", () => {
    const r = reader({}, { ENVIRONMENT_SUFFIX: "Bad" });
    r.environmentSuffix();
    expect(() => r.done()).toThrow("(from env ENVIRONMENT_SUFFIX)");
  });
});

describe("upstreamLocation", () => {
  it("defaults to this stack's organization and name", () => {
    expect(reader({}, {}, "dev").upstreamLocation()).toEqual({ organization: "organization", stack: "dev" });
  });

  it("can point at another organization and stack", () => {
    expect(reader({ upstreamOrganization: "acme", upstreamStack: "shared" }).upstreamLocation()).toEqual({
      organization: "acme",
      stack: "shared",
    });
  });
});

describe("typed readers", () => {
  it("returns defaults for absent keys, including explicit false and 0 values when set", () => {
    const r = reader({ flag: "false", count: "0" });
    expect(r.boolean("flag", true)).toBe(false);
    expect(r.number("count", { default: 5, min: 0 })).toBe(0);
    expect(r.number("absent", { default: 5 })).toBe(5);
    expect(() => r.done()).not.toThrow();
  });

  it.each([
    ["abc", "must be a number"],
    ["1.5", "must be a number >= 0, <= 10, a whole number"],
    ["-1", "must be a number >= 0, <= 10, a whole number"],
    ["11", "must be a number >= 0, <= 10, a whole number"],
  ])("rejects number %j", (value, rule) => {
    const r = reader({ n: value });
    r.number("n", { default: 1, min: 0, max: 10, step: 1 });
    expect(() => r.done()).toThrow(`mlapi-test:n = ${JSON.stringify(value)}: ${rule}`);
  });

  it("checks multiples of a step such as 0.5 ACU", () => {
    const r = reader({ acu: "0.3" });
    r.number("acu", { default: 0.5, min: 0.5, max: 256, step: 0.5 });
    expect(() => r.done()).toThrow('mlapi-test:acu = "0.3": must be a number >= 0.5, <= 256, a multiple of 0.5');
  });

  it("accepts only listed values for oneOf", () => {
    const r = reader({ nat: "2" });
    expect(r.oneOf("nat", [1, 3] as const, 1)).toBe(1);
    expect(() => r.done()).toThrow('mlapi-test:nat = "2": must be one of 1, 3');
    expect(reader({ nat: "3" }).oneOf("nat", [1, 3] as const, 1)).toBe(3);
  });

  it("rejects a boolean that is not true or false", () => {
    const r = reader({ b: "yes" });
    r.boolean("b", false);
    expect(() => r.done()).toThrow('mlapi-test:b = "yes": must be true or false');
  });

  it("reads string lists and rejects empty entries", () => {
    expect(reader({ l: '["a","b"]' }).stringList("l", [])).toEqual(["a", "b"]);
    const r = reader({ l: '["a",""]' });
    r.stringList("l", []);
    expect(() => r.done()).toThrow('mlapi-test:l[1] = "": must not be empty');
  });

  it("reports a missing required string with how to set it", () => {
    const r = reader({});
    r.requiredString("image", "run `pulumi config set image <uri>`");
    expect(() => r.done()).toThrow("mlapi-test:image is not set: run `pulumi config set image <uri>`");
  });

  it("collects every problem into one error", () => {
    const r = reader({ environmentSuffix: "BAD", n: "x", b: "maybe" });
    r.environmentSuffix();
    r.number("n", { default: 1 });
    r.boolean("b", true);
    let error: unknown;
    try {
      r.done();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/^Invalid configuration \(3 problems\):/);
  });
});

describe("config hygiene", () => {
  it("refuses a key of the layer's namespace that nothing reads, naming the closest setting", () => {
    const r = reader({ memroy: "1024", cpu: "512" });
    r.number("memory", { default: 2048 });
    r.number("cpu", { default: 1024 });
    expect(() => r.done()).toThrow(
      "Invalid configuration: mlapi-test:memroy is not a setting of this layer: did you mean mlapi-test:memory?",
    );
  });

  it("points at Pulumi.yaml when no setting is close", () => {
    const r = reader({ colour: "blue" });
    r.number("memory", { default: 2048 });
    expect(() => r.done()).toThrow(
      "mlapi-test:colour is not a setting of this layer: the layer's settings are described in its Pulumi.yaml",
    );
  });

  it("knows a setting that was asked for but left unset", () => {
    const r = reader({ memory: "4096" });
    r.optionalString("image");
    r.number("memory", { default: 2048 });
    expect(() => r.done()).not.toThrow();
  });

  it.each([
    ["a key the engine marks secret", { memory: "4096" }, ["memory"]],
    ["an encrypted value from a stack file (offline)", { memory: '{"secure":"v1:abc"}' }, []],
  ])("refuses %s: no setting is secret, and says how to set it", (_case, values, secrets) => {
    const r = new ConfigReader(
      source(values, secrets),
      {},
      () => "dev",
      () => "organization",
    );
    expect(r.number("memory", { default: 2048 })).toBe(2048);
    expect(() => r.done()).toThrow(
      "mlapi-test:memory is a secret (secure: in the stack file), but no setting of this layer is: set it in plain text " +
        "(pulumi config set memory <value>). Secrets the API needs stay in Secrets Manager; list their names in mlapi-data:appSecretNames.",
    );
  });
});

describe("cidrProblem", () => {
  it.each([
    ["10.0.0.0/16", undefined],
    ["10.0.0.0/24", undefined],
    ["172.16.0.0/20", undefined],
    ["10.0.0.0/8", "prefix from /16 to /24"],
    ["10.0.0.0/25", "prefix from /16 to /24"],
    ["10.0.1.0/16", "host bits must be zero"],
    ["300.0.0.0/16", "prefix from /16 to /24"],
    ["not-a-cidr", "prefix from /16 to /24"],
  ])("%s", (value, problem) => {
    const result = cidrProblem(value, 16, 24);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe("profile and logRetentionDays (issue 26)", () => {
  it("defaults to a throwaway stack that keeps its logs 30 days", () => {
    const r = reader({});
    expect([r.profile(), r.logRetentionDays("throwaway")]).toEqual(["throwaway", 30]);
    expect(() => r.done()).not.toThrow();
  });

  it("lets a production stack keep its logs for a longer CloudWatch period, and only those", () => {
    expect(reader({ profile: "production", logRetentionDays: "3653" }).logRetentionDays("production")).toBe(3653);
    const r = reader({ logRetentionDays: "14" });
    r.logRetentionDays("production");
    expect(() => r.done()).toThrow(
      'mlapi-test:logRetentionDays = "14": must be one of 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    );
  });

  it.each([
    [{ profile: "staging" }, 'mlapi-test:profile = "staging": must be one of throwaway, production'],
    [
      { logRetentionDays: "90" },
      'mlapi-test:logRetentionDays = "90": a throwaway stack keeps its logs 30 days (R14); a longer retention needs mlapi-test:profile: production',
    ],
  ])("refuses %j", (values, message) => {
    const r = reader(values);
    r.logRetentionDays(r.profile());
    expect(() => r.done()).toThrow(message);
  });
});
