import { decodeImage, type Pixels } from "../../src/image";
import type { InferenceResult } from "../../src/inference/pool";
import type { ModelManifest } from "../../src/model/manifest";

/** The manifest of the in-process tests: nsfwjs's five labels on a 16x16 input no real model reads. */
export const FAKE_MANIFEST: ModelManifest = {
  name: "fake",
  version: "1.0.0",
  file: "/nonexistent.onnx",
  labels: ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"],
  input: { name: "input", layout: "NHWC", height: 16, width: 16, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  output: { name: "probabilities", kind: "probabilities" },
};

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
