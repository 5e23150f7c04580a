import { Naming } from "@mlapi/core";
import type { RenderResult } from "@mlapi/testing";
import { ofType, one, ref, renderProgram } from "@mlapi/testing";
import type { AuroraServerlessClusterArgs } from "./aurora-cluster";
import { AuroraServerlessCluster } from "./aurora-cluster";
import { finalSnapshotIdentifier, snapshotIdentifierProblem } from "./aurora-rules";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555";
const LOGS_KEY = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-4888-a999-000000000000";
const SUBNETS = ["subnet-a", "subnet-b", "subnet-c"];
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

type Overrides = Partial<Omit<AuroraServerlessClusterArgs, "naming">>;
const render = (args: Overrides = {}, suffix = "dev") =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const db = new AuroraServerlessCluster("db", {
        naming: new Naming(suffix),
        subnetIds: SUBNETS,
        securityGroupIds: ["sg-db"],
        availabilityZones: AZS,
        kmsKeyArn: KEY,
        logsKmsKeyArn: LOGS_KEY,
        ...args,
      });
      return {
        endpoint: db.endpoint,
        readerEndpoint: db.readerEndpoint,
        port: db.port,
        masterSecretArn: db.masterSecretArn,
      };
    },
  });

const cluster = (r: RenderResult) => one(r, "aws:rds/cluster:Cluster");
const instances = (r: RenderResult) => ofType(r, "aws:rds/clusterInstance:ClusterInstance");

