// Reference predictions from TensorFlow.js for the converter test, on its WebAssembly backend
// (XNNPACK kernels, no native add-on): the same answers as its pure-JS CPU backend to ~1e-7, in
// 1.4 s instead of 7 s. Runs as its own process: inside jest's VM context tfjs runs ~10x slower.
// Usage: tsx tfjs-reference.ts <batch.f32> <n>   -> prints a JSON array of n*5 probabilities
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { readNsfwjsModel } from "../src/model/nsfwjs-source";

async function main(): Promise<void> {
  const [file, n] = [process.argv[2], Number(process.argv[3])];
  const bytes = readFileSync(file);
  const batch = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  await tf.setBackend("wasm");
  const src = readNsfwjsModel("mobilenet_v2");
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: src.json.modelTopology as tf.io.ModelJSON["modelTopology"],
      weightSpecs: src.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: src.weights.slice().buffer,
    }),
  );
  const out = tf.tidy(() => (model.predict(tf.tensor4d(batch, [n, 224, 224, 3])) as tf.Tensor).dataSync());
  process.stdout.write(JSON.stringify(Array.from(out)) + "\n");
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
