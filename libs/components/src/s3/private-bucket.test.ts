import * as pulumi from "@pulumi/pulumi";
import { one, ref, renderProgram } from "@mlapi/testing";
import { keepBucketPrivate } from "./private-bucket";

class Holder extends pulumi.ComponentResource {
  constructor(publicAccessName?: string) {
    super("test:index:Holder", "logs");
    keepBucketPrivate("logs", "mlapi-logs-dev", this, publicAccessName);
  }
}

const render = (publicAccessName?: string) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      new Holder(publicAccessName);
      return {};
    },
  });

describe("keepBucketPrivate", () => {
  it("blocks every form of public access and disables ACLs, as children of the caller", async () => {
    const r = await render();
    const block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-public-access");
    expect(block.inputs).toEqual({
      bucket: "mlapi-logs-dev",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs-ownership");
    expect(ownership.inputs).toEqual({ bucket: "mlapi-logs-dev", rule: { objectOwnership: "BucketOwnerEnforced" } });
    const holder = ref({ type: "test:index:Holder", name: "logs" });
    expect([block.parent, ownership.parent]).toEqual([holder, holder]);
  });

  it("keeps a caller's existing logical name for the public access block", async () => {
    const r = await render("logs-public-access-block");
    expect(one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").name).toBe("logs-public-access-block");
  });
});
