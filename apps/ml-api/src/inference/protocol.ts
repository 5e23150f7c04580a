import type { ModelManifest } from "../model/manifest";

/** Messages between the pool (main thread) and an inference worker. */
export interface WorkerInit {
  manifest: ModelManifest;
  /** onnxruntime intra-op threads per worker; 1 so that workers x threads = vCPUs. */
  intraOpThreads: number;
  /** Most images the worker runs through the model in one call (if the model accepts a batch). */
  maxBatch: number;
}
/**
 * Images for one model call, still encoded (JPEG, PNG or WebP bytes, transferred, not copied):
 * the worker decodes them, so only the upload crosses threads, not its full-resolution pixels.
 * `maxPixels`: the decoder's limit (the header was checked on the main thread already).
 */
export interface InferRequest {
  jobs: Array<{ id: number; image: Uint8Array; maxPixels: number }>;
}
/** Why one image of a batch was not classified (an HttpError's fields: the pool rebuilds it). */
export interface JobRefusal {
  id: number;
  status: number;
  code: string;
  message: string;
}
export type WorkerMessage =
  /** `maxBatch`: what the model accepts (1 when its batch dimension is fixed). */
  | { type: "ready"; maxBatch: number }
  | { type: "fatal"; message: string }
  /**
   * `ids`: the jobs classified, in order, one row of label scores each in `scores`; `refused`: the
   * jobs whose image did not decode. `decodeMs`: the batch's decode; `inferenceMs`: tensor + model.
   */
  | {
      type: "result";
      ids: number[];
      scores: Float32Array;
      refused: JobRefusal[];
      decodeMs: number;
      inferenceMs: number;
    }
  /** The model call failed: every job of the batch fails, except `refused` ones (which keep their own error). */
  | { type: "error"; message: string; refused: JobRefusal[] };
