import { NAME_RULES, Naming } from "./naming";

const LONGEST_SUFFIX = "abcdefghijklmnop"; // 16 characters, the longest the configuration rules allow (docs/requirements.md)

describe("Naming", () => {
  it("builds mlapi-<base>-<suffix>", () => {
    expect(new Naming("dev").name("vpc")).toBe("mlapi-vpc-dev");
    expect(new Naming("dev").logGroupName("vpc-flow-logs")).toBe("/mlapi/vpc-flow-logs-dev");
  });

  it("fits an ALB name in 32 characters with the longest suffix", () => {
    const name = new Naming(LONGEST_SUFFIX).name("alb", "alb");
    expect(name.length).toBeLessThanOrEqual(NAME_RULES.alb.maxLength);
  });

  it("rejects an ALB name over 32 characters with a clear error", () => {
    expect(() => new Naming(LONGEST_SUFFIX).name("application-lb", "alb")).toThrow(
      `alb name "mlapi-application-lb-${LONGEST_SUFFIX}" is 37 characters; AWS allows 32. Use a shorter environmentSuffix or base name.`,
    );
  });

  it("leaves room for Pulumi's random suffix when autonaming a target group", () => {
    const logical = new Naming(LONGEST_SUFFIX).autoname("api-tg", "targetGroup");
    expect(logical).toBe(`api-tg-${LONGEST_SUFFIX}`);
    expect(logical.length + 8).toBeLessThanOrEqual(32);
    expect(() => new Naming(LONGEST_SUFFIX).autoname("mlapi-api-tg", "targetGroup")).toThrow(
      `targetGroup name "mlapi-api-tg-${LONGEST_SUFFIX}" is 29 characters; AWS allows 24 (32 less the 8 random characters Pulumi appends when autonaming).`,
    );
  });

  it("rejects characters the kind does not allow", () => {
    expect(() => new Naming("dev").name("my_alb", "alb")).toThrow('alb name "mlapi-my_alb-dev" is not valid');
    expect(() => new Naming("dev").name("Errors", "s3Bucket")).toThrow("is not valid: lowercase letters");
  });
});
