// Upstream outputs the service layer reads (libs/testing's fixtures), with the network's app port moved.
import type { NetworkOutputs } from "@mlapi/core";
import { DATA_FIXTURE_ARNS, dataOutputs, FIXTURE_REGION, MOCK_ACCOUNT_ID, NETWORK_OUTPUTS } from "@mlapi/testing";

export const REGION = FIXTURE_REGION;
/** A release built elsewhere (config `image`), instead of the image the layer builds from apps/ml-api. */
export const PREBUILT_IMAGE = `${MOCK_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/mlapi-releases:1.4.2`;
export const TABLE_ARN = DATA_FIXTURE_ARNS.table;
export const DATA_KEY_ARN = DATA_FIXTURE_ARNS.dataKey;
export const MASTER_SECRET_ARN = DATA_FIXTURE_ARNS.masterSecret;
export const APP_SECRET_KEY_ARN = DATA_FIXTURE_ARNS.appSecretKey;
export const APP_SECRET_ARN = DATA_FIXTURE_ARNS.appSecret;
export { dataOutputs };

/** The network's app port differs from the 8080 default, so a test proves the container follows the network. */
export const APP_PORT = 8081;
export const networkOutputs = (): NetworkOutputs => ({ ...NETWORK_OUTPUTS, appPort: APP_PORT });

/** StackReference answers keyed as the program names its upstream stacks. */
export const upstream = (stack: string) => ({
  [`organization/mlapi-network/${stack}`]: networkOutputs() as unknown as Record<string, unknown>,
  [`organization/mlapi-data/${stack}`]: dataOutputs(stack) as unknown as Record<string, unknown>,
});
