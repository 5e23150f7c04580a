import {
  ATTR,
  TENSOR_FLOAT,
  TENSOR_INT64,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
} from "./onnx-proto";

// Converts a Keras model saved in the TensorFlow.js "layers" format (model topology + weights
// manifest, optionally uint8/uint16-quantised) into an ONNX graph that onnxruntime runs on CPU.
// It covers the layer types of MobileNet-style classifiers and fails loudly, naming the layer,
// on anything else rather than emitting a graph that computes something different.
//
// The graph takes NHWC float input like the tfjs model (so callers feed both the same tensor)
// and transposes once to NCHW, the layout ONNX convolutions use.

/** tfjs "layers" model JSON (the parts the converter reads). */
export interface TfjsLayersModel {
  modelTopology: {
    model_config?: KerasModelConfig;
    config?: KerasModelConfig["config"];
    class_name?: string;
  };
  weightsManifest: Array<{ paths: string[]; weights: TfjsWeightSpec[] }>;
}
interface KerasModelConfig {
  class_name: string;
  config: { name?: string; layers: KerasLayer[]; input_layers?: unknown[][]; output_layers?: unknown[][] };
}
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: Array<Array<[string, number, number, unknown]>>;
}
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  quantization?: { dtype: "uint8" | "uint16" | "float16"; min?: number; scale?: number };
}

export interface ConvertOptions {
  /** Graph name and producer metadata. */
  graphName: string;
  /** Free-form key/values stored as ONNX metadata_props (labels, source, version). */
  metadata?: Record<string, string>;
  /** ONNX opset; 13 is widely supported and has Clip/Pad with tensor inputs. @default 13 */
  opset?: number;
}

export interface ConvertedModel {
  model: OnnxModel;
  inputName: string;
  outputName: string;
  /** Input shape without the batch dimension, NHWC. */
  inputShape: [number, number, number];
  outputSize: number;
}

export const ONNX_INPUT_NAME = "input";
export const ONNX_OUTPUT_NAME = "probabilities";

