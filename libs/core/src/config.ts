import * as pulumi from "@pulumi/pulumi";
import type { UpstreamLocation } from "./contracts/upstream";

/** SPEC §3: 1–16 characters, lowercase letters, digits and inner hyphens. */
export const ENVIRONMENT_SUFFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

/** Thrown once per program with every configuration problem found, before any resource exists. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Where raw values come from; `pulumi.Config` satisfies it, tests may pass a plain object. */
export interface ConfigSource {
  /** The namespace, i.e. the Pulumi project name (`mlapi-network`). */
  readonly name: string;
  get(key: string): string | undefined;
}

export interface NumberRule {
  default: number;
  min?: number;
  max?: number;
  /** Value must be a multiple of this (1 for integers, 0.5 for ACUs). */
  step?: number;
}

export interface CidrRule {
  default: string;
  /** Smallest prefix length allowed (largest network), e.g. 16. */
  minPrefix: number;
  /** Largest prefix length allowed (smallest network), e.g. 24. */
  maxPrefix: number;
}

const fmt = (value: unknown): string => JSON.stringify(value);

/**
 * Reads a layer's configuration and collects every problem instead of stopping at the first,
 * so one run tells the user everything to fix. Call `done()` once, before declaring resources.
 * Readers return the default when a key is invalid so that validation can continue.
 */
export class ConfigReader {
  private readonly problems: string[] = [];

  constructor(
    private readonly source: ConfigSource = new pulumi.Config(),
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly stackName: () => string = pulumi.getStack,
    private readonly organization: () => string = pulumi.getOrganization,
  ) {}

  /** The fully qualified key (`mlapi-network:natGateways`), as users write it in stack files. */
  key(key: string): string {
    return `${this.source.name}:${key}`;
  }

  /** Records a problem that involves `key`; use for cross-field rules such as min ≤ max. */
  fail(key: string, value: unknown, rule: string): void {
    this.problems.push(`${this.key(key)} = ${fmt(value)}: ${rule}`);
  }

  /** `check(cond, ...)` records the problem when `cond` is false. */
  check(condition: boolean, key: string, value: unknown, rule: string): void {
    if (!condition) this.fail(key, value, rule);
  }

  /** SPEC §3: config `environmentSuffix`, else env ENVIRONMENT_SUFFIX, else the stack name. */
  environmentSuffix(): string {
    const fromConfig = this.source.get("environmentSuffix");
    const fromEnv = this.env["ENVIRONMENT_SUFFIX"];
    const value = fromConfig ?? fromEnv ?? this.stackName();
    const origin =
      fromConfig !== undefined ? "" : fromEnv !== undefined ? " (from env ENVIRONMENT_SUFFIX)" : " (from the stack name)";
    this.check(
      ENVIRONMENT_SUFFIX_PATTERN.test(value),
      "environmentSuffix",
      value,
      `must match ${ENVIRONMENT_SUFFIX_PATTERN.source}: 1-16 lowercase letters, digits or hyphens, not starting or ending with a hyphen${origin}`,
    );
    return value;
  }

  /**
   * Where the upstream layers' stacks are (SPEC §3): this stack's organization and stack name,
   * unless `upstreamOrganization` / `upstreamStack` say otherwise.
   */
  upstreamLocation(): UpstreamLocation {
    return {
      organization: this.string("upstreamOrganization", this.organization()),
      stack: this.string("upstreamStack", this.stackName()),
    };
  }

  string(key: string, defaultValue: string): string {
    return this.source.get(key) ?? defaultValue;
  }

  /** A required string: absent or empty is a problem described by `howToSet`. */
  requiredString(key: string, howToSet: string): string {
    const value = this.source.get(key);
    if (value === undefined || value.trim() === "") {
      this.problems.push(`${this.key(key)} is not set: ${howToSet}`);
      return "";
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.source.get(key);
    return value === undefined || value === "" ? undefined : value;
  }

  number(key: string, rule: NumberRule): number {
    const raw = this.source.get(key);
    if (raw === undefined) return rule.default;
    const value = Number(raw);
    const bounds = [
      rule.min !== undefined ? `>= ${rule.min}` : undefined,
      rule.max !== undefined ? `<= ${rule.max}` : undefined,
      rule.step !== undefined ? (rule.step === 1 ? "a whole number" : `a multiple of ${rule.step}`) : undefined,
    ].filter((b): b is string => b !== undefined);
    const ruleText = `must be a number${bounds.length ? ` ${bounds.join(", ")}` : ""}`;
    const ok =
      raw.trim() !== "" &&
      Number.isFinite(value) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.max === undefined || value <= rule.max) &&
      (rule.step === undefined || Number.isInteger(value / rule.step));
    if (!ok) {
      this.fail(key, raw, ruleText);
      return rule.default;
    }
    return value;
  }

  /** One of a fixed list; numbers are matched by value (`natGateways: 3`). */
  oneOf<T extends string | number>(key: string, allowed: readonly T[], defaultValue: T): T {
    const raw = this.source.get(key);
    if (raw === undefined) return defaultValue;
    const match = allowed.find((a) => String(a) === raw.trim());
    if (match === undefined) {
      this.fail(key, raw, `must be one of ${allowed.map((a) => String(a)).join(", ")}`);
      return defaultValue;
    }
    return match;
  }

  boolean(key: string, defaultValue: boolean): boolean {
    const raw = this.source.get(key);
    if (raw === undefined) return defaultValue;
    if (raw === "true" || raw === "false") return raw === "true";
    this.fail(key, raw, "must be true or false");
    return defaultValue;
  }

  /** An IPv4 network in CIDR notation whose prefix length is within the rule's range. */
  cidr(key: string, rule: CidrRule): string {
    const raw = this.source.get(key);
    if (raw === undefined) return rule.default;
    const problem = cidrProblem(raw, rule.minPrefix, rule.maxPrefix);
    if (problem) {
      this.fail(key, raw, problem);
      return rule.default;
    }
    return raw;
  }

  /** A list given as a YAML/JSON array of non-empty strings. */
  stringList(key: string, defaultValue: readonly string[]): string[] {
    const raw = this.source.get(key);
    if (raw === undefined) return [...defaultValue];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) {
      this.fail(key, raw, "must be a list of strings");
      return [...defaultValue];
    }
    const list = parsed as string[];
    list.forEach((item, i) => this.check(item.trim() !== "", `${key}[${i}]`, item, "must not be empty"));
    return list;
  }

  /** Throws one ConfigError naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** Returns why `value` is not an acceptable IPv4 CIDR, or undefined when it is. */
export function cidrProblem(value: string, minPrefix: number, maxPrefix: number): string | undefined {
  const rule = `must be an IPv4 network address in CIDR notation with a prefix from /${minPrefix} to /${maxPrefix}`;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value.trim());
  if (!match) return rule;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) return rule;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return `${rule} (host bits must be zero)`;
  return undefined;
}
