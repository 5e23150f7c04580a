// The profile switch (`profile: throwaway | production`): what production changes in this layer, and
// that the policy pack accepts those protections for production only.
import * as path from "node:path";
import { evaluate, resourcesFromPlan } from "@mlapi/policies";
import type { RenderResult } from "@mlapi/testing";
import { asPlan, ofType, one, programLoader, renderProgram } from "@mlapi/testing";
import { NETWORK_OUTPUTS } from "./fixtures";

const load = programLoader(path.join(__dirname, "..", "index.ts"));
const render = (config: Record<string, unknown> = {}) =>
  renderProgram({
    project: "mlapi-data",
    stack: "prod",
    config: { "aws:region": "us-east-1", ...config },
    stackOutputs: { "organization/mlapi-network/prod": { ...NETWORK_OUTPUTS } },
    load,
  });
const destroyability = (r: RenderResult, profile?: string) =>
  evaluate(resourcesFromPlan(asPlan(r, "mlapi-data", "prod")), { environmentSuffix: "prod", profile })
    .filter((v) => v.policy === "destroyable")
    .map((v) => `${v.resource}: ${v.message}`);

describe("data layer, profile production", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ "mlapi-data:profile": "production" });
  });

  it("protects the cluster and the sessions table from deletion and keeps a final snapshot", () => {
    expect(one(r, "aws:rds/cluster:Cluster").inputs).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "mlapi-db-prod-final",
    });
    expect(one(r, "aws:dynamodb/table:Table").inputs.deletionProtectionEnabled).toBe(true);
  });

  it("keeps a reader", () => {
    expect(ofType(r, "aws:rds/clusterInstance:ClusterInstance")).toHaveLength(2);
  });

  it("passes the destroyability rule as production, and fails it as any other profile", () => {
    expect(destroyability(r, "production")).toEqual([]);
    expect(destroyability(r, "throwaway")).toEqual([
      "sessions-table (aws:dynamodb/table:Table): deletionProtectionEnabled must be false.",
      "db-cluster (aws:rds/cluster:Cluster): deletionProtection must be false.",
      "db-cluster (aws:rds/cluster:Cluster): skipFinalSnapshot must be true: a final snapshot needs a unique name and blocks destroy.",
    ]);
  });

  it("refuses production without a reader", async () => {
    await expect(render({ "mlapi-data:profile": "production", "mlapi-data:readerCount": 0 })).rejects.toThrow(
      "Invalid configuration: mlapi-data:readerCount = 0: must be at least 1 with profile production (a failover target)",
    );
  });
});

describe("data layer, profile throwaway (the default)", () => {
  it("protects nothing, takes no final snapshot and passes the destroyability rule", async () => {
    const r = await render();
    expect(one(r, "aws:rds/cluster:Cluster").inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true });
    expect(one(r, "aws:rds/cluster:Cluster").inputs.finalSnapshotIdentifier).toBeUndefined();
    expect(one(r, "aws:dynamodb/table:Table").inputs.deletionProtectionEnabled).toBe(false);
    expect(destroyability(r)).toEqual([]);
  });
});
