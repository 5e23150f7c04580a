import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { PlanLike } from "@mlapi/policies";
import { evaluate, resourcesFromPlan } from "@mlapi/policies";
import { workloadBoundaryPolicy } from "@mlapi/components";
import type { RenderResult } from "@mlapi/testing";
import {
  customResources,
  MOCK_ACCOUNT_ID,
  one,
  ofType,
  policyDocument,
  programLoader,
  renderProgram,
} from "@mlapi/testing";

const EXAMPLE = (
  parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.example.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  }
).config;
const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}, stack = "shared") =>
  renderProgram({ project: "mlapi-bootstrap", stack, config: { ...EXAMPLE, ...config }, load });

const BUCKET = `mlapi-state-${MOCK_ACCOUNT_ID}-us-east-1-shared`;
const BOUNDARY = `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/mlapi-workload-boundary`;
const trustOf = (r: RenderResult, name: string) => {
  const [statement] = policyDocument(one(r, "aws:iam/role:Role", name).inputs.assumeRolePolicy).Statement;
  return statement.Condition as { StringEquals: Record<string, unknown> };
};

describe("bootstrap with the example config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("creates the state bucket, its key and the secrets-provider key, and nothing of any layer", () => {
    expect(one(r, "aws:s3/bucket:Bucket").inputs.bucket).toBe(BUCKET);
    expect(ofType(r, "aws:kms/alias:Alias").map((a) => a.inputs.name)).toEqual([
      "alias/mlapi-state-shared",
      "alias/mlapi-secrets-shared",
    ]);
    const types = new Set(customResources(r).map((c) => c.type.split(":")[1].split("/")[0]));
    expect([...types].sort()).toEqual(["iam", "kms", "s3"]);
  });

  it("exports what the layers' deploy flow and the workflows need", () => {
    expect(r.outputs).toEqual({
      stateBucketName: BUCKET,
      stateBackendUrl: `s3://${BUCKET}?region=us-east-1`,
      stateKeyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//),
      secretsProvider: "awskms://alias/mlapi-secrets-shared?region=us-east-1",
      secretsKeyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//),
      githubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      previewRoleArn: "arn:aws:iam::123456789012:role/mlapi-github-preview-shared",
      deployRoleArn: "arn:aws:iam::123456789012:role/mlapi-github-deploy-shared",
      workloadBoundaryArn: BOUNDARY,
    });
  });

  it("creates the account's workload permissions boundary under its fixed name, allowing no IAM or STS action", () => {
    const policy = one(r, "aws:iam/policy:Policy");
    expect(policy.inputs.name).toBe("mlapi-workload-boundary");
    const doc = policyDocument(policy.inputs.policy);
    expect(doc).toEqual(workloadBoundaryPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, app: "mlapi" }));
    const actions = doc.Statement.flatMap((s) => s.Action as string[]);
    expect(actions.filter((a) => /^(iam|sts|organizations):/.test(a) || a.endsWith(":*") || a === "*")).toEqual([]);
  });

  it("lets pull requests and the default branch assume the read-only role, and only the deploy environments the deploy role", () => {
    expect(trustOf(r, "ci-preview-role").StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": [
        "repo:acme/mlapi-platform:pull_request",
        "repo:acme/mlapi-platform:ref:refs/heads/main",
      ],
    });
    expect(trustOf(r, "ci-deploy-role").StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:acme/mlapi-platform:environment:dev",
      "repo:acme/mlapi-platform:environment:staging",
      "repo:acme/mlapi-platform:environment:prod",
    ]);
  });

  it("gives the preview role ReadOnlyAccess and state access, the deploy role also its scoped writes", () => {
    const inline = ofType(r, "aws:iam/rolePolicy:RolePolicy").map((p) => [p.inputs.role, p.inputs.name]);
    expect(inline).toEqual([
      ["mlapi-github-preview-shared", "state-read"],
      ["mlapi-github-deploy-shared", "state-write"],
      ["mlapi-github-deploy-shared", "platform-write"],
    ]);
    const attached = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => [
      a.inputs.role,
      a.inputs.policyArn,
    ]);
    expect(attached).toEqual([
      ["mlapi-github-preview-shared", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
      ["mlapi-github-deploy-shared", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
    ]);
    const state = policyDocument(
      one(r, "aws:iam/rolePolicy:RolePolicy", "ci-preview-state-read").inputs.policy,
    ).Statement;
    expect(state.find((s) => s.Sid === "StateRead")?.Resource).toBe(`arn:aws:s3:::${BUCKET}/*`);
  });

  it("tags every taggable resource Project, Environment, Layer=bootstrap, ManagedBy and Profile=production (R18)", () => {
    const tagged = customResources(r).filter((c) => c.inputs.tags !== undefined);
    expect(tagged.length).toBeGreaterThanOrEqual(6);
    for (const c of tagged)
      expect(c.inputs.tags).toEqual({
        Project: "mlapi",
        Environment: "shared",
        Layer: "bootstrap",
        ManagedBy: "pulumi",
        Profile: "production",
      });
  });

  it("passes every mandatory rule of the policy pack (destroyable is exempt for this project only)", () => {
    const plan: PlanLike = {
      project: "mlapi-bootstrap",
      stack: "shared",
      steps: r.resources.map((res) => ({
        newState: {
          type: res.type,
          urn: `urn:pulumi:shared::mlapi-bootstrap::${res.type}::${res.name}`,
          id: res.id,
          protect: res.protect,
          retainOnDelete: res.retainOnDelete,
          inputs: res.inputs,
          outputs: res.state,
        },
      })),
    };
    const violations = evaluate(resourcesFromPlan(plan), { environmentSuffix: "shared", project: plan.project });
    expect(violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    // The same plan under a layer's project: the protected bucket and keys are what destroyable refuses.
    const asLayer = evaluate(resourcesFromPlan(plan), { environmentSuffix: "shared", project: "mlapi-data" });
    expect(asLayer.filter((v) => v.policy === "destroyable").map((v) => `${v.resource}: ${v.message}`)).toEqual([
      "state-bucket (aws:s3/bucket:Bucket): the protect option is set; destroy would refuse to delete it.",
      "state-bucket (aws:s3/bucket:Bucket): forceDestroy must be true: a non-empty bucket cannot be deleted.",
      "state-key (aws:kms/key:Key): the protect option is set; destroy would refuse to delete it.",
      "secrets-key (aws:kms/key:Key): the protect option is set; destroy would refuse to delete it.",
    ]);
  });
});

