// GET /api/v2/models: what a client needs to interpret the scores (and to reproduce them).
import type { ModelManifest } from "../model/manifest";

export function modelsBody(m: ModelManifest): { models: unknown[] } {
  const { input } = m;
  return {
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
