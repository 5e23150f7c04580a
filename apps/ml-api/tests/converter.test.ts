// The tfjs-layers -> ONNX converter, verified against TensorFlow.js itself on generated images.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeImage, toTensor } from "../src/image";
import { NSFWJS_LABELS, readNsfwjsModel } from "../src/model/nsfwjs-source";
import { decodeModel, encodeModel } from "../src/model/onnx-proto";
import { convertLayersModel, decodeWeights, type TfjsLayersModel } from "../src/model/tfjs-to-onnx";
import { pattern, solid } from "./support/images";

const INPUT = {
  name: "input",
  layout: "NHWC" as const,
  height: 224,
  width: 224,
  scale: 1 / 255,
  mean: [0, 0, 0] as [number, number, number],
  std: [1, 1, 1] as [number, number, number],
};

describe("nsfwjs MobileNetV2 converted to ONNX", () => {
  const src = readNsfwjsModel("mobilenet_v2");
  let onnx: Uint8Array;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    onnx = encodeModel(convertLayersModel(src.json, src.weights, { graphName: "nsfwjs_mobilenet_v2" }).model);
    session = await ort.InferenceSession.create(onnx);
  });

  /** TensorFlow.js's answer for the same batch, computed in a child process (see scripts/tfjs-reference.ts). */
  const tfjsPredict = (batch: Float32Array, n: number): number[] => {
    const dir = mkdtempSync(join(tmpdir(), "mlapi-tfjs-"));
    try {
      writeFileSync(join(dir, "batch.f32"), new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength));
      const script = join(__dirname, "..", "scripts", "tfjs-reference.ts");
      const out = execFileSync(process.execPath, ["--import", "tsx", script, join(dir, "batch.f32"), String(n)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        cwd: join(__dirname, "..", "..", ".."),
      });
      return JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as number[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("produces the same class probabilities as TensorFlow.js on generated images (|diff| < 1e-4)", async () => {
    const images = [await pattern(1), await pattern(2, 500, 300), await solid(64, 64, [240, 200, 180], "jpeg")];
    const tensors = await Promise.all(images.map(async (img) => toTensor(await decodeImage(img, 1e7), INPUT)));
    const batch = new Float32Array(tensors.length * 224 * 224 * 3);
    tensors.forEach((t, i) => batch.set(t, i * t.length));

    const expected = tfjsPredict(batch, tensors.length);
    expect(expected).toHaveLength(tensors.length * NSFWJS_LABELS.length);
    const out = await session.run({ input: new ort.Tensor("float32", batch, [tensors.length, 224, 224, 3]) });
    const actual = out.probabilities.data as Float32Array;

    expect(out.probabilities.dims).toEqual([tensors.length, NSFWJS_LABELS.length]);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // the images are not all classified alike, so the comparison covers more than one regime
    const argmax = (row: number) =>
      [0, 1, 2, 3, 4].reduce((best, j) => (actual[row * 5 + j] > actual[row * 5 + best] ? j : best), 0);
    expect(new Set(tensors.map((_, i) => argmax(i))).size).toBeGreaterThan(1);
  });

  it("writes a graph onnxruntime accepts with one NHWC input and a 5-way output", () => {
    expect(session.inputNames).toEqual(["input"]);
    expect(session.outputNames).toEqual(["probabilities"]);
    const model = decodeModel(onnx);
    expect(model.opset_import).toEqual([{ domain: "", version: 13 }]);
    expect(model.graph.input[0].type.tensor_type.shape.dim.map((d) => d.dim_value || d.dim_param)).toEqual([
      "N",
      224,
      224,
      3,
    ]);
  });

  it("labels follow nsfwjs's own class order", () => {
    const classes = require(join(dirname(require.resolve("nsfwjs")), "nsfw_classes.js")) as {
      NSFW_CLASSES: Record<number, string>;
    };
    expect(Object.values(classes.NSFW_CLASSES)).toEqual([...NSFWJS_LABELS]);
  });
});

describe("converter edge cases", () => {
  const tiny = (layers: unknown[], weights: TfjsLayersModel["weightsManifest"][0]["weights"]): TfjsLayersModel => ({
    modelTopology: {
      model_config: {
        class_name: "Model",
        config: { layers: layers as never, output_layers: [[(layers.at(-1) as { name: string }).name, 0, 0]] },
      },
    },
    weightsManifest: [{ paths: ["x"], weights }],
  });
  const input = {
    name: "in",
    class_name: "InputLayer",
    config: { batch_input_shape: [null, 2, 2, 1] },
    inbound_nodes: [],
  };

  it("dequantises uint8 weights as min + q * scale", () => {
    const w = decodeWeights(
      [{ name: "a", shape: [3], dtype: "float32", quantization: { dtype: "uint8", min: -1, scale: 0.5 } }],
      Uint8Array.from([0, 2, 4]),
    );
    expect(Array.from(w.get("a")?.values ?? [])).toEqual([-1, 0, 1]);
  });

  it("refuses weight data that does not match the manifest", () => {
    expect(() => decodeWeights([{ name: "a", shape: [2], dtype: "float32" }], new Uint8Array(12))).toThrow(
      "weights: manifest describes 8 bytes but the shards hold 12",
    );
  });

  it("names the layer and type it cannot convert", () => {
    const model = tiny(
      [input, { name: "lstm_1", class_name: "LSTM", config: {}, inbound_nodes: [[["in", 0, 0, {}]]] }],
      [],
    );
    expect(() => convertLayersModel(model, new Uint8Array(0), { graphName: "t" })).toThrow(
      "layer lstm_1: Keras layer type LSTM is not supported by the converter",
    );
  });

  it("refuses a leaky ReLU rather than converting it to a plain one", () => {
    const model = tiny(
      [
        input,
        { name: "act", class_name: "ReLU", config: { negative_slope: 0.1 }, inbound_nodes: [[["in", 0, 0, {}]]] },
      ],
      [],
    );
    expect(() => convertLayersModel(model, new Uint8Array(0), { graphName: "t" })).toThrow(
      "layer act: ReLU with negative_slope/threshold is not supported",
    );
  });

  it("flattens channels-last before a Dense layer, matching Keras's weight order", async () => {
    // 2x2x2 input; Dense kernel picks element 1 of the NHWC flattening = (h0, w0, c1)
    const layers = [
      { name: "in", class_name: "InputLayer", config: { batch_input_shape: [null, 2, 2, 2] }, inbound_nodes: [] },
      { name: "flat", class_name: "Flatten", config: {}, inbound_nodes: [[["in", 0, 0, {}]]] },
      {
        name: "d",
        class_name: "Dense",
        config: { units: 1, use_bias: false, activation: "linear" },
        inbound_nodes: [[["flat", 0, 0, {}]]],
      },
    ];
    const kernel = new Float32Array(8);
    kernel[1] = 1;
    const model = tiny(layers, [{ name: "d/kernel", shape: [8, 1], dtype: "float32" }]);
    const bytes = encodeModel(convertLayersModel(model, new Uint8Array(kernel.buffer), { graphName: "t" }).model);
    const s = await ort.InferenceSession.create(bytes);
    const x = Float32Array.from([10, 11, 20, 21, 30, 31, 40, 41]); // NHWC: (0,0)=[10,11] (0,1)=[20,21] ...
    const out = await s.run({ input: new ort.Tensor("float32", x, [1, 2, 2, 2]) });
    expect(Array.from(out.probabilities.data as Float32Array)).toEqual([11]);
  });
});
