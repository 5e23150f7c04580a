import { Naming } from "@mlapi/core";
import { one, policyDocument, renderProgram } from "@mlapi/testing";
import type { StateBucketArgs } from "./state-bucket";
import { StateBucket } from "./state-bucket";

const render = (args: Partial<StateBucketArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "shared",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const s = new StateBucket("state", { naming: new Naming("shared"), ...args });
      return { bucketName: s.bucketName, keyArn: s.keyArn };
    },
  });

describe("StateBucket", () => {
  it("keeps every version of the state, encrypted with its own rotating key through S3 bucket keys", async () => {
    const r = await render();
    const key = one(r, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(one(r, "aws:kms/alias:Alias").inputs).toMatchObject({
      name: "alias/mlapi-state-shared",
      targetKeyId: key.id,
    });
    expect(one(r, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(
      one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn },
        bucketKeyEnabled: true,
      },
    ]);
    expect(r.outputs).toEqual({ bucketName: "mlapi-state-123456789012-us-east-1-shared", keyArn: key.state.arn });
  });

  it("blocks public access, turns ACLs off and refuses every request not made over TLS", async () => {
    const r = await render();
    expect(one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    const policy = one(r, "aws:s3/bucketPolicy:BucketPolicy");
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          "arn:aws:s3:::mlapi-state-123456789012-us-east-1-shared",
          "arn:aws:s3:::mlapi-state-123456789012-us-east-1-shared/*",
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(policy.dependsOn).toEqual(["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::state-public-access"]);
  });

  it("expires noncurrent versions after 90 days by default, or as configured, once versioning is on", async () => {
    const lifecycle = (r: Awaited<ReturnType<typeof render>>) =>
      one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    const r = await render();
    expect(lifecycle(r).inputs.rules).toEqual([
      {
        id: "expire-noncurrent-state",
        status: "Enabled",
        filter: { prefix: "" },
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
    expect(lifecycle(r).dependsOn).toEqual(["aws:s3/bucketVersioning:BucketVersioning::state-versioning"]);
    const rules = lifecycle(await render({ noncurrentVersionExpirationDays: 30 })).inputs.rules as {
      noncurrentVersionExpiration: unknown;
    }[];
    expect(rules[0].noncurrentVersionExpiration).toEqual({ noncurrentDays: 30 });
  });

  it("protects the bucket and its key, and never force-destroys the bucket", async () => {
    const r = await render();
    const bucket = one(r, "aws:s3/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({ bucket: "mlapi-state-123456789012-us-east-1-shared", forceDestroy: false });
    expect(bucket.protect).toBe(true);
    expect(one(r, "aws:kms/key:Key").protect).toBe(true);
  });

  it.each([
    [
      { noncurrentVersionExpirationDays: 0 },
      "StateBucket state: noncurrentVersionExpirationDays must be a whole number >= 1, got 0",
    ],
    [
      { keyDeletionWindowInDays: 31 },
      "StateBucket state: keyDeletionWindowInDays must be a whole number from 7 to 30, got 31",
    ],
  ])("refuses %j", async (args, message) => {
    await expect(render(args)).rejects.toThrow(message);
  });
});
