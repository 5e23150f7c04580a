import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * model.json: what the service needs to know about an ONNX classifier besides the graph.
 * The build writes one for the bundled nsfwjs model; any other image classifier can be served
 * by pointing MODEL_MANIFEST at its own model.json (the ONNX file path is relative to it).
 */
export interface ModelManifest {
  /** Reported by /health and /api/v2 responses. */
  name: string;
  version: string;
  /** ONNX file, relative to the manifest. */
  file: string;
  /** Class labels in output order. */
  labels: string[];
  input: {
    name: string;
    /** NHWC (TensorFlow/Keras origin) or NCHW (PyTorch origin). */
    layout: "NHWC" | "NCHW";
    height: number;
    width: number;
    /** pixel' = (pixel * scale - mean[c]) / std[c], channels in RGB order. */
    scale: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  output: {
    name: string;
    /** "logits" outputs get a softmax applied by the service. */
    kind: "probabilities" | "logits";
  };
}

/** `name@version`: the X-Model-Version header of every classification answer (the pair /api/v2/models reports). */
export const modelVersionTag = (m: Pick<ModelManifest, "name" | "version">): string => `${m.name}@${m.version}`;

/** Reads and validates a manifest; returns it with `file` resolved to an absolute path. */
export function loadManifest(path: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`model manifest ${path} cannot be read: ${(err as Error).message}`);
  }
  const m = raw as ModelManifest;
  const problems: string[] = [];
  const str = (v: unknown) => typeof v === "string" && v.length > 0;
  if (!str(m.name)) problems.push("name must be a non-empty string");
  if (!str(m.version)) problems.push("version must be a non-empty string");
  if (!str(m.file)) problems.push("file must name the ONNX file");
  if (!Array.isArray(m.labels) || m.labels.length < 2 || !m.labels.every(str))
    problems.push("labels must list at least two non-empty strings");
  else if (new Set(m.labels).size !== m.labels.length) problems.push("labels must be unique");
  const i = m.input;
  if (!i || !str(i.name)) problems.push("input.name must be a string");
  else {
    if (i.layout !== "NHWC" && i.layout !== "NCHW") problems.push("input.layout must be NHWC or NCHW");
    for (const k of ["height", "width"] as const)
      if (!Number.isInteger(i[k]) || i[k] < 8 || i[k] > 1024) problems.push(`input.${k} must be an integer in 8..1024`);
    if (!(i.scale > 0)) problems.push("input.scale must be positive");
    for (const k of ["mean", "std"] as const)
      if (!Array.isArray(i[k]) || i[k].length !== 3 || !i[k].every((n) => typeof n === "number"))
        problems.push(`input.${k} must be three numbers`);
    if (Array.isArray(i.std) && i.std.some((n) => n === 0)) problems.push("input.std must not contain 0");
  }
  if (!m.output || !str(m.output.name) || (m.output.kind !== "probabilities" && m.output.kind !== "logits"))
    problems.push("output must have a name and kind probabilities|logits");
  if (problems.length) throw new Error(`model manifest ${path} is invalid: ${problems.join("; ")}`);
  return { ...m, file: resolve(dirname(path), m.file) };
}

export interface Prediction {
  label: string;
  score: number;
}

/** Softmax for models that output logits (numerically stable). */
export function softmax(values: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const out = new Float32Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += out[i] = Math.exp(values[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Maps class scores to labels, best first; ties keep label order. */
export function topK(scores: ArrayLike<number>, labels: readonly string[], k: number): Prediction[] {
  if (scores.length !== labels.length)
    throw new Error(`model returned ${scores.length} scores for ${labels.length} labels`);
  return labels
    .map((label, index) => ({ label, score: scores[index], index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, k))
    .map(({ label, score }) => ({ label, score: Math.round(score * 1e6) / 1e6 }));
}
