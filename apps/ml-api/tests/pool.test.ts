// The inference pool with the real model in real worker threads: the worker decodes the upload,
// results, refusals of corrupt images, bounded queue, worker replacement.
import type { Worker } from "node:worker_threads";
import { InferencePool } from "../src/inference/pool";
import { createLogger } from "../src/log";
import { loadManifest } from "../src/model/manifest";
import { photoLike, solid } from "./support/images";
import { builtModelManifest } from "./support/services";

const MAX_PIXELS = 25_000_000;

describe("InferencePool", () => {
  const manifest = loadManifest(builtModelManifest());
  let png: Buffer;
  let corrupt: Buffer;
  let pool: InferencePool;

  beforeAll(async () => {
    png = await solid(224, 224, [128, 128, 128]);
    // a JPEG whose header is intact and whose second half is gone: the decoder, not the header, refuses it
    const jpeg = await photoLike(1, 320, 240);
    corrupt = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    pool = await InferencePool.start(manifest, 1, 1, createLogger("error"));
  });
  afterAll(() => pool.close());

  it("decodes an encoded image in the worker and returns one probability per label", async () => {
    const { scores, decodeMs, inferenceMs } = await pool.run(png, MAX_PIXELS);
    expect(scores).toHaveLength(5);
    expect(Array.from(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(decodeMs).toBeGreaterThan(0);
    expect(inferenceMs).toBeGreaterThan(0);
  });

  it("leaves the caller's buffer usable (the bytes sent to the worker are a copy)", async () => {
    const body = Buffer.from(png);
    await pool.run(body, MAX_PIXELS);
    expect(body.equals(png)).toBe(true);
  });

  it("refuses a corrupt image with 400 invalid_image and still classifies the images batched with it", async () => {
    const wide = await InferencePool.start(manifest, 1, 10, createLogger("error"));
    try {
      // the first goes alone to the free worker; the next two wait and go together as one batch
      const settled = await Promise.allSettled([
        wide.run(png, MAX_PIXELS),
        wide.run(corrupt, MAX_PIXELS),
        wide.run(png, MAX_PIXELS),
      ]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ status: 400, code: "invalid_image" });
      const [alone, , batched] = settled as Array<PromiseFulfilledResult<{ scores: Float32Array; batchSize: number }>>;
      expect(batched.value.batchSize).toBe(2);
      expect(Array.from(batched.value.scores)).toEqual(Array.from(alone.value.scores));
    } finally {
      await wide.close();
    }
  });

  it("enforces the pixel limit while decoding in the worker too (defence in depth behind inspectImage)", async () => {
    await expect(pool.run(png, 224 * 223)).rejects.toMatchObject({ status: 400, code: "invalid_image" });
  });

  it("sheds load past MAX_QUEUE with 503 overloaded instead of queueing without bound", async () => {
    const runs = [pool.run(png, MAX_PIXELS), pool.run(png, MAX_PIXELS), pool.run(png, MAX_PIXELS)]; // 1 running, 1 queued, 1 refused
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      status: 503,
      code: "overloaded",
      headers: { "Retry-After": "1" },
    });
    expect(pool.queued).toBe(0);
  });

  it("fails the jobs of a worker that dies and replaces the worker", async () => {
    const dying = await InferencePool.start(
      manifest,
      1,
      10,
      createLogger("error", () => undefined),
    );
    try {
      const running = dying.run(png, MAX_PIXELS);
      // no public way to kill a worker: reach the one the pool started, as a crash would end it
      const [slot] = (dying as unknown as { slots: Array<{ worker: Worker }> }).slots;
      await slot.worker.terminate();
      await expect(running).rejects.toThrow(/inference worker exited/);
      // a replacement loads the model; then the pool works again
      const deadline = Date.now() + 60_000;
      while (dying.size < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(dying.size).toBe(1);
      await expect(dying.run(png, MAX_PIXELS)).resolves.toMatchObject({ batchSize: 1 });
    } finally {
      await dying.close();
    }
  }, 90_000);

  it("refuses new work once closing", async () => {
    const closing = await InferencePool.start(manifest, 1, 1, createLogger("error"));
    await closing.close();
    await expect(closing.run(png, MAX_PIXELS)).rejects.toMatchObject({ status: 503, code: "shutting_down" });
  });
});
