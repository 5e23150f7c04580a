import type * as aws from "../aws";

type WebAclRule = aws.types.input.wafv2.WebAclRule;
type Statement = aws.types.input.wafv2.WebAclRuleStatement;

/**
 * The API's image uploads (R12): a POST of a raw image to a classify path of apps/ml-api
 * (`ROUTES` in apps/ml-api/src/server.ts), or a multipart batch under it. Their bodies are image
 * bytes, which the common rule set's body rules read as text.
 */
export const IMAGE_UPLOAD = {
  method: "POST",
  /** `/api/v1/classify`, `/api/v2/classify` and a batch endpoint `…/classify/batch`; nothing else. */
  pathPattern: "^/api/v[12]/classify(/batch)?$",
  /** The types apps/ml-api accepts (`ACCEPTED_TYPES`) and multipart batches, parameters allowed; compared lower-cased. */
  contentTypePattern: "^(image/(jpeg|png|webp)|multipart/form-data) *(;|$)",
  /** Label the marking rule adds; the re-block rules spare requests that carry it. */
  label: "mlapi:image-upload",
} as const;

/** The managed group whose body rules get the exception. */
export const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";

/**
 * Rules of the common rule set that inspect the body (the first 8 KB behind an ALB, 16 KB at
 * CloudFront) and so block images: their bytes and EXIF/XMP metadata look like markup, `../` or an
 * oversize body. Each is set to count in the group and blocked again by a label rule outside image
 * uploads. Labels as AWS documents them for the core rule set.
 */
export const BODY_RULES: readonly { rule: string; label: string }[] = [
  { rule: "SizeRestrictions_BODY", label: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" },
  { rule: "CrossSiteScripting_BODY", label: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body" },
  { rule: "GenericLFI_BODY", label: "awswaf:managed:aws:core-rule-set:GenericLFI_Body" },
];

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});
const NONE = [{ priority: 0, type: "NONE" }];

/** The `ruleActionOverrides` of the common rule set: every body rule counts (and labels) instead of blocking. */
export function bodyRuleOverrides(): { name: string; actionToUse: { count: Record<string, never> } }[] {
  return BODY_RULES.map(({ rule }) => ({ name: rule, actionToUse: { count: {} } }));
}

/** Name of the rule that blocks again what `rule` matched, outside image uploads. */
export const reblockRuleName = (rule: string) => `${rule}-except-image-uploads`;

/** The statement that matches an image upload: method, path and content type, all three. */
export function imageUploadStatement(): Statement {
  return {
    andStatement: {
      statements: [
        {
          byteMatchStatement: {
            fieldToMatch: { method: {} },
            positionalConstraint: "EXACTLY",
            searchString: IMAGE_UPLOAD.method,
            textTransformations: NONE,
          },
        },
        {
          regexMatchStatement: {
            fieldToMatch: { uriPath: {} },
            regexString: IMAGE_UPLOAD.pathPattern,
            textTransformations: NONE,
          },
        },
        {
          regexMatchStatement: {
            fieldToMatch: { singleHeader: { name: "content-type" } },
            regexString: IMAGE_UPLOAD.contentTypePattern,
            textTransformations: [{ priority: 0, type: "LOWERCASE" }],
          },
        },
      ],
    },
  };
}

/**
 * The rules around the common rule set that let image uploads pass its body rules and nothing else:
 * `marker` (before the group) labels image uploads without acting on them; `reblocks` (after the
 * group) block every request a body rule labelled unless it also carries the image-upload label.
 * WAF evaluates by priority, so `markerPriority` < the group's priority < `reblockPriority`.
 */
export function imageUploadException(args: { aclName: string; markerPriority: number; reblockPriority: number }): {
  marker: WebAclRule;
  reblocks: WebAclRule[];
} {
  const marker: WebAclRule = {
    name: "label-image-uploads",
    priority: args.markerPriority,
    action: { count: {} },
    ruleLabels: [{ name: IMAGE_UPLOAD.label }],
    statement: imageUploadStatement(),
    visibilityConfig: visibility(`${args.aclName}-label-image-uploads`),
  };
  const reblocks = BODY_RULES.map(({ rule, label }, i): WebAclRule => ({
    name: reblockRuleName(rule),
    priority: args.reblockPriority + i,
    action: { block: {} },
    statement: {
      andStatement: {
        statements: [
          { labelMatchStatement: { scope: "LABEL", key: label } },
          { notStatement: { statement: { labelMatchStatement: { scope: "LABEL", key: IMAGE_UPLOAD.label } } } },
        ],
      },
    },
    visibilityConfig: visibility(`${args.aclName}-${reblockRuleName(rule)}`),
  }));
  return { marker, reblocks };
}
