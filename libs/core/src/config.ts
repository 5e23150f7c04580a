import * as pulumi from "@pulumi/pulumi";
import type { UpstreamLocation } from "./contracts/upstream";
import type { Profile } from "./profile";
import { DEFAULT_LOG_RETENTION_DAYS, DEFAULT_PROFILE, PRODUCTION_LOG_RETENTION_DAYS, PROFILES } from "./profile";

import { ENVIRONMENT_SUFFIX_PATTERN } from "./layers";

export { ENVIRONMENT_SUFFIX_PATTERN };

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

/** Where raw values come from: the stack's config (`StackConfig`), or a plain object in tests. */
export interface ConfigSource {
  /** The namespace, i.e. the Pulumi project name (`mlapi-network`). */
  readonly name: string;
  get(key: string): string | undefined;
  /** Every key set in the namespace, without the prefix; the reader refuses those it never reads. */
  keys?(): string[];
  /** Whether the key's value is a secret (`secure:` in the stack file), where the source can tell. */
  isSecret?(key: string): boolean;
}

/** The stack's configuration in the layer's namespace, as the Pulumi engine hands it to the program. */
export class StackConfig implements ConfigSource {
  private readonly config: pulumi.Config;
  readonly name: string;

  constructor(name?: string) {
    this.config = new pulumi.Config(name);
    this.name = this.config.name;
  }

  get(key: string): string | undefined {
    return this.config.get(key);
  }

