import { ofType, one, renderProgram } from "@mlapi/testing";
import type { ImageRepositoryArgs } from "./image-repository";
import { ecrRepositoryArn, ImageRepository } from "./image-repository";
import { Naming } from "@mlapi/core";

const render = (args: Partial<ImageRepositoryArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const repo = new ImageRepository("img", { naming: new Naming("dev"), ...args });
      return { url: repo.repositoryUrl };
    },
  });

describe("ImageRepository", () => {
  it("creates its own rotating key when none is given, without an alias unless asked", async () => {
    const r = await render();
    const key = one(r, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
    expect(one(r, "aws:ecr/repository:Repository").inputs.encryptionConfigurations).toEqual([
      { encryptionType: "KMS", kmsKey: key.state.arn },
    ]);
    expect(ofType(r, "aws:kms/alias:Alias")).toHaveLength(0);
  });

  it("uses a given key and creates none", async () => {
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
    const r = await render({ kmsKeyArn: keyArn });
    expect(ofType(r, "aws:kms/key:Key")).toHaveLength(0);
    expect(one(r, "aws:ecr/repository:Repository").inputs.encryptionConfigurations).toEqual([
      { encryptionType: "KMS", kmsKey: keyArn },
    ]);
  });

  it("takes the retention of tagged and untagged images", async () => {
    const r = await render({ keepTaggedImages: 5, untaggedExpiryDays: 1 });
    const policy = JSON.parse(String(one(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy)) as {
      rules: Array<{ rulePriority: number; selection: { countNumber: number; tagStatus: string } }>;
    };
    expect(
      policy.rules.map((rule) => [rule.rulePriority, rule.selection.tagStatus, rule.selection.countNumber]),
    ).toEqual([
      [1, "untagged", 1],
      [2, "any", 5],
    ]);
    expect(r.outputs.url).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/mlapi-api-dev");
  });
});

describe("ecrRepositoryArn", () => {
  describe.each<[string, string]>([
    [
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlapi-releases:1.4.2",
      "arn:aws:ecr:us-east-1:123456789012:repository/mlapi-releases",
    ],
    [
      `210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/mlapi@sha256:${"a".repeat(64)}`,
      "arn:aws:ecr:eu-west-1:210987654321:repository/team/mlapi",
    ],
    [
      "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/api:v1",
      "arn:aws:ecr:us-gov-west-1:123456789012:repository/api",
    ],
    [
      "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:v1",
      "arn:aws-cn:ecr:cn-north-1:123456789012:repository/api",
    ],
  ])("%s", (image, expected) => {
    it(`is pulled from ${expected}`, () => expect(ecrRepositoryArn(image)).toBe(expected));
  });

  it.each([
    "docker.io/library/node:24",
    "public.ecr.aws/mlapi/api:1.0",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/api",
    "ghcr.io/acme/api:1",
  ])("refuses %s, which the execution role cannot be granted", (image) => {
    expect(() => ecrRepositoryArn(image)).toThrow(`${image} is not a private ECR image`);
  });
});
