import type { ModelManifest } from "../model/manifest";

/** Messages between the pool (main thread) and an inference worker. */
export interface WorkerInit {
  manifest: ModelManifest;
  /** onnxruntime intra-op threads per worker; 1 so that workers x threads = vCPUs. */
  intraOpThreads: number;
}
export interface InferRequest {
  id: number;
  /** RGB bytes, HWC, already resized to the model's input size (transferred, not copied). */
  rgb: Uint8Array;
}
export type WorkerMessage =
  | { type: "ready" }
  | { type: "fatal"; message: string }
  | { type: "result"; id: number; scores: Float32Array; inferenceMs: number }
  | { type: "error"; id: number; message: string };
