import sharp, { type Metadata } from "sharp";
import { HttpError } from "./http/errors";
import type { ModelManifest } from "./model/manifest";

/** The formats the model is fed. */
type Format = "jpeg" | "png" | "webp";
/**
 * Declared types taken as a promise of that format (image/jpg and image/pjpeg are what some
 * browsers and old Windows clients send for JPEG).
 */
export const ACCEPTED_TYPES: Readonly<Record<string, Format>> = {
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/pjpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
};
/** Declared types that say nothing about the format: it is taken from the bytes (as is a missing Content-Type). */
export const GENERIC_TYPES = ["application/octet-stream"] as const;
/** Image formats recognised (by type or bytes) but not decoded: named in the 415 so the caller knows what to convert. */
const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  "image/heic": "HEIC",
  "image/heif": "HEIC",
  "image/heic-sequence": "HEIC",
  "image/heif-sequence": "HEIC",
  "image/avif": "AVIF",
  "image/gif": "GIF",
};

const unsupportedFormat = (name: string) =>
  new HttpError(415, "unsupported_media_type", `${name} images are not supported: send JPEG, PNG or WebP`);

/** The media type of a Content-Type header without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Checked before the body is read: the declared format, or undefined when the type is missing or
 * generic (the bytes decide). Anything else is refused with 415 without reading the upload.
 */
export function checkContentType(header: string | undefined): Format | undefined {
  const type = mediaType(header);
  if (type === "" || (GENERIC_TYPES as readonly string[]).includes(type)) return undefined;
  const format = ACCEPTED_TYPES[type];
  if (format) return format;
  if (UNSUPPORTED_TYPES[type]) throw unsupportedFormat(UNSUPPORTED_TYPES[type]);
  throw new HttpError(
    415,
    "unsupported_media_type",
    `Content-Type must be one of ${[...Object.keys(ACCEPTED_TYPES), ...GENERIC_TYPES].join(", ")} or absent (got "${type.slice(0, 60)}")`,
  );
}

/** Identifies the format from the first bytes (never trust the header alone). */
export function sniffFormat(body: Uint8Array): Format | undefined {
  const b = body;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)) return "png";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return "webp";
  return undefined;
}

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
const AVIF_BRANDS = new Set(["avif", "avis"]);

/**
 * Names an image format we recognise but do not take: HEIC/HEIF and AVIF (an ISO-BMFF `ftyp`
 * box whose major or compatible brands say so; AVIF files also list mif1, so AVIF is checked
 * first) and GIF. Phones upload HEIC as often as JPEG; a 415 that names it tells the caller what
 * to convert, where "not a JPEG, PNG or WebP image" would not.
 */
