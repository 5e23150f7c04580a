import { one, renderProgram } from "@mlapi/testing";
import { CLOUDFRONT_REGION, cloudFrontRegionProvider } from "./cloudfront-region";

const render = (config: Record<string, unknown>) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "ap-southeast-2", ...config },
    load: async () => {
      cloudFrontRegionProvider("cf");
      return {};
    },
  });

describe("cloudFrontRegionProvider", () => {
  it("is us-east-1 whatever the stack's region", async () => {
    expect(CLOUDFRONT_REGION).toBe("us-east-1");
    expect(one(await render({}), "pulumi:providers:aws", "cf").inputs.region).toBe("us-east-1");
  });

  it("passes the stack's aws:profile on, which an explicit provider would not read by itself", async () => {
    expect(one(await render({ "aws:profile": "platform" }), "pulumi:providers:aws", "cf").inputs.profile).toBe("platform");
  });
});
