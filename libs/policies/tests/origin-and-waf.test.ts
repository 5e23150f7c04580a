// cdk-nag style, one describe per rule: the origin-exposure and WAF rules of issue 19.
import { albOriginExposure, COMMON_BODY_RULE_LABELS, wafBodyRulesUploadException, wafRateLimitKey } from "../src";
import { messages, res } from "./fixture";

describe("alb-origin-not-shared", () => {
  const ALB = "aws:lb/loadBalancer:LoadBalancer";
  const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
  /** An ALB on sg-alb with one listener and one forwarding rule (optionally with a header condition). */
  const stack = (
    albProps: Record<string, unknown>,
    ingress: Record<string, unknown>,
    ruleConditions: unknown[] = [{ pathPattern: { values: ["/api/*"] } }],
  ) => {
    const alb = res(ALB, { securityGroups: ["sg-alb"], ...albProps }, { name: "alb" });
    const listener = res(
      "aws:lb/listener:Listener",
      { loadBalancerArn: alb.handles[1], defaultActions: [{ type: "fixed-response" }] },
      { name: "listener" },
    );
    const rule = res(
      "aws:lb/listenerRule:ListenerRule",
      {
        listenerArn: listener.handles[1],
        conditions: ruleConditions,
        actions: [{ type: "forward", targetGroupArn: "arn:tg" }],
      },
      { name: "api" },
    );
    return [
      alb,
      listener,
      rule,
      res(INGRESS, { securityGroupId: "sg-alb", ipProtocol: "tcp", fromPort: 443, toPort: 443, ...ingress }),
    ];
  };
  const message = (source: string, what: string) =>
    `internet-facing ALB admits ${source} and ${what} without a secret-header condition: make the ALB internal behind a CloudFront VPC origin, or require an httpHeader condition on every forwarding rule.`;

  it("accepts an internal ALB, whatever its group admits", () => {
    expect(messages(albOriginExposure, ...stack({ internal: true }, { prefixListId: "pl-3b927c52" }))).toEqual([]);
  });

  it("accepts an internet-facing ALB whose group admits only another security group", () => {
    expect(
      messages(albOriginExposure, ...stack({}, { referencedSecurityGroupId: "sg-cloudfront-vpc-origins" })),
    ).toEqual([]);
  });

  it("accepts forwarding that requires a secret origin header", () => {
    const conditions = [
      { pathPattern: { values: ["/api/*"] } },
      { httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["secret"] } },
    ];
    expect(messages(albOriginExposure, ...stack({}, { prefixListId: "pl-3b927c52" }, conditions))).toEqual([]);
  });

  it("rejects the CloudFront prefix list in front of a forwarding rule without a header condition", () => {
    expect(messages(albOriginExposure, ...stack({}, { prefixListId: "pl-3b927c52" }))).toEqual([
      message("pl-3b927c52", "listener rule api forwards"),
    ]);
  });

  it("rejects 0.0.0.0/0 and a listener that forwards by default", () => {
    const [alb, listener, , ingress] = stack({}, { cidrIpv4: "0.0.0.0/0" });
    listener.props["defaultActions"] = [{ type: "forward", targetGroupArn: "arn:tg" }];
    expect(messages(albOriginExposure, alb, listener, ingress)).toEqual([
      message("0.0.0.0/0", "listener listener forwards by default"),
    ]);
  });

  it("rejects a prefix list inline on the ALB's own security group", () => {
    const group = res(
      "aws:ec2/securityGroup:SecurityGroup",
      { ingress: [{ prefixListIds: ["pl-3b927c52"], fromPort: 80, toPort: 80, protocol: "tcp" }] },
      { name: "sg" },
    );
    const [alb, listener, rule] = stack({ securityGroups: [group.handles[0]] }, {});
    expect(messages(albOriginExposure, group, alb, listener, rule)).toEqual([
      message("pl-3b927c52", "listener rule api forwards"),
    ]);
  });

  it("ignores a prefix list on another group", () => {
    expect(
      messages(albOriginExposure, ...stack({}, { securityGroupId: "sg-other", prefixListId: "pl-3b927c52" })),
    ).toEqual([]);
  });
});

