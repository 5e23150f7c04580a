import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { EncryptedLogGroup } from "../logging";
import type { AuroraPostgresMajor } from "./aurora-rules";
import {
  acuRangeProblems,
  AURORA_POSTGRES_MAJORS,
  auroraLogGroupName,
  backupWindowProblem,
  databaseNameProblem,
  finalSnapshotIdentifier,
  maintenanceWindowProblem,
  MAX_AURORA_READERS,
  parameterGroupFamily,
} from "./aurora-rules";

/** PostgreSQL's port; the network layer's db security group admits the app on it. */
export const AURORA_PORT = 5432;

/** The cluster's identifier, `mlapi-db-<suffix>`; the layer needs it before the cluster exists, for the logs key. */
export function auroraClusterIdentifier(naming: Naming): string {
  return naming.name("db", "rdsCluster");
}

/** Defaults of every optional argument, in one place. */
export const AURORA_DEFAULTS = {
  engineMajorVersion: 16 as AuroraPostgresMajor,
  minCapacity: 0.5,
  maxCapacity: 2,
  readerCount: 1,
  databaseName: "mlapi",
  masterUsername: "mlapi_admin",
  backupRetentionDays: 7,
  preferredBackupWindow: "03:00-04:00",
  preferredMaintenanceWindow: "sun:04:30-sun:05:30",
  /** Days of Performance Insights history; 7 is the free tier. */
  performanceInsightsRetentionDays: 7,
  deletionProtection: false,
  finalSnapshot: false,
} as const;

export interface AuroraServerlessClusterArgs {
  naming: Naming;
  /** Private subnets for the DB subnet group (at least two AZs). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the cluster (the network layer's db group). */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /** AZs to spread the instances over, in order: the writer goes to the first, reader n to the (n+1)-th, wrapping. */
  availabilityZones: pulumi.Input<string[]>;
  /** Customer-managed key for storage, Performance Insights and the master secret (see DataKey). */
  kmsKeyArn: pulumi.Input<string>;
  /** Key that admits CloudWatch Logs for the postgresql log group (see LogsKey and `auroraLogGroupName`). */
  logsKmsKeyArn: pulumi.Input<string>;
  /**
   * Aurora PostgreSQL major. Only the major is sent, so RDS picks the default minor and
   * automatic minor upgrades never show up as a diff (or a refused downgrade) on the next deploy.
   * @default 16
   */
  engineMajorVersion?: AuroraPostgresMajor;
  /** Serverless v2 minimum ACUs (0.5 steps). @default 0.5 */
  minCapacity?: number;
  /** Serverless v2 maximum ACUs (0.5 steps, at least 1). @default 2 */
  maxCapacity?: number;
  /** Reader instances besides the writer, 0–15. @default 1 */
  readerCount?: number;
  /** Database created with the cluster. @default "mlapi" */
  databaseName?: string;
  /** Master user; RDS generates and rotates its password in Secrets Manager. @default "mlapi_admin" */
  masterUsername?: string;
  /** Days of automated backups, 7–35. @default 7 */
  backupRetentionDays?: number;
  /** Daily backup window, UTC. @default "03:00-04:00" */
  preferredBackupWindow?: string;
  /** Weekly maintenance window, UTC; must not overlap the backup window. @default "sun:04:30-sun:05:30" */
  preferredMaintenanceWindow?: string;
  /** Days of Performance Insights history (7 is free; else a multiple of 31, or 731). @default 7 */
  performanceInsightsRetentionDays?: number;
  /**
   * RDS refuses to delete the cluster while on (the production profile). Needs `finalSnapshot` and a
   * reader: a protected cluster is one whose data matters. @default false (R19: destroyable)
   */
  deletionProtection?: boolean;
  /**
   * Take a final snapshot when the cluster is deleted, named by `finalSnapshotIdentifier` with a
   * random token per cluster (a child RandomId). @default false (R19: no snapshot left behind)
   */
  finalSnapshot?: boolean;
}

