// Build step: converts the nsfwjs MobileNetV2 (tfjs layers) model to ONNX and writes
// model.onnx + model.json (the manifest the service loads) into the output directory.
// Usage: tsx apps/ml-api/scripts/build-model.ts [outDir]   (default apps/ml-api/dist/model)
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ModelManifest } from "../src/model/manifest";
import { NSFWJS_LABELS, readNsfwjsModel } from "../src/model/nsfwjs-source";
import { encodeModel } from "../src/model/onnx-proto";
import { convertLayersModel } from "../src/model/tfjs-to-onnx";

const outDir = resolve(process.argv[2] ?? join(__dirname, "..", "dist", "model"));
const src = readNsfwjsModel("mobilenet_v2");
const converted = convertLayersModel(src.json, src.weights, {
  graphName: "nsfwjs_mobilenet_v2",
  metadata: { source: `nsfwjs@${src.version} mobilenet_v2`, labels: JSON.stringify(NSFWJS_LABELS) },
});
const bytes = encodeModel(converted.model);
const sha = createHash("sha256").update(bytes).digest("hex");
const [height, width] = converted.inputShape;
const manifest: ModelManifest = {
  name: "nsfwjs-mobilenet_v2",
  version: `${src.version}+${sha.slice(0, 12)}`,
  file: "model.onnx",
  labels: [...NSFWJS_LABELS],
  input: { name: converted.inputName, layout: "NHWC", height, width, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  output: { name: converted.outputName, kind: "probabilities" },
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "model.onnx"), bytes);
writeFileSync(join(outDir, "model.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(
  JSON.stringify({
    msg: "model built",
    outDir,
    bytes: bytes.length,
    sha256: sha,
    nodes: converted.model.graph.node.length,
  }),
);
