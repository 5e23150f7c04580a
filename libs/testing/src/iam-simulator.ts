// A small IAM policy simulator for tests: decides one request (action, resource ARN, request context)
// against identity policy documents the way IAM does for a single account: an explicit Deny wins,
// else any Allow, else the implicit deny. It evaluates Action/NotAction, Resource/NotResource and the
// condition operators the platform's policies use; any other operator throws, so a policy that starts
// using one fails the test instead of being read as "allowed".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

/** Context keys of a request (`aws:RequestTag/Project`, `iam:PassedToService`, …); multivalued keys as arrays. */
export type IamContext = Readonly<Record<string, string | readonly string[]>>;

export interface IamRequest {
  /** `service:Action`. */
  action: string;
  /** The ARN IAM authorizes the action on, or `*` for actions without a resource type. */
  resource: string;
  context?: IamContext;
}

/** A policy document as JSON: statements are untyped objects, read defensively. */
export interface IamPolicyDocument {
  Statement: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

export type IamDecision =
  | { decision: "allowed"; statement: string }
  | { decision: "explicitDeny"; statement: string }
  | { decision: "implicitDeny" };

const strings = (value: unknown, what: string): string[] => {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map((v) => {
    if (typeof v !== "string" && typeof v !== "boolean" && typeof v !== "number")
      throw new Error(`${what}: expected strings, got ${JSON.stringify(value)}`);
    return String(v);
  });
};

/** IAM's wildcard match: `*` any run of characters (`/` and `:` included), `?` one character. */
export function iamGlob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

type Compare = (pattern: string, value: string) => boolean;
const COMPARISONS: Record<string, Compare> = {
  StringEquals: (p, v) => p === v,
  StringEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringLike: (p, v) => iamGlob(p, v),
  ArnEquals: (p, v) => p === v,
  ArnLike: (p, v) => iamGlob(p, v),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
};
const NEGATED: Record<string, keyof typeof COMPARISONS> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

/** One `operator: { key: values }` entry: every key must match (AND), any of a key's values (OR). */
function conditionHolds(operator: string, block: Record<string, unknown>, context: IamContext, sid: string): boolean {
  const set = /^(ForAllValues|ForAnyValue):/.exec(operator)?.[1];
  let op = set ? operator.slice(set.length + 1) : operator;
  const ifExists = op.endsWith("IfExists");
  if (ifExists) op = op.slice(0, -"IfExists".length);
  if (op === "Null") {
    return Object.entries(block).every(([key, v]) =>
      strings(v, sid).every((want) => (context[key] === undefined) === (want === "true")),
    );
  }
  const negated = op in NEGATED;
  const compare = COMPARISONS[negated ? NEGATED[op] : op];
  if (!compare) throw new Error(`statement ${sid}: condition operator ${operator} is not simulated`);
  return Object.entries(block).every(([key, raw]) => {
    const patterns = strings(raw, `statement ${sid}, ${key}`);
    const present = context[key];
    // A missing key: a positive operator fails, a negated one holds, ...IfExists holds (the IAM rules).
    if (present === undefined) return ifExists || negated || set === "ForAllValues";
    const values = typeof present === "string" ? [present] : [...present];
    const matches = (v: string) => patterns.some((p) => compare(p, v));
    if (set === "ForAllValues") return values.every((v) => (negated ? !matches(v) : matches(v)));
    if (set === "ForAnyValue") return values.some((v) => (negated ? !matches(v) : matches(v)));
    if (values.length !== 1) throw new Error(`statement ${sid}: ${key} is multivalued; use ForAllValues/ForAnyValue`);
    return negated ? !matches(values[0]) : matches(values[0]);
  });
}

/** Whether one statement applies to the request (its effect aside). */
export function statementMatches(statement: Readonly<Record<string, unknown>>, request: IamRequest): boolean {
  const sid = typeof statement.Sid === "string" ? statement.Sid : "(no Sid)";
  const action = (patterns: unknown) => strings(patterns, sid).some((p) => iamGlob(p, request.action, true));
  const resource = (patterns: unknown) => strings(patterns, sid).some((p) => iamGlob(p, request.resource));
  const actionOk = statement.Action !== undefined ? action(statement.Action) : !action(statement.NotAction);
  const resourceOk = statement.Resource !== undefined ? resource(statement.Resource) : !resource(statement.NotResource);
  if (!actionOk || !resourceOk) return false;
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(conditions).every(([op, block]) => conditionHolds(op, block, request.context ?? {}, sid));
}

/** IAM's decision for one request against the policies attached to one identity. */
export function simulate(documents: readonly IamPolicyDocument[], request: IamRequest): IamDecision {
  const statements = documents.flatMap((d) => d.Statement);
  const sid = (s: Readonly<Record<string, unknown>>) => (typeof s.Sid === "string" ? s.Sid : "(no Sid)");
  const deny = statements.find((s) => s.Effect === "Deny" && statementMatches(s, request));
  if (deny) return { decision: "explicitDeny", statement: sid(deny) };
  const allow = statements.find((s) => s.Effect === "Allow" && statementMatches(s, request));
  return allow ? { decision: "allowed", statement: sid(allow) } : { decision: "implicitDeny" };
}
