// GET /api/v2/models: what a client needs to interpret the scores (and to reproduce them).
import { MAX_BATCH_BYTES, MAX_BATCH_IMAGES } from "../batch";
import { ACCEPTED_TYPES, GENERIC_TYPES } from "../image";
import type { ModelManifest } from "../model/manifest";

/** The running limits a client must respect, as the server enforces them (not the documentation's defaults). */
export interface Limits {
  maxImageBytes: number;
  maxImagePixels: number;
  /** top_k's real upper bound: MAX_TOP_K capped by the label count. */
  maxTopK: number;
  /** Content-Types taken for an image (a missing one is taken too: the bytes decide). */
  acceptedTypes: string[];
  batch: { maxImages: number; maxBytes: number };
}

export function runningLimits(
  m: ModelManifest,
  l: { maxImageBytes: number; maxImagePixels: number; maxTopK: number },
): Limits {
  return {
    maxImageBytes: l.maxImageBytes,
    maxImagePixels: l.maxImagePixels,
    maxTopK: Math.min(l.maxTopK, m.labels.length),
    acceptedTypes: [...Object.keys(ACCEPTED_TYPES), ...GENERIC_TYPES],
    batch: { maxImages: MAX_BATCH_IMAGES, maxBytes: MAX_BATCH_BYTES },
  };
}

export function modelsBody(m: ModelManifest, limits: Limits): { models: unknown[]; limits: Limits } {
  const { input } = m;
  return {
    limits,
    models: [
      {
        name: m.name,
        version: m.version,
        labels: m.labels,
        output: m.output.kind === "logits" ? "probabilities (softmax of the model's logits)" : "probabilities",
        input: { width: input.width, height: input.height, channels: 3, colourOrder: "RGB", layout: input.layout },
        preprocessing: {
          decode:
            "JPEG, PNG or WebP to 8-bit sRGB; EXIF orientation applied; alpha dropped (not blended); greyscale expanded to RGB",
          resize: {
            method: "bilinear",
            alignCorners: true,
            halfPixelCenters: false,
            fit: "stretch to the input size (aspect ratio not kept, no crop, no padding)",
            equivalent: `tf.image.resizeBilinear(image, [${input.height}, ${input.width}], true)`,
            source:
              "the full-resolution image (no shrink-on-load, no area filter: bilinear samples single pixels, as nsfwjs does)",
          },
          normalisation: {
            formula: "(pixel * scale - mean[c]) / std[c]",
            scale: input.scale,
            mean: input.mean,
            std: input.std,
          },
        },
      },
    ],
  };
}
