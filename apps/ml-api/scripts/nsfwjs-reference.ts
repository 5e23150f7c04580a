// nsfwjs itself, for the fidelity test: its own load() and infer() (which divide by 255 and
// resize with tf.image.resizeBilinear(…, alignCorners = true)) through TensorFlow.js on its
// WebAssembly backend. Runs as its own process: inside jest's VM context tfjs runs ~10x slower.
// Usage: tsx nsfwjs-reference.ts <dir>  where <dir>/index.json lists [{ file, width, height }] of
// full-resolution 8-bit RGB files  -> prints a JSON array with one array of 5 probabilities per image
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import * as nsfwjs from "nsfwjs";

async function main(): Promise<void> {
  const dir = process.argv[2];
  const images = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Array<{
    file: string;
    width: number;
    height: number;
  }>;
  await tf.setBackend("wasm");
  const model = await nsfwjs.load("MobileNetV2");
  const out: number[][] = [];
  for (const img of images) {
    const rgb = readFileSync(join(dir, img.file));
    const scores = tf.tidy(() =>
      (model.infer(tf.tensor3d(rgb, [img.height, img.width, 3], "int32")) as tf.Tensor).dataSync(),
    );
    out.push(Array.from(scores));
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
