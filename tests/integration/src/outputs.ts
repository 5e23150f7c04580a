// The deployed stack as cfn-outputs/flat-outputs.json describes it (written by `nx run tools:flat-outputs`).
import * as fs from "node:fs";
import * as path from "node:path";

export const FLAT_OUTPUTS_FILE = path.resolve(__dirname, "..", "..", "..", "cfn-outputs", "flat-outputs.json");

/** The outputs the integration tests read (R20 and the contracts in @mlapi/core). */
export interface DeployedOutputs {
  vpcId: string;
  rdsClusterIdentifier: string;
  rdsClusterEndpoint: string;
  sessionsTableName: string;
  albDnsName: string;
  ecsClusterName: string;
  ecsServiceName: string;
  serviceLogGroupName?: string;
  cloudFrontUrl: string;
  cloudFrontDistributionId: string;
  cloudFrontLogGroupName?: string;
  [key: string]: unknown;
}

export const HOW_TO_CREATE =
  "deploy a stack (nx run-many -t deploy --stack <name>), then write the file with `nx run tools:flat-outputs --stack <name>`";

/** The outputs, or undefined (with one line saying why) when the file does not exist. */
export function loadOutputs(file = FLAT_OUTPUTS_FILE): DeployedOutputs | undefined {
  if (!fs.existsSync(file)) {
    process.stderr.write(`integration: skipped: ${path.relative(process.cwd(), file)} not found; ${HOW_TO_CREATE}.\n`);
    return undefined;
  }
  const outputs = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const required = [
    "vpcId",
    "rdsClusterIdentifier",
    "rdsClusterEndpoint",
    "sessionsTableName",
    "albDnsName",
    "ecsClusterName",
    "ecsServiceName",
    "cloudFrontUrl",
    "cloudFrontDistributionId",
  ];
  const missing = required.filter((k) => typeof outputs[k] !== "string" || outputs[k] === "");
  if (missing.length > 0)
    throw new Error(
      `${file} lacks ${missing.join(", ")}: rewrite it after deploying all four layers (${HOW_TO_CREATE}).`,
    );
  return outputs as DeployedOutputs;
}

/** The stack's region, read from the ALB's DNS name (`...<region>.elb.amazonaws.com`), else AWS_REGION. */
export function regionOf(outputs: DeployedOutputs, env: NodeJS.ProcessEnv = process.env): string {
  const fromDns = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com$/.exec(outputs.albDnsName)?.[1];
  const region = fromDns ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new Error(`Cannot tell the region: set AWS_REGION (the ALB name ${outputs.albDnsName} does not say).`);
  return region;
}
