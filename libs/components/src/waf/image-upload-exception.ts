import type * as aws from "../aws";
import { BATCH_UPLOAD, ROUTED_PATH_TRANSFORMATIONS } from "./batch-rate-limit";

type WebAclRule = aws.types.input.wafv2.WebAclRule;
type Statement = aws.types.input.wafv2.WebAclRuleStatement;

/**
 * The API's image uploads (R12): a POST to a classify path of apps/ml-api (`ROUTES` in
 * apps/ml-api/src/server.ts): a raw image, or a multipart batch. Their bodies are image bytes, which
 * the common rule set's body rules read as text.
 *
 * Matched on method and path only, not on Content-Type: the API accepts any image type spelling
 * (`image/jpg`, `image/pjpeg`, `application/octet-stream`, none at all) and sniffs the format from
 * the bytes, answering 415 itself for anything else. A content-type condition here would block
 * those uploads over 8 KB with a bare 403 before the API could give its precise answer. The
 * body rules still apply to every other path and method.
 */
export const IMAGE_UPLOAD = {
  method: "POST",
  /** The classify paths, exactly; listed so tests and docs need no loose strings. */
  paths: ["/api/v1/classify", "/api/v2/classify", BATCH_UPLOAD.path] as readonly string[],
  /** Matches exactly {@link IMAGE_UPLOAD.paths}, compared after {@link ROUTED_PATH_TRANSFORMATIONS}. */
  pathPattern: "^/api/v(1/classify|2/classify(/batch)?)$",
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

/**
 * The statement that matches an image upload: method POST and a classify path. The path is
 * URL-decoded and normalized first, like the batch rate limit's, so every spelling the app routes
 * to a classify endpoint (`/api/v2/./classify`, `/api/v2/%2e/classify`) is spared too; a spelling WAF
 * decodes to a classify path but the app does not route there gets the app's 404, body unread.
 * One regex with two transformations costs fewer WCUs than three exact matches with two each.
 */
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
            textTransformations: [...ROUTED_PATH_TRANSFORMATIONS],
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
