import * as path from "node:path";
import { programLoader } from "./load";
import { one } from "./query";
import type { RenderResult } from "./render";
import { renderProgram } from "./render";

describe("renderProgram", () => {
  let r: RenderResult;
  beforeAll(async () => {
    r = await renderProgram({
      project: "tiny",
      stack: "dev",
      config: { "aws:region": "us-east-1", "tiny:greeting": "hello" },
      load: programLoader(path.join(__dirname, "fixtures", "tiny-program.ts")),
    });
  });

  it("records each resource's parent and explicit dependencies as type::name", () => {
    const second = one(r, "aws:sqs/queue:Queue", "pair-second");
    expect(second.parent).toBe("test:index:Pair::pair");
    expect(second.dependsOn).toEqual(["aws:sqs/queue:Queue::pair-first"]);
    expect(one(r, "aws:sqs/queue:Queue", "pair-first").dependsOn).toEqual([]);
  });

  it("records protect and retainOnDelete", () => {
    expect(one(r, "aws:sqs/queue:Queue", "kept")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(r, "aws:sqs/queue:Queue", "pair-first")).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("returns stack outputs with secrets unwrapped and named", () => {
    expect(r.outputs).toEqual({ queueUrl: one(r, "aws:sqs/queue:Queue", "pair-second").id, greeting: "hello", token: "s3cret" });
    expect(r.secretOutputNames).toEqual(["token"]);
  });

  it("rejects with the program's own error, listing what was declared before it", async () => {
    const failure = renderProgram({
      project: "tiny",
      stack: "dev",
      config: { "aws:region": "us-east-1" },
      load: programLoader(path.join(__dirname, "fixtures", "tiny-program.ts")),
    });
    await expect(failure).rejects.toThrow("Missing required configuration variable 'tiny:greeting'");
    const declared = await failure.catch((e: { declaredAwsResources: string[] }) => e.declaredAwsResources);
    // Registration is asynchronous, so the order is not the declaration order.
    expect([...(declared as string[])].sort()).toEqual(["aws:sqs/queue:Queue::kept", "aws:sqs/queue:Queue::pair-first", "aws:sqs/queue:Queue::pair-second"]);
  });
});
