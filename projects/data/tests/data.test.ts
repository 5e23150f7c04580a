import * as path from "node:path";
import type { NetworkOutputs } from "@mlapi/core";
import { DATA, NAME_RULES } from "@mlapi/core";
import { isTaggableType } from "@mlapi/policies";
import type { RenderResult } from "@mlapi/testing";
import {
  customResources,
  MOCK_ACCOUNT_ID,
  NETWORK_OUTPUTS,
  ofType,
  one,
  policyDocument,
  programLoader,
  ref,
  renderProgram,
} from "@mlapi/testing";

const load = programLoader(path.join(__dirname, "..", "index.ts"));

const render = (
  config: Record<string, unknown> = {},
  stack = "qa7",
  network: Partial<NetworkOutputs> = NETWORK_OUTPUTS,
) =>
  renderProgram({
    project: "mlapi-data",
    stack,
    config: { "aws:region": "us-east-1", ...config },
    stackOutputs: { [`organization/mlapi-network/${stack}`]: { ...network } },
    load,
  });

const cluster = (r: RenderResult) => one(r, "aws:rds/cluster:Cluster");
const dataKey = (r: RenderResult) => one(r, "aws:kms/key:Key", "data-key");
const logsKey = (r: RenderResult) => one(r, "aws:kms/key:Key", "data-logs-key");

