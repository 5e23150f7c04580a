// Inference worker: owns one onnxruntime session and runs one image at a time, so the main
// thread's event loop (health checks, request parsing) never waits on a matrix multiply.
import * as ort from "onnxruntime-node";
import { parentPort, workerData } from "node:worker_threads";
import { toTensor } from "../image";
import { softmax } from "../model/manifest";
import type { InferRequest, WorkerInit, WorkerMessage } from "./protocol";

const { manifest, intraOpThreads } = workerData as WorkerInit;
if (!parentPort) throw new Error("worker.ts runs as a worker thread (see pool.ts)");
const port = parentPort;
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(manifest.file, {
    executionProviders: ["cpu"],
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const { height: h, width: w, layout } = manifest.input;
  const dims = layout === "NHWC" ? [1, h, w, 3] : [1, 3, h, w];
  const run = async (rgb: Uint8Array): Promise<Float32Array> => {
    const out = await session.run({ [manifest.input.name]: new ort.Tensor("float32", toTensor(rgb, manifest.input), dims) });
    const data = out[manifest.output.name]?.data as Float32Array | undefined;
    if (!data) throw new Error(`model has no output ${manifest.output.name}`);
    if (data.length !== manifest.labels.length) throw new Error(`model returned ${data.length} scores for ${manifest.labels.length} labels`);
    return manifest.output.kind === "logits" ? softmax(data) : Float32Array.from(data);
  };
  await run(new Uint8Array(h * w * 3)); // warm-up: the first run allocates and is several times slower
  port.on("message", (req: InferRequest) => {
    const started = performance.now();
    run(req.rgb).then(
      (scores) => send({ type: "result", id: req.id, scores, inferenceMs: performance.now() - started }, [scores.buffer as ArrayBuffer]),
      (err: Error) => send({ type: "error", id: req.id, message: err.message }),
    );
  });
  send({ type: "ready" });
}

main().catch((err: Error) => send({ type: "fatal", message: err.message }));
