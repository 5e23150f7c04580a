// Pre-processing against known pixels: decode + resize (sharp) and the tensor layout/normalisation.
import sharp from "sharp";
import {
  checkContentType,
  decodeImage,
  inspectImage,
  sniffFormat,
  sniffUnsupported,
  toTensor,
  type Pixels,
} from "../src/image";
import type { ModelManifest } from "../src/model/manifest";
import { solid } from "./support/images";

const input = (over: Partial<ModelManifest["input"]> = {}): ModelManifest["input"] => ({
  name: "input",
  layout: "NHWC",
  height: 2,
  width: 2,
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  ...over,
});

/** decode + resize to width x height through the service's own path; returns the 0..255 values, HWC. */
async function decodeAt(img: Buffer, width: number, height: number): Promise<number[]> {
  const px = await decodeImage(img, 1e7);
  return Array.from(toTensor(px, input({ width, height, scale: 1 }))).map((v) => Math.round(v * 1000) / 1000);
}

describe("toTensor", () => {
  // 2 x 2 RGB image, row-major: red, green / blue, white
  const rgb: Pixels = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), width: 2, height: 2 };

  it("keeps NHWC order and scales by 1/255 (the nsfwjs normalisation)", () => {
    expect(Array.from(toTensor(rgb, input()))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("writes channel planes for NCHW models (R plane, then G, then B)", () => {
    expect(Array.from(toTensor(rgb, input({ layout: "NCHW" })))).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
  });

  it("applies per-channel mean and std (ImageNet style)", () => {
    const t = toTensor(
      { data: Uint8Array.from([255, 0, 51, 0, 0, 0, 0, 0, 0, 0, 0, 0]), width: 2, height: 2 },
      input({ mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2] }),
    );
    expect(t[0]).toBeCloseTo(1, 6); // (1 - 0.5) / 0.5
    expect(t[1]).toBeCloseTo(-1, 6); // (0 - 0.25) / 0.25
    expect(t[2]).toBeCloseTo(0.1, 6); // (0.2 - 0) / 2
  });

  it("refuses a buffer of the wrong size", () => {
    expect(() => toTensor({ data: new Uint8Array(5), width: 2, height: 2 }, input())).toThrow(
      "expected 12 bytes of RGB, got 5",
    );
  });

  it("resizes bilinearly with aligned corners, as tf.image.resizeBilinear(x, size, true) in nsfwjs", () => {
    // one channel shown (R): 3 x 1 [0, 90, 180] -> 5 x 1 samples x = 0, 0.5, 1, 1.5, 2 (corners map to corners)
    const row: Pixels = { data: Uint8Array.from([0, 0, 0, 90, 0, 0, 180, 0, 0]), width: 3, height: 1 };
    const out = toTensor(row, input({ width: 5, height: 1, scale: 1 }));
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([0, 45, 90, 135, 180]);
    // 2 x 2 -> 3 x 3: the centre is the mean of the four corners, the edges their pairwise means
    const sq: Pixels = { data: Uint8Array.from([0, 0, 0, 100, 0, 0, 200, 0, 0, 40, 0, 0]), width: 2, height: 2 };
    const r = Array.from(toTensor(sq, input({ width: 3, height: 3, scale: 1 })).filter((_, i) => i % 3 === 0));
    expect(r).toEqual([0, 50, 100, 100, 85, 70, 200, 120, 40]);
    // downscaling samples points (no area averaging): 5 x 1 -> 3 x 1 takes x = 0, 2, 4
    const five: Pixels = {
      data: Uint8Array.from([10, 0, 0, 200, 0, 0, 20, 0, 0, 200, 0, 0, 30, 0, 0]),
      width: 5,
      height: 1,
    };
    expect(Array.from(toTensor(five, input({ width: 3, height: 1, scale: 1 })).filter((_, i) => i % 3 === 0))).toEqual([
      10, 20, 30,
    ]);
  });
});

