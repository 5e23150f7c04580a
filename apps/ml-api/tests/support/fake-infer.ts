import { decodeImage, type Pixels } from "../../src/image";
import type { InferenceResult } from "../../src/inference/pool";

/**
 * An in-process stand-in for the inference pool that keeps its contract: the image is decoded
 * with the worker's own decodeImage (a corrupt one rejects with its 400), and the "model" answers
 * `scores(pixels)`.
 */
export function decodingInfer(
  maxPixels: number,
  scores: (px: Pixels) => number[],
  timings: { queueMs?: number; inferenceMs?: number } = {},
): (image: Uint8Array) => Promise<InferenceResult> {
  return async (image) => {
    const px = await decodeImage(image, maxPixels);
    return {
      scores: Float32Array.from(scores(px)),
      queueMs: timings.queueMs ?? 0,
      decodeMs: 1,
      inferenceMs: timings.inferenceMs ?? 1,
      batchSize: 1,
    };
  };
}
