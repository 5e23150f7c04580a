// Upstream outputs the service layer reads, shaped like the network and data layers export them.
import type { DataOutputs, NetworkOutputs } from "@mlapi/core";
import { MOCK_ACCOUNT_ID } from "@mlapi/testing";

export const REGION = "us-east-1";
/** A release built elsewhere (config `image`), instead of the image the layer builds from apps/ml-api. */
export const PREBUILT_IMAGE = `${MOCK_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/mlapi-releases:1.4.2`;
export const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${MOCK_ACCOUNT_ID}:table/mlapi-sessions-dev`;
export const DATA_KEY_ARN = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/11111111-2222-4333-a444-555555555555`;
export const MASTER_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:rds!cluster-abc-123456`;
/** An app secret under a key of its own (not the data key): the execution role must decrypt it too. */
export const APP_SECRET_KEY_ARN = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/99999999-8888-4777-a666-555555555555`;
export const APP_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:mlapi/dev/model-api-key-AbC123`;

/** The network's app port differs from the 8080 default, so a test proves the container follows the network. */
export const APP_PORT = 8081;
export const networkOutputs = (): NetworkOutputs => ({
  vpcId: "vpc-0abc",
  vpcCidr: "10.0.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
  privateSubnetIds: ["subnet-priv-a", "subnet-priv-b", "subnet-priv-c"],
  privateRouteTableIds: ["rtb-a", "rtb-b", "rtb-c"],
  albSecurityGroupId: "sg-alb",
  appSecurityGroupId: "sg-app",
  dbSecurityGroupId: "sg-db",
  appPort: APP_PORT,
  natGatewayCount: 1,
});

export const dataOutputs = (stack: string): DataOutputs => ({
  rdsClusterIdentifier: `mlapi-db-${stack}`,
  rdsClusterEndpoint: `mlapi-db-${stack}.cluster-abc.${REGION}.rds.amazonaws.com`,
  rdsClusterReaderEndpoint: `mlapi-db-${stack}.cluster-ro-abc.${REGION}.rds.amazonaws.com`,
  rdsClusterPort: 5432,
  rdsDatabaseName: "mlapi",
  rdsMasterUsername: "mlapi_admin",
  rdsClusterResourceId: "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  rdsMasterSecretArn: MASTER_SECRET_ARN,
  sessionsTableName: `mlapi-sessions-${stack}`,
  sessionsTableArn: TABLE_ARN,
  dataKmsKeyArn: DATA_KEY_ARN,
  appSecretArns: [APP_SECRET_ARN],
  appSecretKmsKeyArns: [APP_SECRET_KEY_ARN],
  alarmTopicArn: `arn:aws:sns:${REGION}:${MOCK_ACCOUNT_ID}:mlapi-alarms-${stack}`,
});

/** StackReference answers keyed as the program names its upstream stacks. */
export const upstream = (stack: string) => ({
  [`organization/mlapi-network/${stack}`]: networkOutputs() as unknown as Record<string, unknown>,
  [`organization/mlapi-data/${stack}`]: dataOutputs(stack) as unknown as Record<string, unknown>,
});

