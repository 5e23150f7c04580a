import { Naming } from "@mlapi/core";
import { ofType, renderProgram } from "@mlapi/testing";
import type { ErrorPagesBucketArgs } from "./error-pages-bucket";
import { ErrorPagesBucket } from "./error-pages-bucket";

const render = (args: Partial<ErrorPagesBucketArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "eu-central-1" },
    load: async () => {
      const b = new ErrorPagesBucket("errors", {
        naming: new Naming("dev"),
        documents: [{ statusCode: 404, file: __filename }],
        ...args,
      });
      return { bucketName: b.bucketName, pagePaths: b.pagePaths };
    },
  });

describe("ErrorPagesBucket", () => {
  it("names the bucket after account, region and suffix, and serves documents under the key prefix", async () => {
    const r = await render({ keyPrefix: "e", contentType: "text/html" });
    expect(r.outputs).toEqual({
      bucketName: "mlapi-errors-123456789012-eu-central-1-dev",
      pagePaths: { 404: "/e/404.json" },
    });
    expect(ofType(r, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => [o.inputs.key, o.inputs.contentType])).toEqual([
      ["e/404.json", "text/html"],
    ]);
  });

  it("stores the documents no-store by default, like every API answer", async () => {
    const r = await render();
    expect(ofType(r, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.cacheControl)).toEqual(["no-store"]);
  });

  it("refuses two documents for one status code", async () => {
    await expect(
      render({
        documents: [
          { statusCode: 404, file: __filename },
          { statusCode: 404, file: __filename },
        ],
      }),
    ).rejects.toThrow("ErrorPagesBucket errors: one document per status code, got 404, 404");
  });
});
