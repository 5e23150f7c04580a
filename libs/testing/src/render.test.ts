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

  it("records every resource the engine waits for: explicit ones, a component's children, those behind inputs", () => {
    expect(one(r, "aws:sqs/queue:Queue", "pair-second").dependencies).toEqual(["aws:sqs/queue:Queue::pair-first"]);
    expect([...one(r, "aws:sqs/queue:Queue", "redriven").dependencies].sort()).toEqual([
      "aws:sqs/queue:Queue::kept",
      "aws:sqs/queue:Queue::pair-first",
      "aws:sqs/queue:Queue::pair-second",
    ]);
    expect(one(r, "aws:sqs/queue:Queue", "kept").dependencies).toEqual([]);
  });

  it("records protect and retainOnDelete", () => {
    expect(one(r, "aws:sqs/queue:Queue", "kept")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(r, "aws:sqs/queue:Queue", "pair-first")).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("returns stack outputs with secrets unwrapped and named", () => {
    expect(r.outputs).toEqual({
      queueUrl: one(r, "aws:sqs/queue:Queue", "pair-second").id,
      greeting: "hello",
      token: "s3cret",
    });
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
    expect([...(declared as string[])].sort()).toEqual([
      "aws:sqs/queue:Queue::kept",
      "aws:sqs/queue:Queue::pair-first",
      "aws:sqs/queue:Queue::pair-second",
      "aws:sqs/queue:Queue::redriven",
    ]);
  });

  it("ends with the first error thrown inside an apply, which Pulumi reports only as unhandled rejections", async () => {
    const render = renderProgram({
      project: "failing",
      stack: "dev",
      config: {},
      load: programLoader(path.join(__dirname, "fixtures", "failing-apply-program.ts")),
    });
    await expect(render).rejects.toThrow('Stack "organization/upstream/dev" has no output "queueName"');
  });

  describe("stack traces", () => {
    // Without tiny:greeting the program throws.
    const failedRender = async (): Promise<Error> => {
      const render = renderProgram({
        project: "tiny",
        stack: "dev",
        config: {},
        load: programLoader(path.join(__dirname, "fixtures", "tiny-program.ts")),
      });
      await expect(render).rejects.toThrow("tiny:greeting");
      return render.catch((e: Error) => e) as Promise<Error>;
    };
    afterEach(() => delete process.env.MLAPI_RENDER_STACKS);

    it("are not recorded while the program runs, and the limit is back afterwards", async () => {
      const limit = Error.stackTraceLimit;
      const error = await failedRender();
      expect(error.stack).not.toContain("    at ");
      expect(Error.stackTraceLimit).toBe(limit);
    });

    it("are recorded with MLAPI_RENDER_STACKS=1", async () => {
      process.env.MLAPI_RENDER_STACKS = "1";
      expect((await failedRender()).stack).toContain("    at ");
    });
  });
});

describe("programLoader under jest", () => {
  const load = async () =>
    (await programLoader(path.join(__dirname, "fixtures", "evaluation-probe.ts"))()) as { evaluation: symbol };

  it("evaluates the program afresh on every call, so each render declares its resources again", async () => {
    const [first, second] = [await load(), await load()];
    expect(first.evaluation).not.toBe(second.evaluation);
  });
});
