import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
// The workers decode with sharp. Loaded by the main thread first, as sharp asks on glibc Linux:
// its shared libraries then stay loaded until every thread is done with them.
import "sharp";
import { OVERLOADED } from "../http/admission";
import { HttpError } from "../http/errors";
import type { Logger } from "../log";
import type { ModelManifest } from "../model/manifest";
import type { InferRequest, WorkerInit, WorkerMessage } from "./protocol";

export interface InferenceResult {
  scores: Float32Array;
  /** Time spent waiting for a free worker. */
  queueMs: number;
  /** Time the worker spent decoding the batch this image was part of (its images in parallel). */
  decodeMs: number;
  /** Time the worker spent on that batch after the decode (resize + tensor + onnxruntime). */
  inferenceMs: number;
  /** Images in that batch. */
  batchSize: number;
}

interface Job {
  id: number;
  image: Uint8Array;
  maxPixels: number;
  enqueued: number;
  resolve: (r: InferenceResult) => void;
  reject: (e: Error) => void;
}
interface Slot {
  worker: Worker;
  /** What the worker's model accepts in one call. */
  maxBatch: number;
  jobs: Job[];
  started: number;
}

/** Default most images per model call (WorkerInit.maxBatch). */
export const DEFAULT_MAX_BATCH = 8;

// Compiled: worker.js beside this file. Under tsx (dev, tests) it is worker.ts, and Node 20
// does not carry tsx's --import hooks into workers, so the worker registers tsx's CJS hook first.
const WORKER_FILE = join(__dirname, `worker${extname(__filename)}`);
const newWorker = (workerData: WorkerInit): Worker =>
  WORKER_FILE.endsWith(".ts")
    ? new Worker(`require("tsx/cjs"); require(${JSON.stringify(WORKER_FILE)});`, { eval: true, workerData })
    : new Worker(WORKER_FILE, { workerData });

/**
 * A fixed set of inference workers fed from one FIFO queue. A worker that becomes free takes
 * every waiting image up to its batch size (micro-batching that never waits for a batch to fill:
 * under light load a batch is one image). The queue is bounded: past `maxQueue` waiting jobs,
 * `run` fails fast with 503 so latency stays bounded and the autoscaler, not an ever-growing
 * queue, absorbs the load. A worker that dies is replaced.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  private busyMsDone = 0;

  private constructor(
    private readonly manifest: ModelManifest,
    private readonly maxQueue: number,
    private readonly log: Logger,
    private readonly maxBatch: number,
  ) {}

  /** Starts `size` workers and resolves once every one has loaded and warmed up the model. */
  static async start(
    manifest: ModelManifest,
    size: number,
    maxQueue: number,
    log: Logger,
    maxBatch = DEFAULT_MAX_BATCH,
  ): Promise<InferencePool> {
    const pool = new InferencePool(manifest, maxQueue, log, maxBatch);
    try {
      await Promise.all(Array.from({ length: size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }
  get queued(): number {
    return this.queue.length;
  }
  /** Worker-milliseconds spent on batches so far (in-progress ones included): utilisation = its rate / size. */
  get busyMs(): number {
    const now = performance.now();
    return this.busyMsDone + this.slots.reduce((sum, s) => sum + (s.jobs.length ? now - s.started : 0), 0);
  }
  get busy(): number {
    return this.slots.filter((s) => s.jobs.length).length;
  }

  /**
   * Classifies an encoded image (JPEG, PNG or WebP whose header the caller has checked) of at most
   * `maxPixels`. The worker decodes it; an image that does not decode is refused with the decoder's
   * HttpError (400 invalid_image). The bytes are copied, so the caller's buffer stays usable.
   */
  run(image: Uint8Array, maxPixels: number): Promise<InferenceResult> {
    if (this.closing) return Promise.reject(new HttpError(503, "shutting_down", "the service is shutting down"));
    if (this.queue.length >= this.maxQueue && !this.slots.some((s) => !s.jobs.length)) {
      return Promise.reject(
        new HttpError(503, OVERLOADED, "too many images waiting for inference; retry shortly", {
          "Retry-After": "1",
        }),
      );
    }
    return new Promise((resolve, reject) => {
      // A copy of just these bytes in an ArrayBuffer of their own, transferred below: `image` may be a
      // view of a larger buffer (a part of a multipart body, Node's shared pool of small Buffers),
      // which postMessage would clone whole or refuse to transfer. (Buffer#slice would not copy.)
      const own = new Uint8Array(image);
      this.queue.push({ id: this.nextId++, image: own, maxPixels, enqueued: performance.now(), resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; jobs still queued are rejected (callers drain first). */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0))
      job.reject(new HttpError(503, "shutting_down", "the service is shutting down"));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const init: WorkerInit = { manifest: this.manifest, intraOpThreads: 1, maxBatch: this.maxBatch };
    const worker = newWorker(init);
    const slot: Slot = { worker, maxBatch: 1, jobs: [], started: 0 };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "ready") {
          ready = true;
          slot.maxBatch = m.maxBatch;
          this.slots.push(slot);
          resolve();
          this.dispatch();
        } else if (m.type === "fatal") {
          reject(new Error(`inference worker failed to start: ${m.message}`));
          void worker.terminate();
        } else this.finish(slot, m);
      });
      worker.on("error", (err) => {
        if (!ready) reject(err);
        this.log.error("inference worker crashed", { err });
      });
      worker.on("exit", (code) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        for (const job of slot.jobs.splice(0)) job.reject(new Error(`inference worker exited (code ${code})`));
        if (ready && !this.closing) {
          this.log.warn("replacing inference worker", { code });
          this.spawn().catch((err: Error) => this.log.error("could not replace inference worker", { err }));
        }
      });
    });
  }

  private finish(slot: Slot, m: Extract<WorkerMessage, { type: "result" | "error" }>): void {
    const jobs = slot.jobs.splice(0);
    this.busyMsDone += performance.now() - slot.started;
    const labels = this.manifest.labels.length;
    const refused = new Map(m.refused.map((r) => [r.id, r]));
    let row = 0; // the classified jobs' rows of scores follow the batch's order
    for (const job of jobs) {
      const r = refused.get(job.id);
      if (r) job.reject(new HttpError(r.status, r.code, r.message));
      else if (m.type === "error") job.reject(new Error(`inference failed: ${m.message}`));
      else if (m.ids[row] !== job.id) job.reject(new Error("inference worker answered out of order"));
      else {
        const scores = m.scores.slice(row * labels, (row + 1) * labels);
        row++;
        job.resolve({
          scores,
          queueMs: slot.started - job.enqueued,
          decodeMs: m.decodeMs,
          inferenceMs: m.inferenceMs,
          batchSize: jobs.length,
        });
      }
    }
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.jobs.length) continue;
      if (!this.queue.length) return;
      slot.jobs = this.queue.splice(0, slot.maxBatch);
      slot.started = performance.now();
      const req: InferRequest = {
        jobs: slot.jobs.map((j) => ({ id: j.id, image: j.image, maxPixels: j.maxPixels })),
      };
      slot.worker.postMessage(
        req,
        slot.jobs.map((j) => j.image.buffer as ArrayBuffer),
      );
    }
  }
}
