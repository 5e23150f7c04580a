import type { LayerContract } from "./contract";

/** Outputs of the data layer (mlapi-data). The data layer owner may extend this contract. */
export interface DataOutputs {
  rdsClusterIdentifier: string;
  rdsClusterEndpoint: string;
  rdsClusterReaderEndpoint: string;
  rdsClusterPort: number;
  rdsDatabaseName: string;
  /** Master user name; with rdsClusterResourceId it forms the `rds-db:connect` ARN for IAM database auth. */
  rdsMasterUsername: string;
  /** `cluster-…` resource id, the scope of `arn:aws:rds-db:<region>:<account>:dbuser:<id>/<user>`. */
  rdsClusterResourceId: string;
  /** ARN of the RDS-managed master secret (never its value). */
  rdsMasterSecretArn: string;
  sessionsTableName: string;
  sessionsTableArn: string;
  /** Customer-managed key of the data stores (RDS, DynamoDB, the master secret). */
  dataKmsKeyArn: string;
  /** ARNs of the existing app secrets named in config `appSecretNames`, in that order. */
  appSecretArns: string[];
  /** Customer-managed keys those secrets are encrypted with (each once; none for the AWS-managed key). */
  appSecretKmsKeyArns: string[];
  /** The region's alarm topic (KMS-encrypted SNS); every alarm of the platform in this region notifies it. */
  alarmTopicArn: string;
}

export const DATA: LayerContract<DataOutputs> = {
  layer: "data",
  project: "mlapi-data",
  outputNames: [
    "rdsClusterIdentifier",
    "rdsClusterEndpoint",
    "rdsClusterReaderEndpoint",
    "rdsClusterPort",
    "rdsDatabaseName",
    "rdsMasterUsername",
    "rdsClusterResourceId",
    "rdsMasterSecretArn",
    "sessionsTableName",
    "sessionsTableArn",
    "dataKmsKeyArn",
    "appSecretArns",
    "appSecretKmsKeyArns",
    "alarmTopicArn",
  ],
  secretOutputNames: [],
};
