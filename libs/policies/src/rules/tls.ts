import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { isObject, objects, ofType, read } from "../resource";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

/**
 * ALB security policies that accept nothing below TLS 1.2, by AWS's naming scheme:
 * ELBSecurityPolicy-TLS13-1-2-* / -TLS13-1-3-* (TLS 1.2–1.3 or 1.3 only, incl. Res, Ext, FIPS and PQ
 * variants), ELBSecurityPolicy-TLS-1-2-* and ELBSecurityPolicy-FS-1-2-*. Everything else (the API
 * default ELBSecurityPolicy-2016-08, *-1-0-*, *-1-1-*) still negotiates TLS 1.0/1.1.
 */
export const TLS12_POLICY = /^ELBSecurityPolicy-(?:TLS13-1-[23]|TLS-1-2|FS-1-2)-[\w-]+$/;

export const albTlsPolicy: ResourceRule = {
  kind: "resource",
  name: "alb-tls-policy",
  description:
    "Every HTTPS listener uses a TLS 1.2+ security policy (R11); without sslPolicy the API default ELBSecurityPolicy-2016-08 still accepts TLS 1.0.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (!LISTENER_TYPES.includes(r.type) || r.props["protocol"] !== "HTTPS") return [];
    const policy = r.props["sslPolicy"];
    return typeof policy === "string" && TLS12_POLICY.test(policy)
      ? []
      : [
          `sslPolicy ${policy === undefined ? "is unset (ELBSecurityPolicy-2016-08, TLS 1.0)" : `"${String(policy)}"`} is not a TLS 1.2+ policy; use ELBSecurityPolicy-TLS13-1-2-2021-06.`,
        ];
  },
};

const redirectsToHttps = (listener: PolicyResource) => {
  const actions = objects(listener.props["defaultActions"]);
  return (
    actions.length > 0 &&
    actions.every((a) => a["type"] === "redirect" && isObject(a["redirect"]) && a["redirect"]["protocol"] === "HTTPS")
  );
};

export const albHttpRedirect: StackRule = {
  kind: "stack",
  name: "alb-http-redirects-to-https",
  description:
    "When the stack has a certificate (any HTTPS listener), every HTTP listener only redirects to HTTPS (R11): no plaintext path to the API.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const listeners = ofType(resources, ...LISTENER_TYPES);
    if (!listeners.some((l) => l.props["protocol"] === "HTTPS")) return [];
    return listeners
      .filter((l) => l.props["protocol"] === "HTTP" && !redirectsToHttps(l))
      .map((resource) => ({
        resource,
        message:
          "HTTP listener must only redirect to HTTPS when an HTTPS listener exists (default action redirect, protocol HTTPS).",
      }));
  },
};

/** CloudFront viewer minimums that exclude TLS 1.0/1.1 and weak ciphers. */
export const CLOUDFRONT_MINIMUM_PROTOCOLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];

export const cloudfrontTls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-viewer-tls",
  description:
    "CloudFront serves viewers HTTPS only (every behaviour redirect-to-https or https-only) with TLSv1.2_2021 or newer as the minimum on a custom certificate (R16). The default *.cloudfront.net certificate cannot set a minimum and is allowed only as the explicit throwaway opt-in (R17).",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:cloudfront/distribution:Distribution") return [];
    const problems: string[] = [];
    const cert = isObject(r.props["viewerCertificate"]) ? r.props["viewerCertificate"] : {};
    if (cert["cloudfrontDefaultCertificate"] !== true) {
      const minimum = cert["minimumProtocolVersion"];
      if (typeof minimum !== "string" || !CLOUDFRONT_MINIMUM_PROTOCOLS.includes(minimum)) {
        problems.push(
          `viewerCertificate.minimumProtocolVersion ${minimum === undefined ? "is unset" : `"${String(minimum)}"`}; use one of ${CLOUDFRONT_MINIMUM_PROTOCOLS.join(", ")}.`,
        );
      }
    }
    const behaviours = [
      ["defaultCacheBehavior", r.props["defaultCacheBehavior"]],
      ...objects(r.props["orderedCacheBehaviors"]).map((b) => [`orderedCacheBehaviors ${String(b["pathPattern"])}`, b]),
    ] as [string, unknown][];
    for (const [where, b] of behaviours) {
      const policy = isObject(b) ? b["viewerProtocolPolicy"] : undefined;
      if (typeof policy !== "string" || !HTTPS_VIEWER_POLICIES.includes(policy))
        problems.push(`${where} viewerProtocolPolicy is "${String(policy)}"; use redirect-to-https or https-only.`);
    }
    return problems;
  },
};

export const rdsForceSsl: StackRule = {
  kind: "stack",
  name: "rds-force-ssl",
  description:
    "Every Aurora PostgreSQL cluster uses a cluster parameter group of this stack with rds.force_ssl = 1 (R6): clients cannot connect in plaintext.",
  enforcementLevel: "mandatory",
  validate(resources) {
    const groups = ofType(resources, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
    return ofType(resources, "aws:rds/cluster:Cluster")
      .filter((c) => c.props["engine"] === "aurora-postgresql")
      .flatMap((cluster) => {
        const groupName = read(cluster.props, "dbClusterParameterGroupName");
        const group = groups.find(
          (g) =>
            cluster.propertyDependencies?.["dbClusterParameterGroupName"]?.includes(g.urn) ||
            (typeof groupName === "string" && g.handles.includes(groupName)),
        );
        if (!group)
          return [
            {
              resource: cluster,
              message:
                "dbClusterParameterGroupName does not name a cluster parameter group of this stack; the default group does not force SSL.",
            },
          ];
        const forced = objects(group.props["parameters"]).some(
          (p) => p["name"] === "rds.force_ssl" && String(p["value"]) === "1",
        );
        return forced ? [] : [{ resource: group, message: "parameters must set rds.force_ssl = 1." }];
      });
  },
};
