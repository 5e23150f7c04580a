import type { Json, PolicyResource, ResourceRule } from "../resource";
import { BOOTSTRAP_PROJECT, isObject, objects, policyDocument, statements, strings } from "../resource";

/**
 * Actions AWS does not let a policy scope to a resource: they accept only `"Resource": "*"`.
 * A statement with a `*` resource passes only when every action in it is listed here.
 */
export const UNSCOPABLE_ACTIONS: Record<string, string> = {
  // Returns a login token for the account's whole registry; ECR has no resource type for it.
  "ecr:GetAuthorizationToken": "registry-wide login token",
  // X-Ray trace ingestion has no resource types.
  "xray:PutTraceSegments": "no resource types",
  "xray:PutTelemetryRecords": "no resource types",
  // Custom metrics have no ARN; scope with the cloudwatch:namespace condition instead.
  "cloudwatch:PutMetricData": "no resource types (scope with cloudwatch:namespace)",
  // ECS Exec's Session Manager channels have no resource types.
  "ssmmessages:CreateControlChannel": "no resource types",
  "ssmmessages:CreateDataChannel": "no resource types",
  "ssmmessages:OpenControlChannel": "no resource types",
  "ssmmessages:OpenDataChannel": "no resource types",
  // The bootstrap's deploy role (projects/bootstrap): WAF logging registers a log delivery and a logs
  // resource policy, and ECS deregisters task definitions; none of these has a resource type.
  "logs:CreateLogDelivery": "no resource types",
  "logs:DeleteLogDelivery": "no resource types",
  "logs:PutResourcePolicy": "no resource types",
  "ecs:DeregisterTaskDefinition": "no resource types",
};

/**
 * Tag conditions that scope a `*` resource (attribute-based access): the statement then applies only
 * to resources tagged, or being created with the tag, Project=<the platform> (R18 tags every resource).
 */
const SCOPING_TAG_KEYS = ["aws:ResourceTag/Project", "aws:RequestTag/Project"];

function scopedByTag(s: Json): boolean {
  const equals = isObject(s["Condition"]) ? s["Condition"]["StringEquals"] : undefined;
  return (
    isObject(equals) &&
    SCOPING_TAG_KEYS.some((k) => typeof equals[k] === "string" && equals[k] !== "" && equals[k] !== "*")
  );
}

/** Identity-based policies: where Action and Resource are both ours to scope. */
function identityPolicies(r: PolicyResource): unknown[] {
  switch (r.type) {
    case "aws:iam/role:Role":
      return objects(r.props["inlinePolicies"]).map((p) => p["policy"]);
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/policy:Policy":
    case "aws:iam/userPolicy:UserPolicy":
    case "aws:iam/groupPolicy:GroupPolicy":
      return [r.props["policy"]];
    default:
      return [];
  }
}

/**
 * Resource-based policies (bucket, repository, secret, topic, queue, log resource policies): the
 * resource is the one the policy is attached to, so only the action wildcard is checked. KMS key
 * policies are deliberately exempt: in a key policy `"Resource": "*"` means "this key", and the
 * account-root `kms:*` statement is what keeps the key manageable (without it the key can become
 * unmanageable); LogsKey scopes its service grants by encryption context instead.
 */
function resourcePolicies(r: PolicyResource): unknown[] {
  switch (r.type) {
    case "aws:s3/bucketPolicy:BucketPolicy":
    case "aws:ecr/repositoryPolicy:RepositoryPolicy":
    case "aws:ecr/registryPolicy:RegistryPolicy":
    case "aws:secretsmanager/secretPolicy:SecretPolicy":
    case "aws:sns/topicPolicy:TopicPolicy":
    case "aws:sqs/queuePolicy:QueuePolicy":
      return [r.props["policy"]];
    case "aws:cloudwatch/logResourcePolicy:LogResourcePolicy":
      return [r.props["policyDocument"]];
    default:
      return [];
  }
}

const allows = (doc: Json | undefined) => statements(doc).filter((s) => s["Effect"] === "Allow");
const label = (s: Json, i: number) => (typeof s["Sid"] === "string" ? `statement ${s["Sid"]}` : `statement ${i + 1}`);
const isWildcardAction = (a: string) => a === "*" || /^[\w-]+:\*$/.test(a);

