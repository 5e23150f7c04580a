// Jest runs each test file in its own V8 context, so a Float32Array made by a native addon
// (onnxruntime-node's outputs) fails `instanceof Float32Array` inside the test context and
// onnxruntime-common throws "A float32 tensor's data must be type of Float32Array". This
// environment hands the test context the host's typed-array constructors.
const { TestEnvironment } = require("jest-environment-node");

const SHARED = [
  "ArrayBuffer",
  "Float32Array",
  "Float64Array",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "BigInt64Array",
  "BigUint64Array",
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