describe("data layer with default config", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await render();
  });

  it("declares one cluster with a writer and a reader, its subnet and parameter groups, its log group and one table", () => {
    const owned = [
      "aws:rds/subnetGroup:SubnetGroup",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:rds/cluster:Cluster",
      "aws:rds/clusterInstance:ClusterInstance",
      "aws:dynamodb/table:Table",
    ];
    expect(Object.fromEntries(owned.map((t) => [t, ofType(r, t).length]))).toEqual(
      Object.fromEntries(owned.map((t) => [t, t.endsWith("ClusterInstance") ? 2 : 1])),
    );
    expect(ofType(r, "aws:kms/key:Key").map((k) => k.name)).toEqual(
      expect.arrayContaining(["data-key", "data-logs-key"]),
    );
  });

  it("reads the network through a StackReference to the same stack name", () => {
    expect(one(r, "pulumi:pulumi:StackReference").inputs.name).toBe("organization/mlapi-network/qa7");
  });

  it("runs Aurora PostgreSQL 16 Serverless v2, 0.5-2 ACU, in the network's private subnets behind its db group (R5)", () => {
    expect(cluster(r).inputs).toMatchObject({
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: "16",
      engineLifecycleSupport: "open-source-rds-extended-support-disabled",
      serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 },
      vpcSecurityGroupIds: ["sg-db"],
    });
    expect(one(r, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual(NETWORK_OUTPUTS.privateSubnetIds);
    const instances = ofType(r, "aws:rds/clusterInstance:ClusterInstance");
    expect(
      instances.map((i) => [i.inputs.instanceClass, i.inputs.availabilityZone, i.inputs.publiclyAccessible]),
    ).toEqual([
      ["db.serverless", "us-east-1a", false],
      ["db.serverless", "us-east-1b", false],
    ]);
  });

  it("encrypts storage, Performance Insights and the master secret with the data key (R6, R7)", () => {
    const keyArn = dataKey(r).state.arn;
    expect(cluster(r).inputs).toMatchObject({
      storageEncrypted: true,
      kmsKeyId: keyArn,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: keyArn,
    });
    for (const i of [cluster(r), ...ofType(r, "aws:rds/clusterInstance:ClusterInstance")]) {
      expect(i.inputs).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: keyArn });
    }
  });

  it("keeps 7 days of backups in a window, forces TLS and uses IAM auth (R6)", () => {
    expect(cluster(r).inputs).toMatchObject({
      backupRetentionPeriod: 7,
      preferredBackupWindow: "03:00-04:00",
      copyTagsToSnapshot: true,
      iamDatabaseAuthenticationEnabled: true,
    });
    const params = one(r, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
    expect(params.inputs.parameters).toEqual([{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }]);
    expect(cluster(r).inputs.dbClusterParameterGroupName).toBe(params.inputs.name);
  });

  it("exports postgresql logs to its own 30-day group, encrypted by the logs key, created before the cluster (R6, R14)", () => {
    const group = one(r, "aws:cloudwatch/logGroup:LogGroup");
    expect(group.inputs).toEqual({
      name: "/aws/rds/cluster/mlapi-db-qa7/postgresql",
      retentionInDays: 30,
      kmsKeyId: logsKey(r).state.arn,
      tags: expect.any(Object),
    });
    expect(cluster(r).inputs.enabledCloudwatchLogsExports).toEqual(["postgresql"]);
    expect(cluster(r).dependsOn).toContain(ref(group));
  });

  it("admits CloudWatch Logs to the logs key for exactly the RDS log group", () => {
    const logsStatement = policyDocument(logsKey(r).inputs.policy).Statement.find(
      (s) => s.Sid === "CloudWatchLogsForTheseLogGroups",
    );
    expect(logsStatement?.Principal).toEqual({ Service: "logs.us-east-1.amazonaws.com" });
    expect(logsStatement?.Condition).toEqual({
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": [
          `arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:/aws/rds/cluster/mlapi-db-qa7/postgresql`,
        ],
      },
    });
  });

  it("rotates both keys, deletes them within 7 days and aliases them with the suffix (R6, R19)", () => {
    for (const key of [dataKey(r), logsKey(r)])
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 7 });
    expect(ofType(r, "aws:kms/alias:Alias").map((a) => [a.inputs.name, a.inputs.targetKeyId])).toEqual(
      expect.arrayContaining([
        ["alias/mlapi-data-qa7", dataKey(r).state.keyId],
        ["alias/mlapi-data-logs-qa7", logsKey(r).state.keyId],
      ]),
    );
  });

  it("admits to the data key only the account root, via RDS/DynamoDB/Secrets Manager, and DynamoDB's describe calls", () => {
    const statements = policyDocument(dataKey(r).inputs.policy).Statement;
    expect(statements.map((s) => s.Principal)).toEqual([
      { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` },
      { AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` },
      { Service: "dynamodb.amazonaws.com" },
    ]);
    expect(statements[1].Condition).toEqual({
      StringEquals: {
        "kms:CallerAccount": MOCK_ACCOUNT_ID,
        "kms:ViaService": [
          "rds.us-east-1.amazonaws.com",
          "dynamodb.us-east-1.amazonaws.com",
          "secretsmanager.us-east-1.amazonaws.com",
        ],
      },
    });
  });

  it("stores sessions on demand with TTL, point-in-time recovery and the data key (R8)", () => {
    expect(one(r, "aws:dynamodb/table:Table").inputs).toMatchObject({
      name: "mlapi-sessions-qa7",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "sessionId",
      attributes: [{ name: "sessionId", type: "S" }],
      ttl: { attributeName: "expiresAt", enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: dataKey(r).state.arn },
      deletionProtectionEnabled: false,
    });
  });

  it("destroys cleanly: no protect, no retain, no deletion protection, no final snapshot (R19)", () => {
    expect(r.resources.filter((x) => x.protect || x.retainOnDelete)).toEqual([]);
    expect(cluster(r).inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true });
  });

  it("puts the suffix in every physical name (R18)", () => {
    const names = customResources(r)
      .map((x) => [x.type, x.inputs.name ?? x.inputs.clusterIdentifier ?? x.inputs.identifier] as const)
      .filter(([, name]) => name !== undefined); // keys and subscriptions have no name; aliases do
    expect(names.map(([type]) => type)).toEqual(
      expect.arrayContaining([
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:dynamodb/table:Table",
        "aws:kms/alias:Alias",
      ]),
    );
    for (const [type, name] of names) expect([type, name]).toEqual([type, expect.stringMatching(/-qa7(\/|$)/)]);
  });

  it("carries the four standard tags on every resource whose AWS class takes tags, and on no other (R18)", () => {
    const taggableTypes = new Set<string>();
    for (const x of customResources(r)) {
      const tags = x.inputs.tags as Record<string, string> | undefined;
      if (!isTaggableType(x.type)) {
        expect([x.type, tags]).toEqual([x.type, undefined]);
        continue;
      }
      taggableTypes.add(x.type);
      expect([x.type, x.name, tags]).toEqual([
        x.type,
        x.name,
        expect.objectContaining({ Project: "mlapi", Environment: "qa7", Layer: "data", ManagedBy: "pulumi" }),
      ]);
    }
    expect([...taggableTypes]).toEqual(
      expect.arrayContaining([
        "aws:kms/key:Key",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:dynamodb/table:Table",
      ]),
    );
  });

  it("exports every output of the DATA contract, ARNs only and nothing secret (R20)", () => {
    expect(Object.keys(r.outputs).sort()).toEqual([...DATA.outputNames].sort());
    expect(r.secretOutputNames).toEqual([...DATA.secretOutputNames]);
    expect(r.outputs).toMatchObject({
      rdsClusterIdentifier: "mlapi-db-qa7",
      rdsClusterEndpoint: cluster(r).state.endpoint,
      rdsClusterReaderEndpoint: cluster(r).state.readerEndpoint,
      rdsClusterPort: 5432,
      rdsDatabaseName: "mlapi",
      rdsMasterUsername: "mlapi_admin",
      rdsClusterResourceId: cluster(r).state.clusterResourceId,
      sessionsTableName: "mlapi-sessions-qa7",
      sessionsTableArn: one(r, "aws:dynamodb/table:Table").state.arn,
      dataKmsKeyArn: dataKey(r).state.arn,
      appSecretArns: [],
      appSecretKmsKeyArns: [],
    });
    expect(r.outputs.rdsMasterSecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:rds!cluster-/);
    expect(JSON.stringify(r.outputs)).not.toMatch(/password/i);
  });
});

