/** The application prefix of every physical name. */
export const APP = "mlapi";

/** Random characters Pulumi appends when it autonames a resource ("-" + 7). */
export const AUTONAME_SUFFIX_LENGTH = 8;

interface NameRule {
  maxLength: number;
  pattern: RegExp;
  description: string;
}

const ALNUM_HYPHEN = {
  pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
  description: "letters, digits and hyphens, no hyphen at either end",
};
const S3 = { pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, description: "lowercase letters, digits, dots and hyphens" };
const GENERIC = { pattern: /^[a-zA-Z0-9._/-]+$/, description: "letters, digits and . _ / -" };

/**
 * AWS limits per kind of name. Only kinds whose limit matters are listed; others use `generic`.
 * Sources: the service quotas pages of ELB, S3, IAM, RDS, ECS, KMS, WAF and CloudFront.
 */
export const NAME_RULES = {
  generic: { maxLength: 255, ...GENERIC },
  alb: { maxLength: 32, ...ALNUM_HYPHEN },
  targetGroup: { maxLength: 32, ...ALNUM_HYPHEN },
  s3Bucket: { maxLength: 63, ...S3 },
  iamRole: { maxLength: 64, pattern: /^[\w+=,.@-]+$/, description: "letters, digits and +=,.@_-" },
  iamPolicy: { maxLength: 128, pattern: /^[\w+=,.@-]+$/, description: "letters, digits and +=,.@_-" },
  // RDS identifiers and parameter group names also reject two consecutive hyphens, which a suffix may contain.
  rdsCluster: {
    maxLength: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    description: "lowercase letters, digits and hyphens, starting with a letter, no two hyphens in a row",
  },
  rdsInstance: {
    maxLength: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    description: "lowercase letters, digits and hyphens, starting with a letter, no two hyphens in a row",
  },
  dbSubnetGroup: {
    maxLength: 255,
    pattern: /^[a-z0-9 ._-]+$/,
    description: "lowercase letters, digits, spaces and . _ -",
  },
  dbParameterGroup: {
    maxLength: 255,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    description: "lowercase letters, digits and hyphens, starting with a letter, no two hyphens in a row",
  },
  dynamoTable: {
    maxLength: 255,
    pattern: /^[a-zA-Z0-9_.-]{3,}$/,
    description: "letters, digits and _ . -, at least 3",
  },
  ecsCluster: { maxLength: 255, pattern: /^[a-zA-Z0-9_-]+$/, description: "letters, digits, hyphens and underscores" },
  ecrRepository: {
    maxLength: 256,
    pattern: /^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/,
    description: "lowercase letters, digits and . _ / -",
  },
  kmsAlias: {
    maxLength: 256,
    pattern: /^alias\/[a-zA-Z0-9/_-]+$/,
    description: "alias/ followed by letters, digits and / _ -",
  },
  logGroup: { maxLength: 512, pattern: /^[\w/.#-]+$/, description: "letters, digits and _ - / . #" },
  securityGroup: { maxLength: 255, ...GENERIC },
  wafWebAcl: { maxLength: 128, pattern: /^[\w-]+$/, description: "letters, digits, hyphens and underscores" },
  cloudfrontPolicy: { maxLength: 128, pattern: /^[\w-]+$/, description: "letters, digits, hyphens and underscores" },
  originAccessControl: { maxLength: 64, ...GENERIC },
  logDelivery: { maxLength: 60, pattern: /^[\w-]+$/, description: "letters, digits, hyphens and underscores" },
  snsTopic: { maxLength: 256, pattern: /^[\w-]+$/, description: "letters, digits, hyphens and underscores" },
} satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

export class NameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NameError";
  }
}

function validate(name: string, kind: NameKind, maxLength: number, why: string): string {
  const rule: NameRule = NAME_RULES[kind];
  if (name.length > maxLength) {
    throw new NameError(
      `${kind} name "${name}" is ${name.length} characters; AWS allows ${maxLength}${why}. Use a shorter environmentSuffix or base name.`,
    );
  }
  if (!rule.pattern.test(name)) {
    throw new NameError(`${kind} name "${name}" is not valid: ${rule.description}.`);
  }
  return name;
}

/**
 * The one place physical names come from: `mlapi-<base>-<suffix>` (R18), checked against
 * the AWS rules of the resource kind it names so a bad name fails at preview, not mid-deploy.
 */
export class Naming {
  constructor(readonly suffix: string) {}

  /** A fixed physical name, e.g. `name("alb", "alb")` → `mlapi-alb-dev`. */
  name(base: string, kind: NameKind = "generic"): string {
    return validate(`${APP}-${base}-${this.suffix}`, kind, NAME_RULES[kind].maxLength, "");
  }

  /** A CloudWatch log group name, `/mlapi/<base>-<suffix>`. */
  logGroupName(base: string): string {
    return validate(`/${APP}/${base}-${this.suffix}`, "logGroup", NAME_RULES.logGroup.maxLength, "");
  }

  /**
   * A logical name for a resource Pulumi autonames (the name + 8 random characters). Use it where a
   * fixed name would block create-before-replace, e.g. a target group a listener still uses. It is
   * `<base>-<suffix>` without the app prefix: a target group has 32 characters, and 8 go to Pulumi.
   */
  autoname(base: string, kind: NameKind): string {
    const limit = NAME_RULES[kind].maxLength;
    return validate(
      `${base}-${this.suffix}`,
      kind,
      limit - AUTONAME_SUFFIX_LENGTH,
      ` (${limit} less the ${AUTONAME_SUFFIX_LENGTH} random characters Pulumi appends when autonaming)`,
    );
  }
}
