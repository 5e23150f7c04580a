import { dirname, join } from "node:path";
import type { TfjsLayersModel } from "./tfjs-to-onnx";

/** Labels of the nsfwjs models, in output order (nsfwjs/dist/cjs/nsfw_classes.js). */
export const NSFWJS_LABELS = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] as const;

export interface NsfwjsModelFiles {
  json: TfjsLayersModel;
  weights: Uint8Array;
  version: string;
  /** nsfwjs feeds pixels / 255 at 224 x 224 (dist/cjs/core.js). */
  size: number;
}

/**
 * Reads the MobileNetV2 model that the nsfwjs package ships. The package bundles its topology
 * and base64-encoded weight shards as UMD .min.js files (so browsers can import them), and its
 * "exports" map hides them, so they are required by absolute path.
 */
export function readNsfwjsModel(variant = "mobilenet_v2"): NsfwjsModelFiles {
  const root = join(dirname(require.resolve("nsfwjs")), "..", "..");
  const pkg = require(join(root, "package.json")) as { version: string };
  const dir = join(root, "dist", "models", variant);
  const unwrap = <T>(m: unknown): T => (m as { default?: T }).default ?? (m as T);
  const json = unwrap<TfjsLayersModel>(require(join(dir, "model.min.js")));
  const chunks = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => Buffer.from(unwrap<string>(require(join(dir, `${p}.min.js`))), "base64")),
  );
  return { json, weights: new Uint8Array(Buffer.concat(chunks)), version: pkg.version, size: 224 };
}