describe("data layer config", () => {
  it("takes the major, ACU range and reader count from config", async () => {
    const r = await render({
      "mlapi-data:engineMajorVersion": 17,
      "mlapi-data:minCapacity": 1,
      "mlapi-data:maxCapacity": 4.5,
      "mlapi-data:readerCount": 0,
    });
    expect(cluster(r).inputs).toMatchObject({
      engineVersion: "17",
      serverlessv2ScalingConfiguration: { minCapacity: 1, maxCapacity: 4.5 },
    });
    expect(one(r, "aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs.family).toBe("aurora-postgresql17");
    expect(ofType(r, "aws:rds/clusterInstance:ClusterInstance").map((i) => i.name)).toEqual(["db-writer"]);
  });

  it("looks up the named app secrets and exports their ARNs in order, creating none", async () => {
    const r = await render({ "mlapi-data:appSecretNames": ["mlapi/qa7/model-api-key", "mlapi/qa7/other"] });
    expect(r.outputs.appSecretArns).toEqual([
      expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:mlapi\/qa7\/model-api-key-[0-9a-f]{6}$/),
      expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:mlapi\/qa7\/other-[0-9a-f]{6}$/),
    ]);
    expect(ofType(r, "aws:secretsmanager/secret:Secret")).toEqual([]);
  });

  it("exports the customer keys of the named app secrets, each once, for the service's execution role", async () => {
    const r = await render({ "mlapi-data:appSecretNames": ["mlapi/qa7/model-api-key", "mlapi/qa7/other"] });
    expect(r.outputs.appSecretKmsKeyArns).toEqual([
      expect.stringMatching(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/),
      expect.stringMatching(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/),
    ]);
    expect(r.outputs.appSecretKmsKeyArns).not.toContain(r.outputs.dataKmsKeyArn);
  });

  it("reads the network from the configured organization and stack", async () => {
    const r = await renderProgram({
      project: "mlapi-data",
      stack: "qa7",
      config: {
        "aws:region": "us-east-1",
        "mlapi-data:upstreamOrganization": "acme",
        "mlapi-data:upstreamStack": "shared",
      },
      stackOutputs: { "acme/mlapi-network/shared": { ...NETWORK_OUTPUTS } },
      load,
    });
    expect(one(r, "pulumi:pulumi:StackReference").inputs.name).toBe("acme/mlapi-network/shared");
  });

  it.each([
    [
      "ACU min above max",
      { "mlapi-data:minCapacity": 4 },
      "Invalid configuration: mlapi-data:minCapacity = 4: must be <= maxCapacity (2)",
    ],
    [
      "0.3 ACU",
      { "mlapi-data:minCapacity": 0.3 },
      'Invalid configuration: mlapi-data:minCapacity = "0.3": must be a number >= 0.5, <= 256, a multiple of 0.5',
    ],
    [
      "a maximum under 1 ACU",
      { "mlapi-data:maxCapacity": 0.5 },
      "Invalid configuration: mlapi-data:maxCapacity = 0.5: must be at least 1 ACU (the AWS minimum for the maximum)",
    ],
    [
      "readerCount -1",
      { "mlapi-data:readerCount": -1 },
      'Invalid configuration: mlapi-data:readerCount = "-1": must be a number >= 0, <= 15, a whole number',
    ],
    [
      "an empty secret name",
      { "mlapi-data:appSecretNames": ["ok", ""] },
      'Invalid configuration: mlapi-data:appSecretNames[1] = "": must not be empty',
    ],
    [
      "major 15",
      { "mlapi-data:engineMajorVersion": 15 },
      'Invalid configuration: mlapi-data:engineMajorVersion = "15": must be one of 16, 17',
    ],
    [
      "a short retention",
      { "mlapi-data:backupRetentionDays": 3 },
      'Invalid configuration: mlapi-data:backupRetentionDays = "3": must be a number >= 7, <= 35, a whole number',
    ],
    [
      "a database name with a hyphen",
      { "mlapi-data:databaseName": "ml-api" },
      'Invalid configuration: mlapi-data:databaseName = "ml-api": must start with a letter and hold 1-63 letters, digits or underscores',
    ],
    [
      "overlapping windows",
      { "mlapi-data:preferredMaintenanceWindow": "tue:03:30-tue:04:30" },
      'Invalid configuration: mlapi-data:preferredMaintenanceWindow = "tue:03:30-tue:04:30": must not overlap the backup window 03:00-04:00',
    ],
  ])("stops on %s before declaring any resource", async (_case, config, message) => {
    const failure = render(config);
    await expect(failure).rejects.toThrow(message);
    expect(await failure.catch((e: { declaredAwsResources: string[] }) => e.declaredAwsResources)).toEqual([]);
  });

  it("reports every problem at once", async () => {
    await expect(render({ "mlapi-data:minCapacity": 0.3, "mlapi-data:readerCount": -1 })).rejects.toThrow(
      "Invalid configuration (2 problems):",
    );
  });
});