export function sniffUnsupported(body: Uint8Array): string | undefined {
  const b = body;
  if (b.length >= 6 && (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a")) return "GIF";
  if (b.length < 16 || ascii(b, 4, 8) !== "ftyp") return undefined;
  const boxSize = Math.min(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0, b.length, 4096);
  // major brand at 8, minor version at 12, compatible brands from 16 to the end of the box
  const brands = [ascii(b, 8, 12)];
  for (let i = 16; i + 4 <= boxSize; i += 4) brands.push(ascii(b, i, i + 4));
  if (brands.some((x) => AVIF_BRANDS.has(x))) return "AVIF";
  if (brands.some((x) => HEIF_BRANDS.has(x))) return "HEIC";
  return undefined;
}
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export interface ImageInfo {
  format: Format;
  /** As displayed: after the EXIF orientation (a portrait phone photo stored landscape reports portrait). */
  width: number;
  height: number;
}

/** 8-bit RGB pixels, row-major HWC: what `decodeImage` gives `toTensor` (in the inference worker). */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Validates the bytes without decoding the pixels: the format matches the declared type, the
 * header parses, and the dimensions stay under the pixel limit (a 50 kB PNG can declare
 * 100 000 x 100 000 pixels and would take gigabytes to decode).
 */
export async function inspectImage(
  body: Uint8Array,
  declared: Format | undefined,
  maxPixels: number,
): Promise<ImageInfo> {
  if (body.length === 0) throw new HttpError(400, "empty_body", "request body is empty: send the image bytes");
  const sniffed = sniffFormat(body);
  if (!sniffed) {
    // whatever the Content-Type claimed: the bytes are a format we know and refuse
    const unsupported = sniffUnsupported(body);
    if (unsupported) throw unsupportedFormat(unsupported);
    throw new HttpError(400, "invalid_image", "body is not a JPEG, PNG or WebP image");
  }
  if (declared !== undefined && sniffed !== declared)
    throw new HttpError(400, "content_type_mismatch", `Content-Type says ${declared} but the body is ${sniffed}`);
  let meta: Metadata;
  try {
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch {
    throw new HttpError(400, "invalid_image", `body is not a decodable ${sniffed} image`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new HttpError(400, "invalid_image", `body is not a decodable ${sniffed} image`);
  if (width * height > maxPixels) {
    throw new HttpError(
      413,
      "image_too_large",
      `image is ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`,
    );
  }
  return { format: sniffed, width: meta.autoOrient?.width ?? width, height: meta.autoOrient?.height ?? height };
}

/**
 * Decodes (EXIF orientation applied, alpha dropped, greyscale expanded) to 8-bit RGB at full
 * resolution. The resize to the model's input is done by `toTensor` in the worker, as nsfwjs does
 * it: bilinear with aligned corners samples single pixels of the full image, so any shrinking
 * first (JPEG shrink-on-load, area filters) averages away detail nsfwjs sees and moves scores by
 * up to 0.46 on noisy large photos (tests/fidelity.test.ts). Corrupt data (libjpeg/libpng warnings
 * included: scrambled entropy-coded data only warns) is refused, not classified. sharp runs on
 * libuv's thread pool, so this does not block the event loop. The inference worker calls it
 * (src/inference/worker.ts) and reads sharp's buffer in place: the 0.9 MB of pixels of a
 * 640x480 photo are neither copied nor sent between threads.
 */
export async function decodeImage(body: Uint8Array, maxPixels: number): Promise<Pixels> {
  try {
    const img = sharp(body, { limitInputPixels: maxPixels, failOn: "warning", autoOrient: true });
    const { data, info: out } = await img
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 3 || data.length !== out.width * out.height * 3)
      throw new Error(`unexpected decode ${out.width}x${out.height}x${out.channels}`);
    return { data, width: out.width, height: out.height };
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, "invalid_image", "image data is corrupt or truncated");
  }
}

/**
 * RGB pixels -> float tensor of the model's size and layout, in one pass: a bilinear resize with
 * aligned corners, exactly as nsfwjs's `tf.image.resizeBilinear(image / 255, [h, w], true)`
 * (stretched, not cropped; source position = output index x (in - 1) / (out - 1)), then
 * (p * scale - mean[c]) / std[c]. Resizing before normalising equals nsfwjs's order: both are linear.
 * Writes into `out` at `offset` (a batch tensor), or a new array.
 */
export function toTensor(px: Pixels, input: ModelManifest["input"], out?: Float32Array, offset = 0): Float32Array {
  const { width: w, height: h, scale, mean, std, layout } = input;
  const { data, width: iw, height: ih } = px;
  if (data.length !== iw * ih * 3) throw new Error(`expected ${iw * ih * 3} bytes of RGB, got ${data.length}`);
  const plane = w * h;
  const dst = out ?? new Float32Array(plane * 3);
  const ratio = (inSize: number, outSize: number) => (outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  // Per output column: left/right source offsets and weight (the same for every row).
  const xr = ratio(iw, w);
  const left = new Int32Array(w);
  const right = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const src = x * xr;
    const x0 = Math.floor(src);
    left[x] = x0 * 3;
    right[x] = Math.min(iw - 1, Math.ceil(src)) * 3;
    fx[x] = src - x0;
  }
  const [a0, a1, a2] = [scale / std[0], scale / std[1], scale / std[2]];
  const [b0, b1, b2] = [mean[0] / std[0], mean[1] / std[1], mean[2] / std[2]];
  // NHWC: a pixel's channels are adjacent; NCHW: one plane apart
  const [pixelStep, channelStep] = layout === "NHWC" ? [3, 1] : [1, plane];
  const yr = ratio(ih, h);
  for (let y = 0; y < h; y++) {
    const src = y * yr;
    const y0 = Math.floor(src);
    const fy = src - y0;
    const top = y0 * iw * 3;
    const bottom = Math.min(ih - 1, Math.ceil(src)) * iw * 3;
    let o = offset + y * w * pixelStep;
    for (let x = 0; x < w; x++, o += pixelStep) {
      const f = fx[x];
      const tl = top + left[x];
      const tr = top + right[x];
      const bl = bottom + left[x];
      const br = bottom + right[x];
      // the three channels unrolled: top row, bottom row, then between them
      let t = data[tl] + (data[tr] - data[tl]) * f;
      dst[o] = (t + (data[bl] + (data[br] - data[bl]) * f - t) * fy) * a0 - b0;
      t = data[tl + 1] + (data[tr + 1] - data[tl + 1]) * f;
      dst[o + channelStep] = (t + (data[bl + 1] + (data[br + 1] - data[bl + 1]) * f - t) * fy) * a1 - b1;
      t = data[tl + 2] + (data[tr + 2] - data[tl + 2]) * f;
      dst[o + 2 * channelStep] = (t + (data[bl + 2] + (data[br + 2] - data[bl + 2]) * f - t) * fy) * a2 - b2;
    }
  }
  return dst;
}
