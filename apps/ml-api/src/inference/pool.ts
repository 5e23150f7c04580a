import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { HttpError } from "../http/errors";
import type { Logger } from "../log";
import type { ModelManifest } from "../model/manifest";
import type { InferRequest, WorkerInit, WorkerMessage } from "./protocol";

export interface InferenceResult {
  scores: Float32Array;
  /** Time spent waiting for a free worker. */
  queueMs: number;
  /** Time the worker spent (tensor conversion + onnxruntime). */
  inferenceMs: number;
}

interface Job {
  id: number;
  rgb: Uint8Array;
  enqueued: number;
  resolve: (r: InferenceResult) => void;
  reject: (e: Error) => void;
}
interface Slot {
  worker: Worker;
  job?: Job;
  started?: number;
}

// Compiled: worker.js beside this file. Under tsx (dev, tests) it is worker.ts, and Node 20
// does not carry tsx's --import hooks into workers, so the worker registers tsx's CJS hook first.
const WORKER_FILE = join(__dirname, `worker${extname(__filename)}`);
const newWorker = (workerData: WorkerInit): Worker =>
  WORKER_FILE.endsWith(".ts")
    ? new Worker(`require("tsx/cjs"); require(${JSON.stringify(WORKER_FILE)});`, { eval: true, workerData })
    : new Worker(WORKER_FILE, { workerData });

/**
 * A fixed set of inference workers fed from one FIFO queue. The queue is bounded: past
 * `maxQueue` waiting jobs, `run` fails fast with 503 so latency stays bounded and the
 * autoscaler, not an ever-growing queue, absorbs the load. A worker that dies is replaced.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;

  private constructor(
    private readonly manifest: ModelManifest,
    private readonly maxQueue: number,
    private readonly log: Logger,
  ) {}

  /** Starts `size` workers and resolves once every one has loaded and warmed up the model. */
  static async start(manifest: ModelManifest, size: number, maxQueue: number, log: Logger): Promise<InferencePool> {
    const pool = new InferencePool(manifest, maxQueue, log);
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
  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }

  run(rgb: Uint8Array): Promise<InferenceResult> {
    if (this.closing) return Promise.reject(new HttpError(503, "shutting_down", "the service is shutting down"));
    if (this.queue.length >= this.maxQueue && !this.slots.some((s) => !s.job)) {
      return Promise.reject(new HttpError(503, "overloaded", "too many images waiting for inference; retry shortly", { "Retry-After": "1" }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, rgb, enqueued: performance.now(), resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; jobs still queued are rejected (callers drain first). */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new HttpError(503, "shutting_down", "the service is shutting down"));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const init: WorkerInit = { manifest: this.manifest, intraOpThreads: 1 };
    const worker = newWorker(init);
    const slot: Slot = { worker };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "ready") {
          ready = true;
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
        slot.job?.reject(new Error(`inference worker exited (code ${code})`));
        slot.job = undefined;
        if (ready && !this.closing) {
          this.log.warn("replacing inference worker", { code });
          this.spawn().catch((err: Error) => this.log.error("could not replace inference worker", { err }));
        }
      });
    });
  }

  private finish(slot: Slot, m: Extract<WorkerMessage, { type: "result" | "error" }>): void {
    const job = slot.job;
    slot.job = undefined;
    if (job && job.id === m.id) {
      if (m.type === "result") job.resolve({ scores: m.scores, queueMs: (slot.started ?? job.enqueued) - job.enqueued, inferenceMs: m.inferenceMs });
      else job.reject(new Error(`inference failed: ${m.message}`));
    }
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.started = performance.now();
      const req: InferRequest = { id: job.id, rgb: job.rgb };
      slot.worker.postMessage(req, [job.rgb.buffer as ArrayBuffer]);
    }
  }
}
