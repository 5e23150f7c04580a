// The inference pool with the real model in real worker threads: results, bounded queue.
import { InferencePool } from "../src/inference/pool";
import { createLogger } from "../src/log";
import { loadManifest } from "../src/model/manifest";
import { builtModelManifest } from "./support/services";

describe("InferencePool", () => {
  const manifest = loadManifest(builtModelManifest());
  const image = () => ({ data: new Uint8Array(224 * 224 * 3).fill(128), width: 224, height: 224 });
  let pool: InferencePool;

  beforeAll(async () => {
    pool = await InferencePool.start(manifest, 1, 1, createLogger("error"));
  });
  afterAll(() => pool.close());

  it("returns one probability per label from a worker thread", async () => {
    const { scores, inferenceMs } = await pool.run(image());
    expect(scores).toHaveLength(5);
    expect(Array.from(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(inferenceMs).toBeGreaterThan(0);
  });

  it("sheds load past MAX_QUEUE with 503 overloaded instead of queueing without bound", async () => {
    const runs = [pool.run(image()), pool.run(image()), pool.run(image())]; // 1 running, 1 queued, 1 refused
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      status: 503,
      code: "overloaded",
      headers: { "Retry-After": "1" },
    });
    expect(pool.queued).toBe(0);
  });

  it("refuses new work once closing", async () => {
    const closing = await InferencePool.start(manifest, 1, 1, createLogger("error"));
    await closing.close();
    await expect(closing.run(image())).rejects.toMatchObject({ status: 503, code: "shutting_down" });
  });
});
