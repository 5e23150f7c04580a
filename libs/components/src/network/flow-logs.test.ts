import { Naming } from "@mlapi/core";
import { one, ref, renderProgram } from "@mlapi/testing";
import { FlowLogs } from "./flow-logs";

describe("FlowLogs", () => {
  it("creates the flow log only after its role may write to the group, so it never starts in access error", async () => {
    const r = await renderProgram({
      project: "mlapi-test",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: async () => {
        new FlowLogs("flow", {
          naming: new Naming("dev"),
          vpcId: "vpc-0abc",
          logGroupName: "/mlapi/vpc-flow-logs-dev",
          kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555",
        });
        return {};
      },
    });
    const policy = one(r, "aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toBe(one(r, "aws:iam/role:Role").state.id);
    expect(one(r, "aws:ec2/flowLog:FlowLog").dependsOn).toEqual([ref(policy)]);
  });
});
