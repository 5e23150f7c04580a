// The model's own limit, for the benchmark: onnxruntime-node in this process, batch 1, one
// intra-op thread (as an inference worker runs it), back to back for a fixed time.
// Usage: tsx raw-model.ts <model.json> <seconds> [batch]  -> prints {"inferencesPerSecond": n, ...}
// `batch` (default 1) runs that many images per call and counts images: whether the workers'
// micro-batching pays on a CPU (taskset -c 0 ... 4 against 1).
import * as ort from "onnxruntime-node";
import { loadManifest } from "../src/model/manifest";

async function main(): Promise<void> {
  const manifest = loadManifest(process.argv[2]);
  const seconds = Number(process.argv[3] ?? 10);
  const batch = Number(process.argv[4] ?? 1);
  const session = await ort.InferenceSession.create(manifest.file, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const { height: h, width: w, layout } = manifest.input;
  const data = new Float32Array(batch * h * w * 3).map((_, i) => (i % 251) / 255);
  const feeds = {
    [manifest.input.name]: new ort.Tensor("float32", data, layout === "NHWC" ? [batch, h, w, 3] : [batch, 3, h, w]),
  };
  const runFor = async (ms: number) => {
    let n = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (performance.now() - t0 < ms) {
      await session.run(feeds);
      n += batch;
    }
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: n / ((performance.now() - t0) / 1000), cpuMsEach: (cpu.user + cpu.system) / 1000 / n };
  };
  await runFor(1000); // warm-up
  const { perSecond, cpuMsEach } = await runFor(seconds * 1000);
  // CPU time per inference: what the limit would be on an idle core (1000 / cpuMsEach), whatever else shares it
  process.stdout.write(
    JSON.stringify({
      inferencesPerSecond: Math.round(perSecond * 10) / 10,
      cpuMsPerInference: Math.round(cpuMsEach * 100) / 100,
      seconds,
      batch,
    }) + "\n",
  );
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