describe("AuroraServerlessCluster with defaults", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("is Aurora PostgreSQL 16 Serverless v2 from 0.5 to 2 ACUs (R5)", () => {
    expect(cluster(r).inputs).toMatchObject({
      clusterIdentifier: "mlapi-db-dev",
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 },
    });
  });

  it("pins only the major, takes minor upgrades, refuses major ones and opts out of Extended Support", () => {
    expect(cluster(r).inputs).toMatchObject({
      engineVersion: "16",
      allowMajorVersionUpgrade: false,
      autoMinorVersionUpgrade: true,
      engineLifecycleSupport: "open-source-rds-extended-support-disabled",
    });
    for (const i of instances(r)) expect(i.inputs.engineVersion).toBeUndefined();
  });

  it("encrypts storage with the customer key and backs up for 7 days in a set window (R6)", () => {
    expect(cluster(r).inputs).toMatchObject({
      storageEncrypted: true,
      kmsKeyId: KEY,
      backupRetentionPeriod: 7,
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:04:30-sun:05:30",
      copyTagsToSnapshot: true,
    });
  });

  it("lets RDS manage the master password in Secrets Manager under the customer key (R7)", () => {
    expect(cluster(r).inputs).toMatchObject({
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: KEY,
      masterUsername: "mlapi_admin",
      databaseName: "mlapi",
    });
    expect(cluster(r).inputs.masterPassword).toBeUndefined();
    expect(r.outputs.masterSecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-/);
    expect(r.outputs.masterSecretArn).toBe(
      (cluster(r).state.masterUserSecrets as Array<{ secretArn: string }>)[0].secretArn,
    );
  });

  it("turns on IAM database authentication and tears down cleanly (R19)", () => {
    expect(cluster(r).inputs).toMatchObject({
      iamDatabaseAuthenticationEnabled: true,
      deletionProtection: false,
      skipFinalSnapshot: true,
      applyImmediately: true,
    });
    expect(cluster(r).inputs.finalSnapshotIdentifier).toBeUndefined();
    expect(ofType(r, "random:index/randomId:RandomId")).toEqual([]);
    expect(r.resources.some((x) => x.protect || x.retainOnDelete)).toBe(false);
  });

  it("lives in the given private subnets behind the given security group", () => {
    const subnetGroup = one(r, "aws:rds/subnetGroup:SubnetGroup");
    expect(subnetGroup.inputs).toMatchObject({ name: "mlapi-db-dev", subnetIds: SUBNETS });
    expect(cluster(r).inputs).toMatchObject({
      dbSubnetGroupName: "mlapi-db-dev",
      vpcSecurityGroupIds: ["sg-db"],
      port: 5432,
    });
  });

  it("forces TLS through a cluster parameter group of the major's family (R6)", () => {
    const params = one(r, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
    expect(params.inputs).toMatchObject({
      name: "mlapi-db-pg16-dev",
      family: "aurora-postgresql16",
      parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }],
    });
    expect(cluster(r).inputs.dbClusterParameterGroupName).toBe("mlapi-db-pg16-dev");
  });

  it("exports postgresql logs to a 30-day KMS log group that it creates before the cluster (R6, R14)", () => {
    const logGroup = one(r, "aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.inputs).toEqual({
      name: "/aws/rds/cluster/mlapi-db-dev/postgresql",
      retentionInDays: 30,
      kmsKeyId: LOGS_KEY,
    });
    expect(cluster(r).inputs.enabledCloudwatchLogsExports).toEqual(["postgresql"]);
    expect(cluster(r).dependsOn).toEqual([ref(logGroup)]);
  });

  it("runs a writer and one reader of class db.serverless in different AZs, never public", () => {
    const [writer, reader] = instances(r);
    expect(instances(r)).toHaveLength(2);
    expect(writer.inputs).toMatchObject({
      identifier: "mlapi-db-1-dev",
      availabilityZone: "us-east-1a",
      promotionTier: 0,
    });
    expect(reader.inputs).toMatchObject({
      identifier: "mlapi-db-2-dev",
      availabilityZone: "us-east-1b",
      promotionTier: 1,
    });
    for (const i of [writer, reader]) {
      expect(i.inputs).toMatchObject({
        clusterIdentifier: cluster(r).id,
        engine: "aurora-postgresql",
        instanceClass: "db.serverless",
        dbSubnetGroupName: "mlapi-db-dev",
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        applyImmediately: true,
      });
    }
  });

  it("creates the instances side by side, not one after another, and orders failover by promotion tier", () => {
    const [writer, reader] = instances(r);
    expect(writer.dependsOn).toEqual([]);
    expect(reader.dependsOn).toEqual([]);
    expect([writer.inputs.promotionTier, reader.inputs.promotionTier]).toEqual([0, 1]);
  });

  it("turns on Performance Insights with the customer key and the free 7 days on the cluster and every instance", () => {
    for (const i of [cluster(r), ...instances(r)]) {
      expect(i.inputs).toMatchObject({
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: KEY,
        performanceInsightsRetentionPeriod: 7,
      });
    }
  });

  it("exposes the writer and reader endpoints and the port", () => {
    expect(r.outputs.endpoint).toBe(cluster(r).state.endpoint);
    expect(r.outputs.readerEndpoint).toBe(cluster(r).state.readerEndpoint);
    expect(r.outputs.readerEndpoint).not.toBe(r.outputs.endpoint);
    expect(r.outputs.port).toBe(5432);
  });

  it("parents every child to the component", () => {
    const children = r.resources.filter(
      (x) => x.type !== "mlapi:data:AuroraServerlessCluster" && x.type !== "pulumi:pulumi:Stack",
    );
    const parents = new Set(children.map((x) => x.parent));
    expect(parents).toEqual(
      new Set(["mlapi:data:AuroraServerlessCluster::db", "mlapi:logging:EncryptedLogGroup::db-postgresql"]),
    );
  });
});

describe("AuroraServerlessCluster options", () => {
  it("runs only the writer with readerCount 0", async () => {
    expect(instances(await render({ readerCount: 0 })).map((i) => i.name)).toEqual(["db-writer"]);
  });

  it("spreads readers round-robin over the AZs", async () => {
    const r = await render({ readerCount: 3 });
    expect(instances(r).map((i) => i.inputs.availabilityZone)).toEqual([
      "us-east-1a",
      "us-east-1b",
      "us-east-1c",
      "us-east-1a",
    ]);
    expect(instances(r).map((i) => i.inputs.identifier)).toEqual([
      "mlapi-db-1-dev",
      "mlapi-db-2-dev",
      "mlapi-db-3-dev",
      "mlapi-db-4-dev",
    ]);
  });

  it("uses the major 17 family and a parameter group name of its own for major 17", async () => {
    const r = await render({ engineMajorVersion: 17, minCapacity: 1, maxCapacity: 8 });
    expect(cluster(r).inputs).toMatchObject({
      engineVersion: "17",
      serverlessv2ScalingConfiguration: { minCapacity: 1, maxCapacity: 8 },
    });
    expect(one(r, "aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs).toMatchObject({
      name: "mlapi-db-pg17-dev",
      family: "aurora-postgresql17",
    });
  });

  it.each([
    [{ minCapacity: 4, maxCapacity: 2 }, "minCapacity 4 must be <= maxCapacity (2)"],
    [{ minCapacity: 0.3 }, "minCapacity 0.3 must be a number of ACUs from 0.5 to 256 in steps of 0.5"],
    [{ readerCount: -1 }, "readerCount -1 must be a whole number from 0 to 15"],
    [{ readerCount: 16 }, "readerCount 16 must be a whole number from 0 to 15"],
    [{ backupRetentionDays: 1 }, "backupRetentionDays 1 must be a whole number from 7 to 35"],
    [{ engineMajorVersion: 15 as 16 }, "engineMajorVersion 15 must be one of 16, 17"],
    [
      { preferredMaintenanceWindow: "mon:03:30-mon:04:30" },
      'preferredMaintenanceWindow "mon:03:30-mon:04:30" must not overlap the backup window 03:00-04:00',
    ],
  ])("refuses %j before declaring anything", async (args, message) => {
    await expect(render(args)).rejects.toThrow(`AuroraServerlessCluster db: ${message}`);
  });

  it("refuses a suffix with two hyphens in a row, which RDS identifiers reject", async () => {
    await expect(render({}, "a--b")).rejects.toThrow('rdsCluster name "mlapi-db-a--b" is not valid');
  });
});

