import type { RenderResult } from "@mlapi/testing";
import { one, renderProgram } from "@mlapi/testing";
import { BODY_RULES, imageUploadException } from "../waf";
import { AlbWebAcl } from "./web-acl";
import { Naming } from "@mlapi/core";

const render = () =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      new AlbWebAcl("waf", { naming: new Naming("dev"), loadBalancerArn: "arn:alb", logGroupArn: "arn:logs" });
      return {};
    },
  });

type Rule = { name: string; priority: number; statement: Record<string, unknown> };
const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

/** Every statement of a rule, however deeply nested, as `[kind, body]`. */
function allStatements(statement: Record<string, unknown>): [string, Record<string, unknown>][] {
  return Object.entries(statement).flatMap(([kind, body]) => {
    const b = body as Record<string, unknown>;
    const nested = [
      ...((b.statements as Record<string, unknown>[] | undefined) ?? []),
      ...(b.statement ? [b.statement as Record<string, unknown>] : []),
    ];
    return [[kind, b] as [string, Record<string, unknown>], ...nested.flatMap(allStatements)];
  });
}

describe("AlbWebAcl", () => {
  let r: RenderResult;
  let rules: Rule[];
  beforeAll(async () => {
    r = await render();
    rules = one(r, "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];
  });

  it("is a REGIONAL ACL named from the layer's naming that allows what no rule blocks, with metrics and sampled requests", () => {
    expect(one(r, "aws:wafv2/webAcl:WebAcl").inputs).toMatchObject({
      name: "mlapi-alb-dev",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      visibilityConfig: visibility("mlapi-alb-dev"),
    });
    for (const rule of rules as Array<Rule & { visibilityConfig: Record<string, unknown> }>) {
      expect(rule.visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
    }
  });

  it("protects the load balancer it is given and logs to the log group it is given", () => {
    const aclArn = one(r, "aws:wafv2/webAcl:WebAcl").state.arn;
    expect(one(r, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs).toEqual({
      resourceArn: "arn:alb",
      webAclArn: aclArn,
    });
    const logging = one(r, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs;
    expect(logging).toMatchObject({ resourceArn: aclArn, logDestinationConfigs: ["arn:logs"] });
  });

  it("labels image uploads, runs the two managed groups, then blocks the body rules again outside uploads", () => {
    const uploads = imageUploadException({ aclName: "mlapi-alb-dev", markerPriority: 0, reblockPriority: 3 });
    expect(rules).toEqual([
      uploads.marker,
      {
        name: "AWSManagedRulesCommonRuleSet",
        priority: 1,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: "AWS",
            name: "AWSManagedRulesCommonRuleSet",
            ruleActionOverrides: BODY_RULES.map(({ rule }) => ({ name: rule, actionToUse: { count: {} } })),
          },
        },
        visibilityConfig: visibility("mlapi-alb-dev-AWSManagedRulesCommonRuleSet"),
      },
      {
        name: "AWSManagedRulesKnownBadInputsRuleSet",
        priority: 2,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } },
        visibilityConfig: visibility("mlapi-alb-dev-AWSManagedRulesKnownBadInputsRuleSet"),
      },
      ...uploads.reblocks,
    ]);
    expect(rules.map((r) => [r.name, r.priority])).toEqual([
      ["label-image-uploads", 0],
      ["AWSManagedRulesCommonRuleSet", 1],
      ["AWSManagedRulesKnownBadInputsRuleSet", 2],
      ["SizeRestrictions_BODY-except-image-uploads", 3],
      ["CrossSiteScripting_BODY-except-image-uploads", 4],
      ["GenericLFI_BODY-except-image-uploads", 5],
    ]);
  });

  it("has no rate-based rule and trusts no client-written header anywhere (R12)", () => {
    const statements = rules.flatMap((r) => allStatements(r.statement));
    expect(statements.filter(([kind]) => kind === "rateBasedStatement")).toEqual([]);
    expect(JSON.stringify(rules)).not.toMatch(/FORWARDED_IP|forwardedIp|X-Forwarded-For/i);
  });
});