function identityProblems(doc: Json | undefined): string[] {
  return allows(doc).flatMap((s, i) => {
    const problems: string[] = [];
    const actions = strings(s["Action"]);
    const wild = actions.filter(isWildcardAction);
    if (wild.length > 0)
      problems.push(`${label(s, i)} allows ${wild.map((a) => `"${a}"`).join(", ")}; list the actions it needs.`);
    if (s["NotAction"] !== undefined)
      problems.push(`${label(s, i)} uses NotAction with Allow, which grants everything else.`);
    if (s["NotResource"] !== undefined)
      problems.push(`${label(s, i)} uses NotResource with Allow, which grants everything else.`);
    if (strings(s["Resource"]).includes("*") && !scopedByTag(s)) {
      const scopable = actions.filter((a) => !(a in UNSCOPABLE_ACTIONS));
      if (scopable.length > 0)
        problems.push(
          `${label(s, i)} grants ${scopable.join(", ")} on "*"; scope it to ARNs (only ${Object.keys(UNSCOPABLE_ACTIONS).length} unscopable actions may use "*").`,
        );
    }
    return problems;
  });
}

function resourcePolicyProblems(doc: Json | undefined): string[] {
  return allows(doc).flatMap((s, i) =>
    strings(s["Action"]).includes("*") ? [`${label(s, i)} allows "*"; list the actions it needs.`] : [],
  );
}

export const iamLeastPrivilege: ResourceRule = {
  kind: "resource",
  name: "iam-least-privilege",
  description: `No IAM statement allows "*" or "<service>:*", NotAction or NotResource; no "*" resource except for the ${Object.keys(UNSCOPABLE_ACTIONS).length} actions AWS cannot scope or under a Project tag condition (R15). KMS key policies are exempt by design.`,
  enforcementLevel: "mandatory",
  validate(r) {
    return [
      ...identityPolicies(r).flatMap((p) => identityProblems(policyDocument(p))),
      ...resourcePolicies(r).flatMap((p) => resourcePolicyProblems(policyDocument(p))),
    ];
  },
};

/** The principals a trust policy admits, as `Kind:value`. */
export function trustedPrincipals(doc: Json | undefined): string[] {
  return allows(doc).flatMap((s) => {
    const principal = s["Principal"];
    if (principal === "*") return ["*"];
    if (!isObject(principal)) return [];
    return Object.entries(principal).flatMap(([kind, values]) => strings(values).map((v) => `${kind}:${v}`));
  });
}

const OIDC_PROVIDER = /^Federated:arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/**
 * Why an OIDC-federated trust is not pinned, or undefined when every statement admitting the provider
 * requires the `aud` claim and an exact, wildcard-free `sub` claim (e.g. `repo:acme/mlapi:pull_request`).
 */
function oidcTrustProblem(doc: Json, host: string): string | undefined {
  for (const s of allows(doc)) {
    const equals = isObject(s["Condition"]) ? s["Condition"]["StringEquals"] : undefined;
    const aud = isObject(equals) ? strings(equals[`${host}:aud`]) : [];
    const sub = isObject(equals) ? strings(equals[`${host}:sub`]) : [];
    if (aud.length === 0) return `the ${host} trust does not require the aud claim (StringEquals ${host}:aud).`;
    if (sub.length === 0 || sub.some((v) => /[*?]/.test(v))) {
      return `the ${host} trust does not pin the sub claim to named subjects (StringEquals ${host}:sub, no wildcards).`;
    }
  }
  return undefined;
}

export const iamSingleServiceTrust: ResourceRule = {
  kind: "resource",
  name: "iam-trust-one-service",
  description:
    "Every role's trust policy admits exactly one principal (R15): an AWS service, or (CI roles) one OIDC provider whose aud and exact sub claims are required; no account, user or wildcard principal can assume it.",
  enforcementLevel: "mandatory",
  validate(r) {
    if (r.type !== "aws:iam/role:Role") return [];
    const doc = policyDocument(r.props["assumeRolePolicy"]);
    if (!doc) return ["assumeRolePolicy is missing or not a JSON policy document."];
    const principals = [...new Set(trustedPrincipals(doc))];
    const oidcHost = principals.length === 1 ? OIDC_PROVIDER.exec(principals[0])?.[1] : undefined;
    if (oidcHost !== undefined) {
      const problem = oidcTrustProblem(doc, oidcHost);
      return problem === undefined ? [] : [problem];
    }
    if (principals.length === 1 && principals[0].startsWith("Service:")) return [];
    return [
      `trust policy admits ${principals.length === 0 ? "no principal" : principals.join(", ")}; it must admit exactly one Service principal or one OIDC provider pinned by aud and sub.`,
    ];
  },
};

