import type { Json, PolicyResource, ResourceRule } from "../resource";
import { isObject, objects, read } from "../resource";

const WAF_TYPES = ["aws:wafv2/webAcl:WebAcl", "aws:wafv2/ruleGroup:RuleGroup"];

/** Every statement of a WAFv2 rule statement tree, nested and/or/not and scope-downs included. */
export function wafStatements(statement: unknown): Json[] {
  if (!isObject(statement)) return [];
  const nested = Object.values(statement).flatMap((body) => {
    if (!isObject(body)) return [];
    return [...objects(body["statements"]), ...objects(body["statement"]), ...objects(body["scopeDownStatement"])];
  });
  return [statement, ...nested.flatMap(wafStatements)];
}

const rulesOf = (r: PolicyResource): Json[] => objects(read(r.props, "rules"));

/**
 * Custom aggregation keys whose value the client writes: a client rotating it lands in a fresh
 * bucket each time. (`ip` is the connection's source; `httpMethod`, `uriPath` and `labelNamespace`
 * only split one client's count by what it asks for.)
 */
const CLIENT_WRITTEN_KEYS = ["forwardedIp", "header", "cookie", "queryArgument", "queryString"];

export const wafRateLimitKey: ResourceRule = {
  kind: "resource",
  name: "waf-rate-limit-untrusted-key",
  description:
    "No WAF rate-based rule aggregates on a value the client writes (R12): not FORWARDED_IP (the first " +
    "X-Forwarded-For address; CloudFront and ALBs append to the header, they do not replace it), and no custom key " +
    "on a forwarded IP, header, cookie or query value. Rotating the value evades the limit; key on the connection's " +
    "IP where the real client connects (the CloudFront ACL).",
  enforcementLevel: "mandatory",
  validate(r) {
    if (!WAF_TYPES.includes(r.type)) return [];
    return rulesOf(r).flatMap((rule) => {
      const rate = wafStatements(rule["statement"])
        .map((s) => s["rateBasedStatement"])
        .filter(isObject);
      return rate.flatMap((statement) => {
        const where = `rule "${String(rule["name"])}"`;
        if (statement["aggregateKeyType"] === "FORWARDED_IP") {
          return [
            `${where} rate-limits on FORWARDED_IP, an address the client writes itself; ` +
              "key on IP where the client connects (the edge's CLOUDFRONT ACL).",
          ];
        }
        const keys = objects(statement["customKeys"]).flatMap((k) =>
          Object.keys(k).filter((key) => k[key] !== undefined && k[key] !== null),
        );
        const untrusted = [...new Set(keys.filter((k) => CLIENT_WRITTEN_KEYS.includes(k)))];
        if (untrusted.length === 0) return [];
        return [
          `${where} rate-limits on client-written ${untrusted.join(", ")}; every new value is a new bucket, so the limit is evadable.`,
        ];
      });
    });
  },
};

/** Body rules of AWSManagedRulesCommonRuleSet that read binary uploads as text, and the label each adds. */
export const COMMON_BODY_RULE_LABELS: Readonly<Record<string, string>> = {
  SizeRestrictions_BODY: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
  CrossSiteScripting_BODY: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
  GenericLFI_BODY: "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
};

const counted = (group: Json, rule: string) =>
  objects(group["ruleActionOverrides"]).some(
    (o) => o["name"] === rule && isObject(o["actionToUse"]) && isObject(o["actionToUse"]["count"]),
  ) || objects(group["excludedRules"]).some((e) => e["name"] === rule);

/** Whether a blocking rule of the ACL matches `label` (the re-block of a counted managed rule). */
const reblocks = (rules: Json[], label: string) =>
  rules.some(
    (rule) =>
      isObject(rule["action"]) &&
      isObject(rule["action"]["block"]) &&
      wafStatements(rule["statement"]).some(
        (s) => isObject(s["labelMatchStatement"]) && s["labelMatchStatement"]["key"] === label,
      ),
  );

export const wafBodyRulesUploadException: ResourceRule = {
  kind: "resource",
  name: "waf-body-rules-upload-exception",
  description:
    "A web ACL using AWSManagedRulesCommonRuleSet scopes its body rules (SizeRestrictions_BODY, " +
    "CrossSiteScripting_BODY, GenericLFI_BODY) with an exception (R12): each set to count and blocked again by " +
    "a rule matching its label outside the upload requests. Left blocking, they read binary uploads (images) as text " +
    "and block valid ones; counted without a re-block, every request loses them.",
  enforcementLevel: "advisory",
  validate(r) {
    if (r.type !== "aws:wafv2/webAcl:WebAcl") return [];
    const rules = rulesOf(r);
    const groups = rules
      .flatMap((rule) => wafStatements(rule["statement"]))
      .map((s) => s["managedRuleGroupStatement"])
      .filter(
        (g): g is Json => isObject(g) && g["vendorName"] === "AWS" && g["name"] === "AWSManagedRulesCommonRuleSet",
      );
    return groups.flatMap((group) =>
      Object.entries(COMMON_BODY_RULE_LABELS).flatMap(([rule, label]) => {
        if (!counted(group, rule)) {
          return [
            `${rule} blocks binary upload bodies read as text; set it to count and block its label again outside the upload paths.`,
          ];
        }
        if (!reblocks(rules, label)) {
          return [
            `${rule} only counts: no blocking rule matches ${label}, so no request is protected by it; ` +
              "block that label outside the upload paths.",
          ];
        }
        return [];
      }),
    );
  },
};
