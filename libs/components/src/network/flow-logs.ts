import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";
import { awsAccount, EncryptedLogGroup } from "../logging";
import { permissionsBoundaryArn } from "../bootstrap/workload-boundary";

export interface FlowLogsArgs {
  naming: Naming;
  vpcId: pulumi.Input<string>;
  /** CloudWatch log group name; must be one the key admits. */
  logGroupName: string;
  /** Key for the log group (see LogsKey). */
  kmsKeyArn: pulumi.Input<string>;
  /** ACCEPT, REJECT or ALL. @default "ALL" */
  trafficType?: "ACCEPT" | "REJECT" | "ALL";
  /**
   * Name of the customer managed policy the delivery role carries as permissions boundary (the
   * layer's `permissionsBoundary` config: the bootstrap's `mlapi-workload-boundary`); undefined for none.
   */
  permissionsBoundaryName?: string;
}

/** VPC flow logs to an encrypted 30-day log group, delivered by a role only the flow-logs service can assume (R4). */
export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroup: EncryptedLogGroup;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly flowLog: aws.ec2.FlowLog;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:network:FlowLogs", name, {}, opts);
    const { accountId, region, partition } = awsAccount(this);

    this.logGroup = new EncryptedLogGroup(
      `${name}`,
      { name: args.logGroupName, kmsKeyArn: args.kmsKeyArn },
      { parent: this },
    );

    // --- delivery role: vpc-flow-logs only, for this account's flow logs (confused-deputy guard) ---
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.naming.name("flow-logs", "iamRole"),
        permissionsBoundary: permissionsBoundaryArn({ accountId, partition }, args.permissionsBoundaryName),
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: {
                  "aws:SourceArn": pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`,
                },
              },
            },
          ],
        }),
      },
      { parent: this },
    );
    this.rolePolicy = new aws.iam.RolePolicy(
      `${name}-write`,
      {
        role: this.role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "WriteThisLogGroupOnly",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [this.logGroup.arn, pulumi.interpolate`${this.logGroup.arn}:*`],
            },
          ],
        }),
      },
      { parent: this },
    );

    this.flowLog = new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: args.vpcId,
        trafficType: args.trafficType ?? "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: this.logGroup.arn,
        iamRoleArn: this.role.arn,
        maxAggregationInterval: 60,
        tags: { Name: args.naming.name("flow-logs") },
      },
      // Created before the role may write, a flow log sits in "access error" and delivers nothing.
      { parent: this, dependsOn: [this.rolePolicy] },
    );
    this.registerOutputs({ logGroupName: this.logGroup.name });
  }
}
