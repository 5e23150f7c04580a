import { one, ofType, renderProgram } from "@mlapi/testing";
import { GitHubOidcProvider, githubSubjectProblem, githubTrustPolicy } from "./github-oidc";

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const render = (existingProviderArn?: string) =>
  renderProgram({
    project: "mlapi-test",
    stack: "shared",
    config: { "aws:region": "us-east-1" },
    load: async () => ({ providerArn: new GitHubOidcProvider("github", { existingProviderArn }).providerArn }),
  });

describe("GitHubOidcProvider", () => {
  it("registers GitHub's issuer for the STS audience, without a pinned thumbprint", async () => {
    const r = await render();
    expect(one(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs).toEqual({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(r.outputs.providerArn).toBe(PROVIDER_ARN);
  });

  it("adopts the account's existing provider instead of creating a second one", async () => {
    const r = await render(PROVIDER_ARN);
    expect(ofType(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    expect(r.outputs.providerArn).toBe(PROVIDER_ARN);
  });

  it("refuses an existing ARN of another issuer", async () => {
    await expect(render("arn:aws:iam::123456789012:oidc-provider/gitlab.com")).rejects.toThrow(
      'GitHubOidcProvider github: existingProviderArn must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, got "arn:aws:iam::123456789012:oidc-provider/gitlab.com"',
    );
  });
});

describe("githubTrustPolicy", () => {
  it("admits only the provider, through web identity, for STS tokens of the named contexts of one repository", () => {
    expect(githubTrustPolicy(PROVIDER_ARN, "acme/mlapi", ["pull_request", "environment:prod"])).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GitHubActionsOfThisRepository",
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": [
                "repo:acme/mlapi:pull_request",
                "repo:acme/mlapi:environment:prod",
              ],
            },
          },
        },
      ],
    });
  });
});

describe("githubSubjectProblem", () => {
  it.each(["pull_request", "ref:refs/heads/main", "ref:refs/tags/v1.2.0", "environment:prod"])(
    "accepts %s",
    (subject) => {
      expect(githubSubjectProblem(subject)).toBeUndefined();
    },
  );

  it.each(["*", "ref:refs/heads/*", "environment:*", "workflow:deploy"])("refuses %s", (subject) => {
    expect(githubSubjectProblem(subject)).toBe(
      `"${subject}" is not pull_request, ref:refs/heads/<branch>, ref:refs/tags/<tag> or environment:<name> (no wildcards)`,
    );
  });
});