  keys(): string[] {
    const prefix = `${this.name}:`;
    return Object.keys(pulumi.runtime.allConfig())
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  }
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
 * A value still encrypted: how the offline plan, which cannot decrypt, hands over a `secure:` entry of a
 * stack file. The engine hands over the plain text instead (and tells the program which keys are secret
 * only through an SDK-internal call), so the deploy tool checks the stack file for `secure:` before
 * `pulumi up` (tools/src/pulumi-layer.ts).
 */
const ENCRYPTED = /^\s*\{\s*"secure"\s*:/;

/** The edit distance between two keys, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j] + 1,
        next[j - 1] + 1,
        row[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Reads a layer's configuration and collects every problem instead of stopping at the first,
 * so one run tells the user everything to fix. Call `done()` once, before declaring resources:
 * it also refuses keys of the layer's namespace that nothing read (a typo would otherwise be
 * dropped without a word). Readers return the default when a key is invalid so that validation
 * can continue.
 */
export class ConfigReader {
  private readonly problems: string[] = [];
  /** Every key asked for, set or not: the layer's settings. */
  private readonly known = new Set<string>();

  constructor(
    private readonly source: ConfigSource = new StackConfig(),
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly stackName: () => string = pulumi.getStack,
    private readonly organization: () => string = pulumi.getOrganization,
  ) {}

  /**
   * The raw value of a setting. No setting of a layer is a secret (secrets stay in Secrets Manager and
   * are named in config), so a `secure:` value is a problem that says how to set it instead.
   */
  private raw(key: string): string | undefined {
    this.known.add(key);
    const value = this.source.get(key);
    if (value !== undefined && (this.source.isSecret?.(key) === true || ENCRYPTED.test(value))) {
      this.problems.push(
        `${this.key(key)} is a secret (secure: in the stack file), but no setting of this layer is: set it in plain text ` +
          `(pulumi config set ${key} <value>). Secrets the API needs stay in Secrets Manager; list their names in mlapi-data:appSecretNames.`,
      );
      return undefined;
    }
    return value;
  }

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

  /**
   * Config `environmentSuffix`, else env ENVIRONMENT_SUFFIX, else the stack name (config contract,
   * docs/requirements.md). Once pinned in the stack's config (stack-init does), the variable may only
   * repeat it: a different value would rename every resource of an existing stack.
   */
  environmentSuffix(): string {
    const fromConfig = this.raw("environmentSuffix");
    const fromEnv = this.env["ENVIRONMENT_SUFFIX"];
    const value = fromConfig ?? fromEnv ?? this.stackName();
    const origin =
      fromConfig !== undefined
        ? ""
        : fromEnv !== undefined
          ? " (from env ENVIRONMENT_SUFFIX)"
          : " (from the stack name)";
    this.check(
      ENVIRONMENT_SUFFIX_PATTERN.test(value),
      "environmentSuffix",
      value,
      `must match ${ENVIRONMENT_SUFFIX_PATTERN.source}: 1-16 lowercase letters, digits or hyphens, not starting or ending with a hyphen${origin}`,
    );
    if (fromConfig !== undefined && fromEnv !== undefined && fromEnv !== fromConfig) {
      this.fail(
        "environmentSuffix",
        fromConfig,
        `is pinned in the stack config, but env ENVIRONMENT_SUFFIX is ${fmt(fromEnv)}. The suffix is part of every resource ` +
          `name and cannot change once the stack exists: unset ENVIRONMENT_SUFFIX, or create a stack for ${fmt(fromEnv)}`,
      );
    }
    return value;
  }

  /**
   * Where the upstream layers' stacks are (docs/requirements.md, Configuration): this stack's organization and stack name,
   * unless `upstreamOrganization` / `upstreamStack` say otherwise.
   */
  upstreamLocation(): UpstreamLocation {
    return {
      organization: this.optionalString("upstreamOrganization") ?? this.organization(),
      stack: this.optionalString("upstreamStack") ?? this.stackName(),
    };
  }

  /** `profile`: `throwaway` (default, fully destroyable, R19) or `production` (see profile.ts). */
  profile(): Profile {
    return this.oneOf("profile", PROFILES, DEFAULT_PROFILE);
  }

  /**
   * `logRetentionDays`: R14's 30 days; a production stack may keep its logs longer, in one of the
   * periods CloudWatch Logs accepts. A throwaway stack that sets anything else is told to switch profile.
   */
  logRetentionDays(profile: Profile): number {
    if (profile === "production")
      return this.oneOf("logRetentionDays", PRODUCTION_LOG_RETENTION_DAYS, DEFAULT_LOG_RETENTION_DAYS);
    const raw = this.raw("logRetentionDays");
    if (raw !== undefined && raw.trim() !== String(DEFAULT_LOG_RETENTION_DAYS)) {
      this.fail(
        "logRetentionDays",
        raw,
        `a throwaway stack keeps its logs ${DEFAULT_LOG_RETENTION_DAYS} days (R14); a longer retention needs ${this.key("profile")}: production`,
      );
    }
    return DEFAULT_LOG_RETENTION_DAYS;
  }

  string(key: string, defaultValue: string): string {
    return this.raw(key) ?? defaultValue;
  }

  /** A required string: absent or empty is a problem described by `howToSet`. */
  requiredString(key: string, howToSet: string): string {
    const value = this.raw(key);
    if (value === undefined || value.trim() === "") {
      this.problems.push(`${this.key(key)} is not set: ${howToSet}`);
      return "";
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    return value === undefined || value === "" ? undefined : value;
  }

  number(key: string, rule: NumberRule): number {
    const raw = this.raw(key);
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
    const raw = this.raw(key);
    if (raw === undefined) return defaultValue;
    const match = allowed.find((a) => String(a) === raw.trim());
    if (match === undefined) {
      this.fail(key, raw, `must be one of ${allowed.map((a) => String(a)).join(", ")}`);
      return defaultValue;
    }
    return match;
  }

  boolean(key: string, defaultValue: boolean): boolean {
    const raw = this.raw(key);
    if (raw === undefined) return defaultValue;
    if (raw === "true" || raw === "false") return raw === "true";
    this.fail(key, raw, "must be true or false");
    return defaultValue;
  }

  /** An IPv4 network in CIDR notation whose prefix length is within the rule's range. */
  cidr(key: string, rule: CidrRule): string {
    const raw = this.raw(key);
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
    const raw = this.raw(key);
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

  /** Throws one ConfigError naming every problem found so far, unknown keys included. */
  done(): void {
    for (const key of this.source.keys?.() ?? []) {
      if (this.known.has(key)) continue;
      const [closest] = [...this.known].map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d);
      const hint =
        closest && closest.d <= Math.max(2, Math.floor(key.length / 3))
          ? `did you mean ${this.key(closest.k)}?`
          : "the layer's settings are described in its Pulumi.yaml";
      this.problems.push(`${this.key(key)} is not a setting of this layer: ${hint}`);
    }
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