describe("AuroraServerlessCluster, production profile (deletionProtection + finalSnapshot)", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ deletionProtection: true, finalSnapshot: true }, "prod");
  });

  it("is deletion-protected and takes a final snapshot named with the cluster's random token", () => {
    const token = one(r, "random:index/randomId:RandomId");
    expect([token.name, token.inputs, token.parent]).toEqual([
      "db-final-snapshot",
      { byteLength: 4 },
      "mlapi:data:AuroraServerlessCluster::db",
    ]);
    const hex = String(token.state.hex);
    expect(hex).toMatch(/^[0-9a-f]{8}$/);
    expect(cluster(r).inputs).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `mlapi-db-prod-final-${hex}`,
    });
    expect(snapshotIdentifierProblem(String(cluster(r).inputs.finalSnapshotIdentifier))).toBeUndefined();
  });

  it("keeps the writer and its reader, and no protect or retainOnDelete option", () => {
    expect(instances(r).map((i) => i.inputs.identifier)).toEqual(["mlapi-db-1-prod", "mlapi-db-2-prod"]);
    expect(r.resources.some((x) => x.protect || x.retainOnDelete)).toBe(false);
  });

  it.each([
    [
      { deletionProtection: true },
      "deletionProtection needs finalSnapshot: a protected cluster keeps its data on destroy",
    ],
    [
      { deletionProtection: true, finalSnapshot: true, readerCount: 0 },
      "deletionProtection needs readerCount >= 1: a protected cluster has a failover target",
    ],
  ])("refuses %j", async (args, message) => {
    await expect(render(args)).rejects.toThrow(`AuroraServerlessCluster db: ${message}`);
  });
});

describe("final snapshot identifier (RDS: a letter, then letters, digits, single hyphens; 255 at most)", () => {
  it("is <cluster identifier>-final-<token>, valid for the longest cluster identifier and any 8-hex token", () => {
    expect(finalSnapshotIdentifier("mlapi-db-prod", "0a1b2c3d")).toBe("mlapi-db-prod-final-0a1b2c3d");
    expect(
      snapshotIdentifierProblem(finalSnapshotIdentifier(`mlapi-db-${"a".repeat(16)}`, "ffffffff")),
    ).toBeUndefined();
    expect(snapshotIdentifierProblem(finalSnapshotIdentifier("mlapi-db-7", "00000000"))).toBeUndefined();
  });

  it.each([
    ["", "must start with a letter and hold 1-255 letters, digits or hyphens"],
    ["1-final", "must start with a letter and hold 1-255 letters, digits or hyphens"],
    ["mlapi_db", "must start with a letter and hold 1-255 letters, digits or hyphens"],
    [`a${"b".repeat(255)}`, "must start with a letter and hold 1-255 letters, digits or hyphens"],
    ["mlapi-db--final", "must not contain two consecutive hyphens or end with a hyphen"],
    ["mlapi-db-final-", "must not contain two consecutive hyphens or end with a hyphen"],
  ])("refuses %j: %s", (id, problem) => {
    expect(snapshotIdentifierProblem(id)).toBe(problem);
  });
});