describe("data layer names at the longest legal suffix", () => {
  const suffix = "abcdefghijklmnop"; // 16 characters, the maximum of the configuration rules (docs/requirements.md)
  let r: RenderResult;
  beforeAll(async () => {
    r = await render({ "mlapi-data:environmentSuffix": suffix, "mlapi-data:readerCount": 15 });
  });

  it.each([
    ["aws:rds/cluster:Cluster", "clusterIdentifier", "rdsCluster"],
    ["aws:rds/clusterInstance:ClusterInstance", "identifier", "rdsInstance"],
    ["aws:rds/subnetGroup:SubnetGroup", "name", "dbSubnetGroup"],
    ["aws:rds/clusterParameterGroup:ClusterParameterGroup", "name", "dbParameterGroup"],
    ["aws:dynamodb/table:Table", "name", "dynamoTable"],
    ["aws:kms/alias:Alias", "name", "kmsAlias"],
    ["aws:cloudwatch/logGroup:LogGroup", "name", "logGroup"],
  ] as const)("%s %s fits the AWS %s rule", (type, input, kind) => {
    const rule = NAME_RULES[kind];
    const names = ofType(r, type).map((x) => String(x.inputs[input]));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name).toContain(suffix);
      expect(name.length).toBeLessThanOrEqual(rule.maxLength);
      expect(name).toMatch(rule.pattern);
    }
  });

  it("names the 16th instance within RDS's 63 characters", () => {
    expect(
      ofType(r, "aws:rds/clusterInstance:ClusterInstance")
        .map((i) => i.inputs.identifier)
        .pop(),
    ).toBe(`mlapi-db-16-${suffix}`);
  });

  it("refuses a suffix that RDS identifiers cannot hold", async () => {
    await expect(render({ "mlapi-data:environmentSuffix": "qa--7" })).rejects.toThrow(
      'rdsCluster name "mlapi-db-qa--7" is not valid',
    );
  });
});

describe("data layer without a network output it needs", () => {
  it("stops with an error naming the network stack and the missing output", async () => {
    const withoutDbGroup: Partial<NetworkOutputs> = { ...NETWORK_OUTPUTS };
    delete withoutDbGroup.dbSecurityGroupId;
    await expect(render({}, "qa7", withoutDbGroup)).rejects.toThrow(
      'Stack "organization/mlapi-network/qa7" has no output "dbSecurityGroupId". Deploy or update the network layer first',
    );
  });
});