describe("decodeImage + toTensor", () => {
  it.each([
    ["png", [12, 200, 99]],
    ["webp", [250, 128, 3]],
  ] as const)("decodes a solid %s to exactly its pixels at the model size", async (format, colour) => {
    const rgb = await decodeAt(await solid(50, 30, [...colour], format), 4, 4);
    expect(rgb.length).toBe(4 * 4 * 3);
    for (let p = 0; p < 16; p++) expect(rgb.slice(p * 3, p * 3 + 3)).toEqual([...colour]);
  });

  it("stretches to fill (no crop, no letterbox) and keeps R,G,B channel order", async () => {
    // 40 x 10: x < 10 green, 10..29 red, >= 30 blue. Squashed to 4 x 4, the first column is green
    // and the last blue; a centre crop ("cover") would make both edges red.
    const w = 40;
    const h = 10;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) raw.set(x < 10 ? [0, 255, 0] : x < 30 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
    const png = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer();
    const rgb = await decodeAt(png, 4, 4);
    const px = (x: number, y: number) => rgb.slice((y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    for (let y = 0; y < 4; y++) {
      const [, g0] = px(0, y);
      const [r1] = px(1, y);
      const [, , b3] = px(3, y);
      expect({ g0: g0 > 200, r1: r1 > 200, b3: b3 > 200 }).toEqual({ g0: true, r1: true, b3: true });
    }
    expect(px(0, 0)[0]).toBeLessThan(60); // green pixel carries little red: channels are not swapped
    expect(px(3, 0)[0]).toBeLessThan(60);
  });

  it("drops the alpha channel and expands greyscale to three channels", async () => {
    const rgba = await sharp({
      create: { width: 3, height: 3, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const [r, g, b] = await decodeAt(rgba, 1, 1);
    expect([r, g, b].map((v, i) => Math.abs(v - [10, 20, 30][i]) <= 1)).toEqual([true, true, true]); // premultiplication rounds by 1
    const grey = await sharp(Buffer.alloc(9, 77), { raw: { width: 3, height: 3, channels: 1 } })
      .png()
      .toBuffer();
    expect(await decodeAt(grey, 1, 1)).toEqual([77, 77, 77]);
  });

  it("applies EXIF orientation before resizing and reports the displayed size", async () => {
    // 2 x 1 stored as [red, blue] with orientation 6 (rotate 90° clockwise) displays as 1 x 2: red on top
    const raw = Buffer.from([255, 0, 0, 0, 0, 255]);
    const jpeg = await sharp(raw, { raw: { width: 2, height: 1, channels: 3 } })
      .resize(20, 10, { kernel: "nearest" })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(await inspectImage(jpeg, "jpeg", 1e6)).toEqual({ format: "jpeg", width: 10, height: 20 });
    const rgb = await decodeAt(jpeg, 1, 2);
    expect([rgb[0] > 150, rgb[2] < 100]).toEqual([true, true]); // top: red
    expect([rgb[3] < 100, rgb[5] > 150]).toEqual([true, true]); // bottom: blue
  });

  it("enforces the pixel limit while decoding as well (defence in depth)", async () => {
    await expect(decodeImage(await solid(100, 100, [1, 2, 3]), 5000)).rejects.toMatchObject({
      status: 400,
      code: "invalid_image",
    });
  });
});

describe("content type and format sniffing", () => {
  it.each([
    ["image/jpeg", "jpeg"],
    ["IMAGE/PNG", "png"],
    ["image/webp; charset=binary", "webp"],
    ["image/jpg", "jpeg"],
    ["image/pjpeg", "jpeg"],
    ["application/octet-stream", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("accepts %s as %s (undefined: the bytes decide)", (header, format) => {
    expect(checkContentType(header)).toBe(format);
  });

  it.each([
    ["text/plain", /must be one of .*application\/octet-stream or absent \(got "text\/plain"\)/],
    ["image/heic", /^HEIC images are not supported: send JPEG, PNG or WebP$/],
    ["image/avif", /^AVIF images are not supported/],
    ["image/gif", /^GIF images are not supported/],
  ])("refuses %s with 415 before the body is read", (header, message) => {
    expect(() => checkContentType(header)).toThrow(
      expect.objectContaining({ status: 415, code: "unsupported_media_type", message: expect.stringMatching(message) }),
    );
  });

  const ftyp = (major: string, ...compatible: string[]) => {
    const brands = Buffer.from(major + "\0\0\0\0" + compatible.join(""), "latin1");
    const size = Buffer.alloc(4);
    size.writeUInt32BE(8 + brands.length);
    return Uint8Array.from(Buffer.concat([size, Buffer.from("ftyp"), brands, Buffer.alloc(32)]));
  };
  it.each([
    ["an iPhone HEIC", ftyp("heic", "mif1", "heic"), "HEIC"],
    ["a HEIF with only a compatible brand", ftyp("mif1", "heix"), "HEIC"],
    ["an AVIF (which also lists mif1)", ftyp("avif", "mif1", "miaf"), "AVIF"],
    ["an AVIF sequence", ftyp("avis", "msf1"), "AVIF"],
    ["a GIF", Uint8Array.from(Buffer.from("GIF89a\x01\x00", "latin1")), "GIF"],
    ["an MP4", ftyp("isom", "mp41"), undefined],
    ["a JPEG", Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), undefined],
  ])("names %s", (_name, bytes, expected) => {
    expect(sniffUnsupported(bytes)).toBe(expected);
  });

  it.each([
    ["jpeg", [0xff, 0xd8, 0xff, 0xe0], "jpeg"],
    ["png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "png"],
    ["webp", [...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WEBP")], "webp"],
    ["gif", [...Buffer.from("GIF89a")], undefined],
    ["riff but not webp", [...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WAVE")], undefined],
  ])("sniffs %s", (_name, bytes, expected) => {
    expect(sniffFormat(Uint8Array.from(bytes as number[]))).toBe(expected);
  });
});
