import { one, ofType, policyDocument, renderProgram } from "@mlapi/testing";
import type { GitHubActionsRoleArgs } from "./github-actions-role";
import { GitHubActionsRole } from "./github-actions-role";

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const POLICY = {
  Version: "2012-10-17" as const,
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }],
};
const render = (args: Partial<GitHubActionsRoleArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "shared",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const role = new GitHubActionsRole("deploy", {
        roleName: "mlapi-github-deploy-shared",
        description: "deploys",
        providerArn: PROVIDER_ARN,
        repository: "acme/mlapi",
        subjects: ["environment:dev", "environment:prod"],
        policies: { "state-write": POLICY },
        managedPolicies: { "read-only": "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        ...args,
      });
      return { roleArn: role.roleArn };
    },
  });

describe("GitHubActionsRole", () => {
  it("is assumable only by the repository's named contexts through the OIDC provider, for an hour by default", async () => {
    const r = await render();
    const role = one(r, "aws:iam/role:Role");
    expect(role.inputs).toMatchObject({ name: "mlapi-github-deploy-shared", maxSessionDuration: 3600 });
    const [trust] = policyDocument(role.inputs.assumeRolePolicy).Statement;
    expect(trust.Principal).toEqual({ Federated: PROVIDER_ARN });
    expect(trust.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [
          "repo:acme/mlapi:environment:dev",
          "repo:acme/mlapi:environment:prod",
        ],
      },
    });
    expect(r.outputs.roleArn).toBe("arn:aws:iam::123456789012:role/mlapi-github-deploy-shared");
  });

  it("gives each inline policy its own RolePolicy and attaches each managed policy", async () => {
    const r = await render();
    const inline = one(r, "aws:iam/rolePolicy:RolePolicy");
    expect(inline.inputs).toMatchObject({ role: "mlapi-github-deploy-shared", name: "state-write" });
    expect(policyDocument(inline.inputs.policy)).toEqual(POLICY);
    expect(
      ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => [a.name, a.inputs.policyArn]),
    ).toEqual([["deploy-read-only", "arn:aws:iam::aws:policy/ReadOnlyAccess"]]);
  });

  it("refuses a bad repository, wildcard subjects and a session outside IAM's limits, all at once", async () => {
    await expect(
      render({ repository: "acme", subjects: ["ref:refs/heads/*"], maxSessionDuration: 60 }),
    ).rejects.toThrow(
      'GitHubActionsRole deploy: repository "acme" is not owner/name; ' +
        '"ref:refs/heads/*" is not pull_request, ref:refs/heads/<branch>, ref:refs/tags/<tag> or environment:<name> (no wildcards); ' +
        "maxSessionDuration must be whole seconds from 3600 to 43200, got 60",
    );
  });
});