function validate(
  name: string,
  a: Required<
    Omit<
      AuroraServerlessClusterArgs,
      "naming" | "subnetIds" | "securityGroupIds" | "availabilityZones" | "kmsKeyArn" | "logsKmsKeyArn"
    >
  >,
): void {
  const problems: string[] = [];
  if (!(AURORA_POSTGRES_MAJORS as readonly number[]).includes(a.engineMajorVersion)) {
    problems.push(`engineMajorVersion ${a.engineMajorVersion} must be one of ${AURORA_POSTGRES_MAJORS.join(", ")}`);
  }
  for (const [field, rule] of acuRangeProblems(a.minCapacity, a.maxCapacity))
    problems.push(`${field} ${a[field]} ${rule}`);
  if (!Number.isInteger(a.readerCount) || a.readerCount < 0 || a.readerCount > MAX_AURORA_READERS) {
    problems.push(`readerCount ${a.readerCount} must be a whole number from 0 to ${MAX_AURORA_READERS}`);
  }
  if (!Number.isInteger(a.backupRetentionDays) || a.backupRetentionDays < 7 || a.backupRetentionDays > 35) {
    problems.push(`backupRetentionDays ${a.backupRetentionDays} must be a whole number from 7 to 35`);
  }
  const checks: Array<[string, string | undefined]> = [
    ["databaseName", databaseNameProblem(a.databaseName)],
    ["preferredBackupWindow", backupWindowProblem(a.preferredBackupWindow)],
    ["preferredMaintenanceWindow", maintenanceWindowProblem(a.preferredMaintenanceWindow, a.preferredBackupWindow)],
  ];
  for (const [field, problem] of checks)
    if (problem) problems.push(`${field} ${JSON.stringify(a[field as keyof typeof a])} ${problem}`);
  if (a.deletionProtection && !a.finalSnapshot)
    problems.push("deletionProtection needs finalSnapshot: a protected cluster keeps its data on destroy");
  if (a.deletionProtection && a.readerCount < 1)
    problems.push("deletionProtection needs readerCount >= 1: a protected cluster has a failover target");
  if (problems.length > 0) throw new Error(`AuroraServerlessCluster ${name}: ${problems.join("; ")}`);
}

/**
 * Aurora PostgreSQL Serverless v2 (R5–R7): a private, encrypted, TLS-only cluster with a
 * writer and `readerCount` readers of class db.serverless in different AZs, RDS-managed master
 * password, IAM database authentication, Performance Insights and postgresql logs exported to a
 * 30-day KMS log group that exists before the cluster does.
 */
export class AuroraServerlessCluster extends pulumi.ComponentResource {
  readonly subnetGroup: aws.rds.SubnetGroup;
  readonly parameterGroup: aws.rds.ClusterParameterGroup;
  readonly logGroup: EncryptedLogGroup;
  /** The random token of the final snapshot's identifier, with `finalSnapshot` only. */
  readonly finalSnapshotToken?: random.RandomId;
  readonly cluster: aws.rds.Cluster;
  /** The instance meant as the writer (promotion tier 0) first, then the readers. */
  readonly instances: aws.rds.ClusterInstance[];
  readonly clusterIdentifier: string;
  readonly endpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** ARN of the Secrets Manager secret RDS keeps the master credentials in (never its value). */
  readonly masterSecretArn: pulumi.Output<string>;

  constructor(name: string, args: AuroraServerlessClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:data:AuroraServerlessCluster", name, {}, opts);
    const a = {
      engineMajorVersion: args.engineMajorVersion ?? AURORA_DEFAULTS.engineMajorVersion,
      minCapacity: args.minCapacity ?? AURORA_DEFAULTS.minCapacity,
      maxCapacity: args.maxCapacity ?? AURORA_DEFAULTS.maxCapacity,
      readerCount: args.readerCount ?? AURORA_DEFAULTS.readerCount,
      databaseName: args.databaseName ?? AURORA_DEFAULTS.databaseName,
      masterUsername: args.masterUsername ?? AURORA_DEFAULTS.masterUsername,
      backupRetentionDays: args.backupRetentionDays ?? AURORA_DEFAULTS.backupRetentionDays,
      preferredBackupWindow: args.preferredBackupWindow ?? AURORA_DEFAULTS.preferredBackupWindow,
      preferredMaintenanceWindow: args.preferredMaintenanceWindow ?? AURORA_DEFAULTS.preferredMaintenanceWindow,
      performanceInsightsRetentionDays:
        args.performanceInsightsRetentionDays ?? AURORA_DEFAULTS.performanceInsightsRetentionDays,
      deletionProtection: args.deletionProtection ?? AURORA_DEFAULTS.deletionProtection,
      finalSnapshot: args.finalSnapshot ?? AURORA_DEFAULTS.finalSnapshot,
    };
    validate(name, a);
    const n = args.naming;
    this.clusterIdentifier = auroraClusterIdentifier(n);
    this.databaseName = a.databaseName;
    this.masterUsername = a.masterUsername;
    const family = parameterGroupFamily(a.engineMajorVersion);

    this.subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      {
        name: n.name("db", "dbSubnetGroup"),
        description: "Aurora PostgreSQL: private subnets only",
        subnetIds: args.subnetIds,
      },
      { parent: this },
    );

