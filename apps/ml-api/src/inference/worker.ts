// Inference worker: owns one onnxruntime session, so the main thread's event loop (health checks,
// request parsing) never waits on a matrix multiply. It decodes the images it is sent (sharp, on
// libuv's thread pool), resizes and normalises them straight from the decoder's buffer (toTensor)
// and runs them through the model together: one call for every image that was waiting when the
// worker became free (dynamic micro-batching, no added wait).
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { parentPort, workerData } from "node:worker_threads";
import { HttpError } from "../http/errors";
import { decodeImage, toTensor, type Pixels } from "../image";
import { softmax } from "../model/manifest";
import type { InferRequest, JobRefusal, WorkerInit, WorkerMessage } from "./protocol";

const { manifest, intraOpThreads, maxBatch } = workerData as WorkerInit;
if (!parentPort) throw new Error("worker.ts runs as a worker thread (see pool.ts)");
const port = parentPort;
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
// libvips' settings are per process; main.ts sets the same. Repeated here so that a pool started
// without main.ts (tests, scripts) decodes the same way: one libvips thread per image, no cache.
sharp.concurrency(1);
sharp.cache(false);

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(manifest.file, {
    executionProviders: ["cpu"],
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const { height: h, width: w, layout } = manifest.input;
  const size = h * w * 3;
  const labels = manifest.labels.length;
  // One input buffer for the worker's life: a batch is written into a view of it (no 600 kB
  // allocation per image; the pool sends the next batch only after this one's answer).
  const input = new Float32Array(Math.max(2, maxBatch) * size);
  const run = async (images: Pixels[]): Promise<Float32Array> => {
    const n = images.length;
    const batch = input.subarray(0, n * size);
    images.forEach((px, i) => toTensor(px, manifest.input, batch, i * size));
    const dims = layout === "NHWC" ? [n, h, w, 3] : [n, 3, h, w];
    const out = await session.run({ [manifest.input.name]: new ort.Tensor("float32", batch, dims) });
    const data = out[manifest.output.name]?.data as Float32Array | undefined;
    if (!data) throw new Error(`model has no output ${manifest.output.name}`);
    if (data.length !== n * labels) throw new Error(`model returned ${data.length} scores for ${n} x ${labels} labels`);
    if (manifest.output.kind === "probabilities") return Float32Array.from(data);
    const scores = new Float32Array(n * labels);
    for (let i = 0; i < n; i++) scores.set(softmax(data.subarray(i * labels, (i + 1) * labels)), i * labels);
    return scores;
  };
  const blank: Pixels = { data: new Uint8Array(size), width: w, height: h };
  // warm-up: the first run allocates and is several times slower; a model whose batch dimension
  // is fixed at 1 refuses two images, and then gets one at a time
  let accepted = 1;
  if (maxBatch > 1)
    accepted = await run([blank, blank]).then(
      () => maxBatch,
      () => 1,
    );
  await run([blank]);

  // Decodes every image of the batch (a corrupt one is refused on its own: the rest are still
  // classified), then runs the decoded ones through the model in one call.
  const classify = async (req: InferRequest): Promise<void> => {
    const started = performance.now();
    const decoded = await Promise.all(
      req.jobs.map(({ id, image, maxPixels }) =>
        decodeImage(image, maxPixels).then(
          (px) => ({ id, px }),
          (err: unknown): JobRefusal => {
            const e =
              err instanceof HttpError ? err : new HttpError(400, "invalid_image", "image could not be decoded");
            return { id, status: e.status, code: e.code, message: e.message };
          },
        ),
      ),
    );
    const ok = decoded.filter((d): d is { id: number; px: Pixels } => "px" in d);
    const refused = decoded.filter((d): d is JobRefusal => "status" in d);
    const decodeMs = performance.now() - started;
    const ids = ok.map((d) => d.id);
    try {
      const scores = ok.length ? await run(ok.map((d) => d.px)) : new Float32Array(0);
      const inferenceMs = performance.now() - started - decodeMs;
      send({ type: "result", ids, scores, refused, decodeMs, inferenceMs }, [scores.buffer as ArrayBuffer]);
    } catch (err) {
      send({ type: "error", message: (err as Error).message, refused });
    }
  };
  port.on("message", (req: InferRequest) => void classify(req));
  send({ type: "ready", maxBatch: accepted });
}

main().catch((err: Error) => send({ type: "fatal", message: err.message }));
