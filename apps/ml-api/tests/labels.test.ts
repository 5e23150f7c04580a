import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadManifest, softmax, topK } from "../src/model/manifest";

const LABELS = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"];

describe("topK label mapping", () => {
  it.each([
    [[0.1, 0.2, 0.6, 0.05, 0.05], 1, [{ label: "Neutral", score: 0.6 }]],
    [
      [0.1, 0.2, 0.6, 0.05, 0.05],
      2,
      [
        { label: "Neutral", score: 0.6 },
        { label: "Hentai", score: 0.2 },
      ],
    ],
    [
      [0.3, 0.3, 0.2, 0.1, 0.1],
      2,
      [
        { label: "Drawing", score: 0.3 },
        { label: "Hentai", score: 0.3 },
      ],
    ], // ties keep label order
    [
      [0, 0, 0, 0, 1],
      5,
      [
        { label: "Sexy", score: 1 },
        { label: "Drawing", score: 0 },
        { label: "Hentai", score: 0 },
        { label: "Neutral", score: 0 },
        { label: "Porn", score: 0 },
      ],
    ],
    [[0.123456789, 0, 0, 0, 0], 1, [{ label: "Drawing", score: 0.123457 }]], // six decimals
  ])("maps scores %j with k=%d", (scores, k, expected) => {
    expect(
      topK(Float32Array.from(scores), LABELS, k).map((p) => ({
        label: p.label,
        score: Math.round(p.score * 1e6) / 1e6,
      })),
    ).toEqual(expected);
  });

  it("refuses a score vector that does not match the labels", () => {
    expect(() => topK([0.5, 0.5], LABELS, 1)).toThrow("model returned 2 scores for 5 labels");
  });
});

describe("softmax", () => {
  it("turns logits into probabilities and survives large values", () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5, 6);
    expect(p[2]).toBeCloseTo(0, 6);
    expect(Array.from(softmax([0, Math.log(3)])).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.25, 0.75]);
  });
});

describe("loadManifest", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlapi-manifest-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (obj: unknown) => {
    const p = join(dir, `m${Math.random()}.json`);
    writeFileSync(p, JSON.stringify(obj));
    return p;
  };
  const valid = {
    name: "resnet",
    version: "1",
    file: "resnet.onnx",
    labels: ["cat", "dog"],
    input: {
      name: "x",
      layout: "NCHW",
      height: 224,
      width: 224,
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    output: { name: "logits", kind: "logits" },
  };

  it("accepts another ONNX classifier and resolves its file next to the manifest", () => {
    expect(loadManifest(write(valid)).file).toBe(join(dir, "resnet.onnx"));
  });

  it("names every problem of a bad manifest", () => {
    const path = write({
      ...valid,
      labels: ["a", "a"],
      input: { ...valid.input, layout: "HWC", height: 4, std: [1, 0, 1] },
      output: { name: "y", kind: "scores" },
    });
    expect(() => loadManifest(path)).toThrow(
      `model manifest ${path} is invalid: labels must be unique; input.layout must be NHWC or NCHW; input.height must be an integer in 8..1024; input.std must not contain 0; output must have a name and kind probabilities|logits`,
    );
  });

  it("says which file it could not read", () => {
    expect(() => loadManifest(join(dir, "missing.json"))).toThrow(
      `model manifest ${join(dir, "missing.json")} cannot be read`,
    );
  });
});