    // The family is part of the name, so moving to another major creates the new group before the old goes.
    this.parameterGroup = new aws.rds.ClusterParameterGroup(
      `${name}-params`,
      {
        name: n.name(`db-pg${a.engineMajorVersion}`, "dbParameterGroup"),
        family,
        description: `Aurora PostgreSQL ${a.engineMajorVersion}: TLS required`,
        // Dynamic in Aurora PostgreSQL, so it applies without a reboot (a static one would need pending-reboot).
        parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }],
      },
      { parent: this },
    );

    // RDS creates /aws/rds/cluster/<id>/postgresql itself, unencrypted and never expiring, when it is
    // missing; it then outlives `destroy` and makes the next deploy of this stack fail on "already exists".
    this.logGroup = new EncryptedLogGroup(
      `${name}-postgresql`,
      { name: auroraLogGroupName(this.clusterIdentifier), kmsKeyArn: args.logsKmsKeyArn },
      { parent: this },
    );

    // Created and deleted with the cluster, so every destroy names its final snapshot anew: snapshots
    // outlive the stack, and RDS refuses a final snapshot whose identifier exists.
    if (a.finalSnapshot) {
      this.finalSnapshotToken = new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, { parent: this });
    }
    const finalSnapshotId = this.finalSnapshotToken?.hex.apply((token) =>
      finalSnapshotIdentifier(this.clusterIdentifier, token),
    );

    this.cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        clusterIdentifier: this.clusterIdentifier,
        engine: aws.rds.EngineType.AuroraPostgresql,
        engineMode: aws.rds.EngineMode.Provisioned,
        // Major only: RDS resolves it to the current default minor (engineVersionActual) and the
        // provider does not diff a major-only version against a newer minor after an auto upgrade.
        engineVersion: String(a.engineMajorVersion),
        allowMajorVersionUpgrade: false,
        autoMinorVersionUpgrade: true,
        // Standard support only: Extended Support would bill per vCPU-hour once the major ages out.
        engineLifecycleSupport: "open-source-rds-extended-support-disabled",
        serverlessv2ScalingConfiguration: { minCapacity: a.minCapacity, maxCapacity: a.maxCapacity },
        databaseName: a.databaseName,
        masterUsername: a.masterUsername,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: args.kmsKeyArn,
        port: AURORA_PORT,
        dbSubnetGroupName: this.subnetGroup.name,
        vpcSecurityGroupIds: args.securityGroupIds,
        dbClusterParameterGroupName: this.parameterGroup.name,
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        iamDatabaseAuthenticationEnabled: true,
        // Aurora also has cluster-level Performance Insights (Database Insights); it must name the same
        // key as the instances, or RDS refuses instances whose key differs from the cluster's default.
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: args.kmsKeyArn,
        performanceInsightsRetentionPeriod: a.performanceInsightsRetentionDays,
        backupRetentionPeriod: a.backupRetentionDays,
        preferredBackupWindow: a.preferredBackupWindow,
        preferredMaintenanceWindow: a.preferredMaintenanceWindow,
        copyTagsToSnapshot: true,
        enabledCloudwatchLogsExports: ["postgresql"],
        // R19: a throwaway stack destroys cleanly, leaving no snapshot behind; production keeps one.
        deletionProtection: a.deletionProtection,
        skipFinalSnapshot: !a.finalSnapshot,
        finalSnapshotIdentifier: finalSnapshotId,
        // Changes take effect on `pulumi up`, not in the next maintenance window, so a second deploy shows no pending diff.
        applyImmediately: true,
      },
      { parent: this, dependsOn: [this.logGroup.logGroup] },
    );

    // Identifiers are numbered rather than called writer/reader: a failover swaps the roles, the names stay.
    // All instances are created side by side (a chain would add a whole instance creation, ~8 min, to
    // every deploy and destroy). Aurora makes whichever instance is available first the writer, so
    // after a cold deploy the writer may be any of them, in its zone; promotion tier 0 on the first
    // instance only orders failover: on a writer failure RDS promotes the lowest tier first.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html#Aurora.Managing.FaultTolerance
    const azs = pulumi.output(args.availabilityZones);
    const instance = (index: number) =>
      new aws.rds.ClusterInstance(
        index === 0 ? `${name}-writer` : `${name}-reader-${index}`,
        {
          identifier: n.name(`db-${index + 1}`, "rdsInstance"),
          clusterIdentifier: this.cluster.id,
          engine: aws.rds.EngineType.AuroraPostgresql,
          instanceClass: "db.serverless",
          availabilityZone: azs.apply((zones) => {
            if (zones.length === 0) throw new Error(`AuroraServerlessCluster ${name}: availabilityZones is empty`);
            return zones[index % zones.length];
          }),
          promotionTier: index === 0 ? 0 : 1,
          dbSubnetGroupName: this.subnetGroup.name,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: args.kmsKeyArn,
          performanceInsightsRetentionPeriod: a.performanceInsightsRetentionDays,
          copyTagsToSnapshot: true,
          applyImmediately: true,
        },
        { parent: this },
      );
    this.instances = Array.from({ length: a.readerCount + 1 }, (_, i) => instance(i));

    this.endpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.port = this.cluster.port;
    this.masterSecretArn = this.cluster.masterUserSecrets.apply((secrets) => {
      const arn = secrets?.[0]?.secretArn;
      if (!arn) throw new Error(`AuroraServerlessCluster ${name}: RDS reported no master user secret`);
      return arn;
    });
    this.registerOutputs({
      clusterIdentifier: this.clusterIdentifier,
      endpoint: this.endpoint,
      readerEndpoint: this.readerEndpoint,
      masterSecretArn: this.masterSecretArn,
    });
  }
}
