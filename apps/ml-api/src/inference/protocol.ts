import type { Pixels } from "../image";
import type { ModelManifest } from "../model/manifest";

/** Messages between the pool (main thread) and an inference worker. */
export interface WorkerInit {
  manifest: ModelManifest;
  /** onnxruntime intra-op threads per worker; 1 so that workers x threads = vCPUs. */
  intraOpThreads: number;
  /** Most images the worker runs through the model in one call (if the model accepts a batch). */
  maxBatch: number;
}
/** Images for one model call; their pixel buffers are transferred, not copied. */
export interface InferRequest {
  jobs: Array<{ id: number; pixels: Pixels }>;
}
export type WorkerMessage =
  /** `maxBatch`: what the model accepts (1 when its batch dimension is fixed). */
  | { type: "ready"; maxBatch: number }
  | { type: "fatal"; message: string }
  /** `scores`: one row of label scores per job, in order. `inferenceMs`: the whole batch (tensor + model). */
  | { type: "result"; ids: number[]; scores: Float32Array; inferenceMs: number }
  | { type: "error"; ids: number[]; message: string };
