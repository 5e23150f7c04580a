import { MANAGED_IDS, one, policyDocument, renderProgram } from "@mlapi/testing";
import { AccessLogsBucket } from "./access-logs-bucket";
import { Naming } from "@mlapi/core";

const render = (region: string) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": region },
    load: async () => {
      const b = new AccessLogsBucket("logs", { naming: new Naming("dev") });
      return { bucketName: b.bucketName };
    },
  });
const principals = async (region: string) =>
  policyDocument(one(await render(region), "aws:s3/bucketPolicy:BucketPolicy").inputs.policy)
    .Statement.filter((s) => s.Effect === "Allow")
    .map((s) => s.Principal);

describe("AccessLogsBucket", () => {
  it("admits the log-delivery service principal and the regional ELB account where one exists", async () => {
    expect(await principals("us-east-1")).toEqual([
      { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      { AWS: `arn:aws:iam::${MANAGED_IDS.elbServiceAccount}:root` },
    ]);
  });

  it("admits only the service principal in a region opened after August 2022, where the ELB account lookup fails", async () => {
    expect(await principals("eu-central-2")).toEqual([{ Service: "logdelivery.elasticloadbalancing.amazonaws.com" }]);
  });

  it("writes the bucket policy only after the public-access block", async () => {
    const r = await render("us-east-1");
    expect(one(r, "aws:s3/bucketPolicy:BucketPolicy").dependsOn).toEqual([
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::logs-public-access",
    ]);
  });
});