describe("waf-rate-limit-untrusted-key", () => {
  const acl = (rateBasedStatement: Record<string, unknown>) =>
    res("aws:wafv2/webAcl:WebAcl", {
      rules: [{ name: "rate", action: { block: {} }, statement: { rateBasedStatement } }],
    });

  it.each<[string, Record<string, unknown>]>([
    ["the connection's IP", { aggregateKeyType: "IP", limit: 2000 }],
    [
      "a constant key (one global count)",
      { aggregateKeyType: "CONSTANT", limit: 2000, scopeDownStatement: { byteMatchStatement: {} } },
    ],
    [
      "custom keys on IP and path",
      {
        aggregateKeyType: "CUSTOM_KEYS",
        limit: 100,
        customKeys: [{ ip: {} }, { uriPath: { textTransformations: [] } }],
      },
    ],
  ])("accepts %s", (_what, statement) => {
    expect(messages(wafRateLimitKey, acl(statement))).toEqual([]);
  });

  it("rejects FORWARDED_IP", () => {
    expect(
      messages(
        wafRateLimitKey,
        acl({
          aggregateKeyType: "FORWARDED_IP",
          limit: 2000,
          forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "MATCH" },
        }),
      ),
    ).toEqual([
      `rule "rate" rate-limits on FORWARDED_IP, an address the client writes itself; key on IP where the client connects (the edge's CLOUDFRONT ACL).`,
    ]);
  });

  it("rejects custom keys on a header or a forwarded IP, also in a rule group", () => {
    const group = res("aws:wafv2/ruleGroup:RuleGroup", {
      rules: [
        {
          name: "per-key",
          statement: {
            rateBasedStatement: {
              aggregateKeyType: "CUSTOM_KEYS",
              limit: 100,
              customKeys: [{ ip: {} }, { header: { name: "x-api-key" } }, { forwardedIp: {} }],
            },
          },
        },
      ],
    });
    expect(messages(wafRateLimitKey, group)).toEqual([
      `rule "per-key" rate-limits on client-written header, forwardedIp; every new value is a new bucket, so the limit is evadable.`,
    ]);
  });
});

describe("waf-body-rules-upload-exception (advisory)", () => {
  const common = (overrides: string[]) => ({
    name: "common",
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: "AWS",
        name: "AWSManagedRulesCommonRuleSet",
        ruleActionOverrides: overrides.map((name) => ({ name, actionToUse: { count: {} } })),
      },
    },
  });
  const reblock = (label: string) => ({
    name: `reblock-${label}`,
    action: { block: {} },
    statement: {
      andStatement: {
        statements: [
          { labelMatchStatement: { scope: "LABEL", key: label } },
          { notStatement: { statement: { labelMatchStatement: { scope: "LABEL", key: "mlapi:image-upload" } } } },
        ],
      },
    },
  });
  const BODY = Object.keys(COMMON_BODY_RULE_LABELS);

  it("accepts every body rule counted and blocked again by its label", () => {
    const rules = [common(BODY), ...Object.values(COMMON_BODY_RULE_LABELS).map(reblock)];
    expect(messages(wafBodyRulesUploadException, res("aws:wafv2/webAcl:WebAcl", { rules }))).toEqual([]);
  });

  it("accepts an ACL without the common rule set", () => {
    expect(
      messages(
        wafBodyRulesUploadException,
        res("aws:wafv2/webAcl:WebAcl", {
          rules: [{ name: "rate", statement: { rateBasedStatement: { aggregateKeyType: "IP" } } }],
        }),
      ),
    ).toEqual([]);
  });

  it("flags body rules left blocking, and a counted one nothing blocks again", () => {
    const rules = [common(["SizeRestrictions_BODY"])];
    expect(messages(wafBodyRulesUploadException, res("aws:wafv2/webAcl:WebAcl", { rules }))).toEqual([
      "SizeRestrictions_BODY only counts: no blocking rule matches awswaf:managed:aws:core-rule-set:SizeRestrictions_Body, so no request is protected by it; block that label outside the upload paths.",
      "CrossSiteScripting_BODY blocks binary upload bodies read as text; set it to count and block its label again outside the upload paths.",
      "GenericLFI_BODY blocks binary upload bodies read as text; set it to count and block its label again outside the upload paths.",
    ]);
  });

  it("does not count a label rule that only counts as a re-block", () => {
    const label = COMMON_BODY_RULE_LABELS.GenericLFI_BODY;
    const rules = [
      common(BODY),
      reblock(COMMON_BODY_RULE_LABELS.SizeRestrictions_BODY),
      reblock(COMMON_BODY_RULE_LABELS.CrossSiteScripting_BODY),
      { ...reblock(label), action: { count: {} } },
    ];
    expect(messages(wafBodyRulesUploadException, res("aws:wafv2/webAcl:WebAcl", { rules }))).toEqual([
      `GenericLFI_BODY only counts: no blocking rule matches ${label}, so no request is protected by it; block that label outside the upload paths.`,
    ]);
  });
});