/** Decodes the manifest's weights (dequantising uint8/uint16 as tfjs does: min + q * scale). */
export function decodeWeights(
  specs: TfjsWeightSpec[],
  data: Uint8Array,
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const q = spec.quantization;
    if (spec.dtype !== "float32") throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported`);
    if (q && (q.dtype === "uint8" || q.dtype === "uint16")) {
      const bytes = q.dtype === "uint8" ? 1 : 2;
      need(offset + n * bytes, data.byteLength, spec.name);
      const min = q.min ?? 0;
      const scale = q.scale ?? 1;
      for (let i = 0; i < n; i++) {
        const raw = bytes === 1 ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
        values[i] = min + raw * scale;
      }
      offset += n * bytes;
    } else if (!q) {
      need(offset + n * 4, data.byteLength, spec.name);
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      offset += n * 4;
    } else {
      throw new Error(`weight ${spec.name}: quantization ${q.dtype} is not supported`);
    }
    out.set(spec.name, { shape: spec.shape, values });
  }
  if (offset !== data.byteLength)
    throw new Error(`weights: manifest describes ${offset} bytes but the shards hold ${data.byteLength}`);
  return out;
}

function need(end: number, length: number, name: string): void {
  if (end > length) throw new Error(`weights: shard data ends before ${name}`);
}

type Shape = number[]; // without batch: [C, H, W] for images, [F] after Flatten/Dense

/** Converts a tfjs layers model (topology + decoded weights) to an ONNX model. */
export function convertLayersModel(
  json: TfjsLayersModel,
  weightData: Uint8Array,
  options: ConvertOptions,
): ConvertedModel {
  const topologyConfig = json.modelTopology.config;
  const modelConfig =
    json.modelTopology.model_config ??
    (topologyConfig && { class_name: json.modelTopology.class_name ?? "Model", config: topologyConfig });
  if (!modelConfig) throw new Error("modelTopology has neither model_config nor config: not a tfjs layers model");
  const layers = modelConfig.config.layers;
  const weights = decodeWeights(
    json.weightsManifest.flatMap((g) => g.weights),
    weightData,
  );
  const used = new Set<string>();
  const weight = (layer: string, role: string): { shape: number[]; values: Float32Array } => {
    const key = `${layer}/${role}`;
    const w = weights.get(key);
    if (!w) throw new Error(`layer ${layer}: weight ${key} is missing from the manifest`);
    used.add(key);
    return w;
  };

  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const tensorOf = new Map<string, { name: string; shape: Shape }>(); // keras layer -> onnx tensor
  let inputShape: [number, number, number] | undefined;

  const addInit = (name: string, dims: number[], values: Float32Array | BigInt64Array): string => {
    const isInt = values instanceof BigInt64Array;
    initializers.push({
      name,
      dims,
      data_type: isInt ? TENSOR_INT64 : TENSOR_FLOAT,
      raw_data: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
    });
    return name;
  };
  const addNode = (name: string, op: string, inputs: string[], attrs: OnnxAttribute[] = [], output = name): string => {
    nodes.push({ name, op_type: op, input: inputs, output: [output], attribute: attrs });
    return output;
  };
  const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: ATTR.INTS, ints: v });
  const int = (name: string, v: number): OnnxAttribute => ({ name, type: ATTR.INT, i: v });
  const float = (name: string, v: number): OnnxAttribute => ({ name, type: ATTR.FLOAT, f: v });

  const activation = (layer: string, x: string, kind: unknown): string => {
    switch (kind ?? "linear") {
      case "linear":
        return x;
      case "relu":
        return addNode(`${layer}_relu`, "Relu", [x]);
      case "relu6":
        return clip(`${layer}_relu6`, x, 0, 6);
      case "sigmoid":
        return addNode(`${layer}_sigmoid`, "Sigmoid", [x]);
      case "tanh":
        return addNode(`${layer}_tanh`, "Tanh", [x]);
      case "softmax":
        return addNode(`${layer}_softmax`, "Softmax", [x], [int("axis", -1)]);
      default:
        throw new Error(`layer ${layer}: activation ${String(kind)} is not supported`);
    }
  };
  const clip = (name: string, x: string, min: number, max: number): string =>
    addNode(name, "Clip", [
      x,
      addInit(`${name}/min`, [], new Float32Array([min])),
      addInit(`${name}/max`, [], new Float32Array([max])),
    ]);

  const pair = (v: unknown, layer: string, key: string): [number, number] => {
    if (typeof v === "number") return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === "number")) return [v[0], v[1]];
    throw new Error(`layer ${layer}: ${key} ${JSON.stringify(v)} is not a pair of numbers`);
  };
  // TensorFlow "same": out = ceil(in / stride), the odd pixel of padding goes at the end (ONNX SAME_UPPER).
  const spatial = (layer: string, cfg: Record<string, unknown>, kernel: [number, number], shape: Shape) => {
    const strides = pair(cfg.strides ?? 1, layer, "strides");
    const dil = pair(cfg.dilation_rate ?? 1, layer, "dilation_rate");
    if ((cfg.data_format ?? "channels_last") !== "channels_last")
      throw new Error(`layer ${layer}: only channels_last is supported`);
    const [, h, w] = shape;
    const pads = [0, 0, 0, 0];
    let outH: number;
    let outW: number;
    if (cfg.padding === "same") {
      outH = Math.ceil(h / strides[0]);
      outW = Math.ceil(w / strides[1]);
      const totalH = Math.max((outH - 1) * strides[0] + (kernel[0] - 1) * dil[0] + 1 - h, 0);
      const totalW = Math.max((outW - 1) * strides[1] + (kernel[1] - 1) * dil[1] + 1 - w, 0);
      pads[0] = Math.floor(totalH / 2);
      pads[2] = totalH - pads[0];
      pads[1] = Math.floor(totalW / 2);
      pads[3] = totalW - pads[1];
    } else if (cfg.padding === "valid") {
      outH = Math.floor((h - ((kernel[0] - 1) * dil[0] + 1)) / strides[0]) + 1;
      outW = Math.floor((w - ((kernel[1] - 1) * dil[1] + 1)) / strides[1]) + 1;
    } else {
      throw new Error(`layer ${layer}: padding ${String(cfg.padding)} is not supported`);
    }
    return { strides, dil, pads, outH, outW };
  };

  for (const layer of layers) {
    const { name, class_name: cls, config: cfg } = layer;
    if (layer.inbound_nodes.length > 1)
      throw new Error(`layer ${name}: shared layers (called more than once) are not supported`);
    const inbound = (layer.inbound_nodes[0] ?? []).map(([src]) => {
      const t = tensorOf.get(src);
      if (!t) throw new Error(`layer ${name}: input ${src} has not been converted (layers out of order?)`);
      return t;
    });
    const x = inbound[0];
    const set = (tensor: string, shape: Shape) => tensorOf.set(name, { name: tensor, shape });

    switch (cls) {
      case "InputLayer": {
        const shape = cfg.batch_input_shape as Array<number | null>;
        if (shape.length !== 4 || shape.slice(1).some((d) => typeof d !== "number"))
          throw new Error(`layer ${name}: input must be [batch, height, width, channels] with fixed sizes`);
        const [h, w, c] = shape.slice(1) as number[];
        inputShape = [h, w, c];
        set(addNode(`${name}_nchw`, "Transpose", [ONNX_INPUT_NAME], [ints("perm", [0, 3, 1, 2])]), [c, h, w]);
        break;
      }
      case "ZeroPadding2D": {
        const p = cfg.padding;
        const [[t, b], [l, r]] =
          typeof p === "number"
            ? [
                [p, p],
                [p, p],
              ]
            : Array.isArray(p) && typeof p[0] === "number"
              ? [
                  [p[0], p[0]],
                  [p[1], p[1]],
                ]
              : (p as number[][]);
        const pads = addInit(`${name}/pads`, [8], BigInt64Array.from([0, 0, t, l, 0, 0, b, r].map(BigInt)));
        set(
          addNode(
            name,
            "Pad",
            [x.name, pads],
            [{ name: "mode", type: ATTR.STRING, s: new TextEncoder().encode("constant") }],
          ),
          [x.shape[0], x.shape[1] + t + b, x.shape[2] + l + r],
        );
        break;
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        const depthwise = cls === "DepthwiseConv2D";
        const kernel = pair(cfg.kernel_size, name, "kernel_size");
        const { strides, dil, pads, outH, outW } = spatial(name, cfg, kernel, x.shape);
        const k = weight(name, depthwise ? "depthwise_kernel" : "kernel");
        const [kh, kw, cin, cm] = k.shape; // Conv2D: [kh, kw, in, out]; depthwise: [kh, kw, in, multiplier]
        if (cin !== x.shape[0])
          throw new Error(`layer ${name}: kernel expects ${cin} input channels, got ${x.shape[0]}`);
        const cout = depthwise ? cin * cm : cm;
        const w = new Float32Array(k.values.length);
        // ONNX weight layout is [out, in/group, kh, kw]; depthwise output channel = c * multiplier + m.
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let c = 0; c < cin; c++)
              for (let m = 0; m < cm; m++) {
                const src = ((i * kw + j) * cin + c) * cm + m;
                const dst = depthwise ? ((c * cm + m) * kh + i) * kw + j : ((m * cin + c) * kh + i) * kw + j;
                w[dst] = k.values[src];
              }
        const inputs = [x.name, addInit(`${name}/W`, depthwise ? [cout, 1, kh, kw] : [cout, cin, kh, kw], w)];
        if (cfg.use_bias) inputs.push(addInit(`${name}/B`, [cout], weight(name, "bias").values));
        const attrs = [
          ints("kernel_shape", [kh, kw]),
          ints("strides", strides),
          ints("dilations", dil),
          ints("pads", pads),
          int("group", depthwise ? cin : 1),
        ];
        const conv = addNode(name, "Conv", inputs, attrs);
        set(activation(name, conv, cfg.activation), [cout, outH, outW]);
        break;
      }
      case "BatchNormalization": {
        const axis = cfg.axis as number | number[];
        const ax = Array.isArray(axis) ? axis[0] : axis;
        if (ax !== -1 && ax !== x.shape.length)
          throw new Error(`layer ${name}: only channel-axis batch normalisation is supported`);
        const channels = x.shape[0];
        const gamma = cfg.scale === false ? new Float32Array(channels).fill(1) : weight(name, "gamma").values;
        const beta = cfg.center === false ? new Float32Array(channels) : weight(name, "beta").values;
        const inputs = [
          x.name,
          addInit(`${name}/scale`, [channels], gamma),
          addInit(`${name}/B`, [channels], beta),
          addInit(`${name}/mean`, [channels], weight(name, "moving_mean").values),
          addInit(`${name}/var`, [channels], weight(name, "moving_variance").values),
        ];
        set(addNode(name, "BatchNormalization", inputs, [float("epsilon", (cfg.epsilon as number) ?? 1e-3)]), x.shape);
        break;
      }
      case "ReLU": {
        if (((cfg.negative_slope as number) ?? 0) !== 0 || ((cfg.threshold as number) ?? 0) !== 0)
          throw new Error(`layer ${name}: ReLU with negative_slope/threshold is not supported`);
        const max = cfg.max_value as number | null | undefined;
        set(max === null || max === undefined ? addNode(name, "Relu", [x.name]) : clip(name, x.name, 0, max), x.shape);
        break;
      }
      case "Activation":
        set(activation(name, x.name, cfg.activation), x.shape);
        break;
      case "Add": {
        let acc = inbound[0].name;
        for (let i = 1; i < inbound.length; i++)
          acc = addNode(i === inbound.length - 1 ? name : `${name}_${i}`, "Add", [acc, inbound[i].name]);
        set(acc, x.shape);
        break;
      }
      case "AveragePooling2D":
      case "MaxPooling2D": {
        const kernel = pair(cfg.pool_size, name, "pool_size");
        const { strides, pads, outH, outW } = spatial(
          name,
          { ...cfg, strides: cfg.strides ?? cfg.pool_size },
          kernel,
          x.shape,
        );
        const attrs = [ints("kernel_shape", kernel), ints("strides", strides), ints("pads", pads)];
        // TF's average pooling with "same" excludes the padding from the mean: count_include_pad = 0 (the default).
        set(addNode(name, cls === "AveragePooling2D" ? "AveragePool" : "MaxPool", [x.name], attrs), [
          x.shape[0],
          outH,
          outW,
        ]);
        break;
      }
      case "GlobalAveragePooling2D": {
        const pooled = addNode(`${name}_pool`, "GlobalAveragePool", [x.name]);
        set(addNode(name, "Flatten", [pooled], [int("axis", 1)]), [x.shape[0]]);
        break;
      }
      case "Flatten": {
        // Keras flattens channels-last; go back to NHWC first so the Dense weights line up.
        const nhwc =
          x.shape.length === 3 ? addNode(`${name}_nhwc`, "Transpose", [x.name], [ints("perm", [0, 2, 3, 1])]) : x.name;
        set(addNode(name, "Flatten", [nhwc], [int("axis", 1)]), [x.shape.reduce((a, b) => a * b, 1)]);
        break;
      }
      case "Dense": {
        if (x.shape.length !== 1)
          throw new Error(`layer ${name}: Dense on a ${x.shape.length + 1}-d tensor is not supported (add a Flatten)`);
        const k = weight(name, "kernel");
        const units = k.shape[1];
        let y = addNode(`${name}_matmul`, "MatMul", [x.name, addInit(`${name}/W`, k.shape, k.values)]);
        if (cfg.use_bias) y = addNode(name, "Add", [y, addInit(`${name}/B`, [units], weight(name, "bias").values)]);
        set(activation(name, y, cfg.activation), [units]);
        break;
      }
      case "Dropout":
      case "SpatialDropout2D":
        set(x.name, x.shape); // inference: identity
        break;
      default:
        throw new Error(`layer ${name}: Keras layer type ${cls} is not supported by the converter`);
    }
  }

  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length) throw new Error(`weights not used by any converted layer: ${unused.join(", ")}`);
  if (!inputShape) throw new Error("model has no InputLayer");
  const outLayers = modelConfig.config.output_layers ?? [[layers[layers.length - 1].name]];
  if (outLayers.length !== 1) throw new Error("only single-output models are supported");
  const out = tensorOf.get(String(outLayers[0][0]));
  if (!out) throw new Error(`output layer ${String(outLayers[0][0])} was not converted`);
  if (out.shape.length !== 1) throw new Error("the output must be a vector of class scores");
  addNode("output", "Identity", [out.name], [], ONNX_OUTPUT_NAME);

  const [h, w, c] = inputShape;
  const model: OnnxModel = {
    ir_version: 8,
    producer_name: "mlapi-tfjs-to-onnx",
    producer_version: "1",
    model_version: 1,
    doc_string: `Converted from the tfjs layers model ${options.graphName}`,
    opset_import: [{ domain: "", version: options.opset ?? 13 }],
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: options.graphName,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ONNX_INPUT_NAME, ["N", h, w, c])],
      output: [valueInfo(ONNX_OUTPUT_NAME, ["N", out.shape[0]])],
    },
  };
  return { model, inputName: ONNX_INPUT_NAME, outputName: ONNX_OUTPUT_NAME, inputShape, outputSize: out.shape[0] };
}

function valueInfo(name: string, dims: Array<number | string>) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: TENSOR_FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}