describe("bootstrap configuration", () => {
  it("adopts an existing GitHub OIDC provider and lets the deploy role write DNS only in the configured zones", async () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const r = await render({
      "mlapi-bootstrap:githubOidcProviderArn": arn,
      "mlapi-bootstrap:hostedZoneIds": ["Z0123456789ABC"],
    });
    expect(ofType(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    const write = policyDocument(
      one(r, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-platform-write").inputs.policy,
    ).Statement;
    expect(write.find((s) => s.Sid === "DnsRecordsInTheConfiguredZones")?.Resource).toEqual([
      "arn:aws:route53:::hostedzone/Z0123456789ABC",
    ]);
  });

  it("uses another bootstrap stack's workload boundary when createWorkloadBoundary is false (one per account)", async () => {
    const r = await render({ "mlapi-bootstrap:createWorkloadBoundary": false }, "second");
    expect(ofType(r, "aws:iam/policy:Policy")).toEqual([]);
    expect(r.outputs.workloadBoundaryArn).toBe(BOUNDARY);
    const state = policyDocument(one(r, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-state-write").inputs.policy);
    expect(state.Statement.find((s) => s.Sid === "DenyChangingTheWorkloadBoundary")?.Resource).toBe(BOUNDARY);
  });

  it("reports every bad key at once, before any AWS resource is declared", async () => {
    const error = (await render({
      "mlapi-bootstrap:githubRepository": "not-a-repo",
      "mlapi-bootstrap:deployEnvironments": ["prod", "*"],
      "mlapi-bootstrap:stateNoncurrentVersionDays": 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { declaredAwsResources: string[] };
    expect(error.message).toBe(
      [
        "Invalid configuration (3 problems):",
        '  - mlapi-bootstrap:githubRepository = "not-a-repo": must be owner/name, e.g. acme/mlapi',
        '  - mlapi-bootstrap:deployEnvironments[1] = "*": must be a GitHub environment name (letters, digits, . _ -)',
        '  - mlapi-bootstrap:stateNoncurrentVersionDays = "0": must be a number >= 1, <= 3650, a whole number',
      ].join("\n"),
    );
    expect(error.declaredAwsResources).toEqual([]);
  });

  it("requires the repository", async () => {
    await expect(render({ "mlapi-bootstrap:githubRepository": "" })).rejects.toThrow(
      "Invalid configuration: mlapi-bootstrap:githubRepository is not set: set it to the owner/name of the repository whose workflows deploy the platform (pulumi config set githubRepository acme/mlapi)",
    );
  });
});
