import { Naming } from "@mlapi/core";
import { one, ofType, policyDocument, renderProgram } from "@mlapi/testing";
import { CiRoles } from "./ci-roles";

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const render = () =>
  renderProgram({
    project: "mlapi-test",
    stack: "shared",
    config: { "aws:region": "eu-west-1" },
    load: async () => {
      const ci = new CiRoles("ci", {
        naming: new Naming("shared"),
        providerArn: PROVIDER_ARN,
        repository: "acme/mlapi",
        previewSubjects: ["pull_request"],
        deploySubjects: ["environment:prod"],
        stateBucketArn: "arn:aws:s3:::mlapi-state-shared",
        stateKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/state",
        secretsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
      });
      return { preview: ci.previewRoleArn, deploy: ci.deployRoleArn };
    },
  });

describe("CiRoles", () => {
  it("names the two roles with the suffix and gives the deploy role a two-hour session", async () => {
    const r = await render();
    expect(ofType(r, "aws:iam/role:Role").map((role) => [role.inputs.name, role.inputs.maxSessionDuration])).toEqual([
      ["mlapi-github-preview-shared", 3600],
      ["mlapi-github-deploy-shared", 7200],
    ]);
    expect(r.outputs).toEqual({
      preview: "arn:aws:iam::123456789012:role/mlapi-github-preview-shared",
      deploy: "arn:aws:iam::123456789012:role/mlapi-github-deploy-shared",
    });
  });

  it("builds the permissions for the stack's account and region, and denies the deploy role its own roles", async () => {
    const r = await render();
    const write = policyDocument(
      one(r, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-platform-write").inputs.policy,
    ).Statement;
    expect(write.find((s) => s.Sid === "DynamoDbTablesNamed")?.Resource).toEqual([
      "arn:aws:dynamodb:eu-west-1:123456789012:table/mlapi-*",
    ]);
    const state = policyDocument(
      one(r, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-state-write").inputs.policy,
    ).Statement;
    expect(state.find((s) => s.Sid === "DenyChangingTheCiRoles")?.Resource).toEqual([
      "arn:aws:iam::123456789012:role/mlapi-github-preview-shared",
      "arn:aws:iam::123456789012:role/mlapi-github-deploy-shared",
    ]);
  });
});
