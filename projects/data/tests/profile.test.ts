// The data layer under both profiles (issue 26 §4): what `mlapi-data:profile` changes on the real
// resources, and that the platform's destroyability and log-retention rules accept exactly that.
import * as path from "node:path";
import { destroyable, evaluate, logGroupRetentionAndKey } from "@mlapi/policies";
import type { RenderResult } from "@mlapi/testing";
import { asPolicyResources, NETWORK_OUTPUTS, ofType, one, programLoader, renderProgram } from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown>, stack = "prod") =>
  renderProgram({
    project: "mlapi-data",
    stack,
    config: { "aws:region": "us-east-1", ...config },
    stackOutputs: { [`organization/mlapi-network/${stack}`]: { ...NETWORK_OUTPUTS } },
    load,
  });

/** The two profile-aware rules' findings over the rendered layer. */
const findings = (r: RenderResult) =>
  evaluate(asPolicyResources(r), { environmentSuffix: "prod" }, [destroyable, logGroupRetentionAndKey]).map(
    (v) => `${v.resource}: ${v.message}`,
  );

const protection = (r: RenderResult) => {
  const cluster = one(r, "aws:rds/cluster:Cluster").inputs;
  return {
    deletionProtection: cluster.deletionProtection,
    skipFinalSnapshot: cluster.skipFinalSnapshot,
    finalSnapshotIdentifier: cluster.finalSnapshotIdentifier,
    tableDeletionProtection: one(r, "aws:dynamodb/table:Table").inputs.deletionProtectionEnabled,
    readers: ofType(r, "aws:rds/clusterInstance:ClusterInstance").length - 1,
    logRetention: ofType(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays),
    profileTags: [
      ...new Set(
        r.resources.map((x) => (x.inputs.tags as Record<string, string> | undefined)?.Profile).filter(Boolean),
      ),
    ],
  };
};

describe("data layer, throwaway profile (the default)", () => {
  it("protects nothing, skips the final snapshot and keeps logs 30 days; the rules accept it", async () => {
    const r = await render({});
    expect(protection(r)).toEqual({
      deletionProtection: false,
      skipFinalSnapshot: true,
      finalSnapshotIdentifier: undefined,
      tableDeletionProtection: false,
      readers: 1,
      logRetention: [30],
      profileTags: ["throwaway"],
    });
    expect(ofType(r, "random:index/randomId:RandomId")).toEqual([]);
    expect(findings(r)).toEqual([]);
  });

  it("refuses a longer log retention, which needs the production profile", async () => {
    await expect(render({ "mlapi-data:logRetentionDays": "365" })).rejects.toThrow(
      'mlapi-data:logRetentionDays = "365": a throwaway stack keeps its logs 30 days (R14); a longer retention needs mlapi-data:profile: production',
    );
  });
});

describe("data layer, production profile", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ "mlapi-data:profile": "production", "mlapi-data:logRetentionDays": "365" });
  });

  it("protects the cluster and the table, snapshots on destroy under a unique name, keeps a reader and the logs a year", () => {
    const token = String(one(r, "random:index/randomId:RandomId").state.hex);
    expect(protection(r)).toEqual({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `mlapi-db-prod-final-${token}`,
      tableDeletionProtection: true,
      readers: 1,
      logRetention: [365],
      profileTags: ["production"],
    });
  });

  it("gives the data key, which encrypts the final snapshot and the table's backup, 30 days to cancel its deletion", () => {
    const windows = r.resources
      .filter((x) => x.type === "aws:kms/key:Key")
      .map((x) => [x.name, x.inputs.deletionWindowInDays]);
    expect(Object.fromEntries(windows)).toEqual({ "data-key": 30, "data-logs-key": 7, "alarms-key": 7 });
  });

  it("passes the destroyability and log-retention rules", () => {
    expect(findings(r)).toEqual([]);
  });

  it("fails them with the same resources tagged throwaway: the rules accept protection in production only", () => {
    const relabelled = {
      ...r,
      resources: r.resources.map((x) =>
        x.inputs.tags
          ? { ...x, inputs: { ...x.inputs, tags: { ...(x.inputs.tags as object), Profile: "throwaway" } } }
          : x,
      ),
    };
    expect(findings(relabelled)).toEqual([
      "sessions-table (aws:dynamodb/table:Table): deletionProtectionEnabled must be false.",
      "db-cluster (aws:rds/cluster:Cluster): deletionProtection must be false.",
      "db-cluster (aws:rds/cluster:Cluster): skipFinalSnapshot must be true: a final snapshot needs a unique name and blocks destroy.",
      "db-postgresql-log-group (aws:cloudwatch/logGroup:LogGroup): retentionInDays is 365; every log group keeps exactly 30 days (use EncryptedLogGroup).",
    ]);
  });

  it.each([
    [
      { "mlapi-data:readerCount": "0" },
      "mlapi-data:readerCount = 0: a production stack has at least one Aurora reader (a failover target in another zone)",
    ],
    [
      { "mlapi-data:logRetentionDays": "45" },
      'mlapi-data:logRetentionDays = "45": must be one of 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
  ])("refuses %j", async (config, message) => {
    await expect(render({ "mlapi-data:profile": "production", ...config })).rejects.toThrow(message);
  });

  it("refuses an unknown profile", async () => {
    await expect(render({ "mlapi-data:profile": "prod" })).rejects.toThrow(
      'mlapi-data:profile = "prod": must be one of throwaway, production',
    );
  });
});
