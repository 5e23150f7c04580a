import { one, renderProgram } from "@mlapi/testing";
import type { CloudFrontAccessLogsArgs } from "./cloudfront-access-logs";
import { CloudFrontAccessLogs } from "./cloudfront-access-logs";

const render = (args: Partial<CloudFrontAccessLogsArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      new CloudFrontAccessLogs("logs", {
        distributionArn: "arn:aws:cloudfront::123456789012:distribution/E2ABCDEFGHIJKL",
        deliveryName: "mlapi-cloudfront-access-dev",
        logGroupName: "/aws/vendedlogs/mlapi/cloudfront-access-dev",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555",
        ...args,
      });
      return {};
    },
  });

describe("CloudFrontAccessLogs", () => {
  it("delivers into a /aws/vendedlogs/ group, which shares the account's one resource policy entry", async () => {
    const r = await render();
    const group = one(r, "aws:cloudwatch/logGroup:LogGroup");
    expect(group.inputs).toMatchObject({ name: "/aws/vendedlogs/mlapi/cloudfront-access-dev", retentionInDays: 30 });
    expect(one(r, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination").inputs).toMatchObject({
      deliveryDestinationConfiguration: { destinationResourceArn: group.state.arn },
    });
  });

  it("refuses a group outside /aws/vendedlogs/", async () => {
    await expect(render({ logGroupName: "/mlapi/cloudfront-access-dev" })).rejects.toThrow(
      'CloudFrontAccessLogs logs: the log group must be named /aws/vendedlogs/… (one shared resource policy entry), got "/mlapi/cloudfront-access-dev"',
    );
  });
});
