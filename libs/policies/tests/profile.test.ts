// The production profile (issue 26) as the rules see it: a resource tagged Profile=production may be
// protected exactly as the profile protects it; protection anywhere else is refused as before.
import {
  CLOUDWATCH_RETENTION_DAYS,
  PRODUCTION_LOG_RETENTION_DAYS as CORE_RETENTIONS,
  PROFILE_TAG as CORE_TAG,
  standardTags,
} from "@mlapi/core";
import { destroyable, logGroupRetentionAndKey, PRODUCTION, PRODUCTION_LOG_RETENTION_DAYS, PROFILE_TAG } from "../src";
import { messages, res, TAGS } from "./fixture";

const THROWAWAY = { ...TAGS, Profile: "throwaway" };
const PROD = { ...TAGS, Profile: "production" };
const SNAPSHOT = "mlapi-db-prod-final-0a1b2c3d";
const aurora = (tags: Record<string, string>, extra: Record<string, unknown> = {}) =>
  res("aws:rds/cluster:Cluster", {
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: SNAPSHOT,
    tags,
    ...extra,
  });

describe("the profile the rules read is the one startLayer tags", () => {
  it("uses @mlapi/core's tag, production value and retention periods", () => {
    expect(PROFILE_TAG).toBe(CORE_TAG);
    expect(standardTags("data", "prod", "production")[PROFILE_TAG]).toBe(PRODUCTION);
    expect(PRODUCTION_LOG_RETENTION_DAYS).toEqual([...CORE_RETENTIONS]);
    expect(
      PRODUCTION_LOG_RETENTION_DAYS.every((d) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(d)),
    ).toBe(true);
  });
});

describe("destroyable, production profile", () => {
  it.each([
    ["aws:lb/loadBalancer:LoadBalancer", { enableDeletionProtection: true, tags: PROD }],
    ["aws:dynamodb/table:Table", { deletionProtectionEnabled: true, tags: PROD }],
    ["aws:s3/bucket:Bucket", { forceDestroy: true, tags: PROD }],
    ["aws:kms/key:Key", { deletionWindowInDays: 7, tags: PROD }],
  ])("accepts %s %j", (type, props) => {
    expect(messages(destroyable, res(type, props))).toEqual([]);
  });

  it("accepts the Aurora cluster protected, with a final snapshot under a valid identifier", () => {
    expect(messages(destroyable, aurora(PROD))).toEqual([]);
  });

  it("requires the protection the profile promises and the final snapshot", () => {
    expect(
      messages(
        destroyable,
        aurora(PROD, { deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }),
      ),
    ).toEqual([
      "deletionProtection must be true in a production stack (the profile protects it).",
      "skipFinalSnapshot must be false in a production stack: destroy keeps a final snapshot.",
      "finalSnapshotIdentifier undefined must be a valid snapshot identifier (a letter, then letters, digits, single hyphens).",
    ]);
    expect(
      messages(destroyable, res("aws:dynamodb/table:Table", { deletionProtectionEnabled: false, tags: PROD })),
    ).toEqual(["deletionProtectionEnabled must be true in a production stack (the profile protects it)."]);
  });

  it.each(["1-final", "mlapi-db--final-1", "mlapi-db-final-", "mlapi_db_final"])(
    "refuses the snapshot identifier %j",
    (id) => {
      expect(messages(destroyable, aurora(PROD, { finalSnapshotIdentifier: id }))).toEqual([
        `finalSnapshotIdentifier ${JSON.stringify(id)} must be a valid snapshot identifier (a letter, then letters, digits, single hyphens).`,
      ]);
    },
  );

  it("keeps refusing protection on any other type, and protect/retainOnDelete, in production too", () => {
    expect(
      messages(
        destroyable,
        res("aws:rds/instance:Instance", { deletionProtection: true, skipFinalSnapshot: true, tags: PROD }),
      ),
    ).toEqual(["deletionProtection must be false."]);
    expect(messages(destroyable, res("aws:sns/topic:Topic", { tags: PROD }, { protect: true }))).toEqual([
      "the protect option is set; destroy would refuse to delete it.",
    ]);
  });

  it.each([
    ["a throwaway stack", THROWAWAY],
    ["a stack without the tag", TAGS],
  ])("refuses the production protections in %s", (_name, tags) => {
    expect(messages(destroyable, aurora(tags))).toEqual([
      "deletionProtection must be false.",
      "skipFinalSnapshot must be true: a final snapshot needs a unique name and blocks destroy.",
    ]);
    expect(
      messages(destroyable, res("aws:lb/loadBalancer:LoadBalancer", { enableDeletionProtection: true, tags })),
    ).toEqual(["enableDeletionProtection must be false."]);
  });
});

describe("log-group-retention-kms, by profile", () => {
  const group = (retentionInDays: unknown, tags: Record<string, string>) =>
    res("aws:cloudwatch/logGroup:LogGroup", {
      name: "/mlapi/api-dev",
      retentionInDays,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
      tags,
    });

  it.each([30, 90, 365, 3653])("accepts %d days in a production stack", (days) => {
    expect(messages(logGroupRetentionAndKey, group(days, PROD))).toEqual([]);
  });

  it.each([14, 45, 366])(
    "refuses %d days in a production stack (not a CloudWatch period of 30 days or more)",
    (days) => {
      expect(messages(logGroupRetentionAndKey, group(days, PROD))).toEqual([
        `retentionInDays is ${days}; a production stack keeps one of ${PRODUCTION_LOG_RETENTION_DAYS.join(", ")} days (logRetentionDays).`,
      ]);
    },
  );

  it("keeps a throwaway stack at exactly 30 days", () => {
    expect(messages(logGroupRetentionAndKey, group(30, THROWAWAY))).toEqual([]);
    expect(messages(logGroupRetentionAndKey, group(365, THROWAWAY))).toEqual([
      "retentionInDays is 365; every log group keeps exactly 30 days (use EncryptedLogGroup).",
    ]);
  });
});