const AWS_MANAGED = /^arn:aws[\w-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** Broad AWS managed policies: any *FullAccess, plus the two that grant (nearly) everything. */
export function isBroadManagedPolicy(arn: string): boolean {
  const name = AWS_MANAGED.exec(arn)?.[1];
  return (
    name !== undefined && (name.includes("FullAccess") || name === "AdministratorAccess" || name === "PowerUserAccess")
  );
}

function attachedPolicyArns(r: PolicyResource): string[] {
  switch (r.type) {
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
    case "aws:iam/policyAttachment:PolicyAttachment":
    case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
    case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
      return strings(r.props["policyArn"]);
    case "aws:iam/role:Role":
      return strings(r.props["managedPolicyArns"]);
    case "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
      return strings(r.props["policyArns"]);
    default:
      return [];
  }
}

export { attachedPolicyArns };

export const iamNoFullAccess: ResourceRule = {
  kind: "resource",
  name: "iam-no-managed-full-access",
  description:
    "No AWS managed *FullAccess (or AdministratorAccess/PowerUserAccess) policy is attached: they grant whole services on every resource.",
  enforcementLevel: "mandatory",
  validate(r) {
    return attachedPolicyArns(r)
      .filter(isBroadManagedPolicy)
      .map((arn) => `attaches ${arn}; write a scoped policy instead.`);
  },
};

/**
 * The account's workload permissions boundary (projects/bootstrap, WORKLOAD_BOUNDARY_POLICY_NAME in
 * libs/components): the default of the network and service layers' `permissionsBoundary` config.
 */
export const WORKLOAD_BOUNDARY_POLICY = "mlapi-workload-boundary";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The boundary a layer stack's config asks its roles to carry, as the layer programs resolve it:
 * `<project>:permissionsBoundary`, default the bootstrap's policy; `none` for none.
 */
export function permissionsBoundaryOf(project: string, config: Record<string, unknown>): string {
  const value = config[`${project}:permissionsBoundary`];
  return typeof value === "string" ? value : WORKLOAD_BOUNDARY_POLICY;
}

export const iamRoleBoundary: ResourceRule = {
  kind: "resource",
  name: "iam-role-boundary",
  description:
    "Every IAM role of a layer carries the permissions boundary its stack's `permissionsBoundary` config names (default mlapi-workload-boundary, the bootstrap's; `none` for none): the CI deploy role creates roles only with it. Checked where the config is known (offline plan, tests); under CrossGuard a boundary, when set, must be a customer managed policy of the account.",
  enforcementLevel: "mandatory",
  validate(r, ctx) {
    if (r.type !== "aws:iam/role:Role" || ctx.project === BOOTSTRAP_PROJECT) return [];
    const boundary = r.props["permissionsBoundary"];
    if (ctx.permissionsBoundary === undefined) {
      return typeof boundary === "string" && AWS_MANAGED.test(boundary)
        ? [`permissionsBoundary is the AWS managed ${boundary}; use the account's ${WORKLOAD_BOUNDARY_POLICY}.`]
        : [];
    }
    if (ctx.permissionsBoundary === "none") return [];
    const expected = new RegExp(`^arn:aws[\\w-]*:iam::\\d{12}:policy/${escapeRegExp(ctx.permissionsBoundary)}$`);
    return typeof boundary === "string" && expected.test(boundary)
      ? []
      : [
          `permissionsBoundary is ${typeof boundary === "string" ? boundary : "not set"}; the stack's permissionsBoundary config names the policy ${ctx.permissionsBoundary} (the CI deploy role creates roles only with it).`,
        ];
  },
};
