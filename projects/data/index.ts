// Data layer (mlapi-data): the platform's state. A customer-managed KMS key for the data stores,
// Aurora PostgreSQL Serverless v2 (writer + readers, private, TLS-only, RDS-managed master secret,
// postgresql logs in a 30-day encrypted log group of its own key), the DynamoDB sessions table, and
// the ARNs of existing app secrets. Reads the network layer (private subnets, AZs, db security group);
// the service layer reads its outputs. Owns the region's alarm topic (docs/monitoring.md) and the
// alarms of its stores.
import type { DataOutputs, LayerOutputs } from "@mlapi/core";
import { NETWORK, startLayer, Upstream } from "@mlapi/core";
import {
  AlarmTopic,
  auroraClusterIdentifier,
  AuroraServerlessCluster,
  auroraLogGroupName,
  DataAlarms,
  DataKey,
  existingSecretArns,
  existingSecretKmsKeyArns,
  LogsKey,
  SessionsTable,
} from "@mlapi/components";
import { loadConfig } from "./src/config";

const cfg = loadConfig();
const { naming } = startLayer("data", cfg.environmentSuffix, cfg);
const network = new Upstream(NETWORK, cfg.upstream);

const dataKey = new DataKey("data", {
  aliasName: `alias/${naming.name("data")}`,
  description: `Aurora, its master secret and the sessions table of mlapi ${cfg.environmentSuffix}`,
  // A production destroy leaves the final snapshot and the table's $DeletedTableBackup, both under this
  // key: KMS's longest window (30 days) to cancel its deletion before they can no longer be restored.
  ...(cfg.profile === "production" && { deletionWindowInDays: 30 }),
});
// The postgresql log group gets a key of its own: see DataKey for why CloudWatch Logs is not on the data key.
const logsKey = new LogsKey("data-logs", {
  aliasName: `alias/${naming.name("data-logs")}`,
  description: `Aurora postgresql logs of mlapi ${cfg.environmentSuffix}`,
  logGroupNames: [auroraLogGroupName(auroraClusterIdentifier(naming))],
});
const db = new AuroraServerlessCluster("db", {
  naming,
  subnetIds: network.require("privateSubnetIds"),
  securityGroupIds: [network.require("dbSecurityGroupId")],
  availabilityZones: network.require("availabilityZones"),
  kmsKeyArn: dataKey.keyArn,
  logsKmsKeyArn: logsKey.keyArn,
  engineMajorVersion: cfg.engineMajorVersion,
  minCapacity: cfg.minCapacity,
  maxCapacity: cfg.maxCapacity,
  readerCount: cfg.readerCount,
  databaseName: cfg.databaseName,
  backupRetentionDays: cfg.backupRetentionDays,
  preferredBackupWindow: cfg.preferredBackupWindow,
  preferredMaintenanceWindow: cfg.preferredMaintenanceWindow,
  // The production profile: RDS refuses to delete it, and a destroy (once protection is lifted) keeps a final snapshot.
  deletionProtection: cfg.profile === "production",
  finalSnapshot: cfg.profile === "production",
});
const sessions = new SessionsTable("sessions", {
  name: naming.name("sessions", "dynamoTable"),
  kmsKeyArn: dataKey.keyArn,
  deletionProtection: cfg.profile === "production",
});

// --- monitoring: the region's alarm topic (first layer with alarms, so service and edge can read it) ---
const alarmTopic = new AlarmTopic("alarms", { naming, subscriptions: cfg.alarmEmails });
new DataAlarms("data-alarms", {
  naming,
  topicArn: alarmTopic.topicArn,
  clusterIdentifier: db.clusterIdentifier,
  maxCapacityAcu: cfg.maxCapacity,
  sessionsTableName: sessions.tableName,
  thresholds: cfg.alarms,
});

const outputs: LayerOutputs<DataOutputs> = {
  rdsClusterIdentifier: db.clusterIdentifier,
  rdsClusterEndpoint: db.endpoint,
  rdsClusterReaderEndpoint: db.readerEndpoint,
  rdsClusterPort: db.port,
  rdsDatabaseName: db.databaseName,
  rdsMasterUsername: db.masterUsername,
  rdsClusterResourceId: db.cluster.clusterResourceId,
  rdsMasterSecretArn: db.masterSecretArn,
  sessionsTableName: sessions.tableName,
  sessionsTableArn: sessions.tableArn,
  dataKmsKeyArn: dataKey.keyArn,
  appSecretArns: existingSecretArns(cfg.appSecretNames),
  appSecretKmsKeyArns: existingSecretKmsKeyArns(cfg.appSecretNames),
  alarmTopicArn: alarmTopic.topicArn,
};
export = outputs;
