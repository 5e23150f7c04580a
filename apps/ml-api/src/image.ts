import sharp, { type Metadata } from "sharp";
import { HttpError } from "./http/errors";
import type { ModelManifest } from "./model/manifest";

export const ACCEPTED_TYPES = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" } as const;
type Format = (typeof ACCEPTED_TYPES)[keyof typeof ACCEPTED_TYPES];

/** The media type of a Content-Type header without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/** Rejects anything but JPEG, PNG or WebP before the body is read. */
export function checkContentType(header: string | undefined): Format {
  const type = mediaType(header);
  const format = (ACCEPTED_TYPES as Record<string, Format>)[type];
  if (!format) {
    throw new HttpError(415, "unsupported_media_type", `Content-Type must be one of ${Object.keys(ACCEPTED_TYPES).join(", ")} (got ${type ? `"${type}"` : "none"})`);
  }
  return format;
}

/** Identifies the format from the first bytes (never trust the header alone). */
export function sniffFormat(body: Uint8Array): Format | undefined {
  const b = body;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)) return "png";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return "webp";
  return undefined;
}
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export interface ImageInfo {
  format: Format;
  width: number;
  height: number;
}

/**
 * Validates the bytes without decoding the pixels: the format matches the declared type, the
 * header parses, and the dimensions stay under the pixel limit (a 50 kB PNG can declare
 * 100 000 x 100 000 pixels and would take gigabytes to decode).
 */
export async function inspectImage(body: Uint8Array, declared: Format, maxPixels: number): Promise<ImageInfo> {
  if (body.length === 0) throw new HttpError(400, "empty_body", "request body is empty: send the image bytes");
  const sniffed = sniffFormat(body);
  if (!sniffed) throw new HttpError(400, "invalid_image", "body is not a JPEG, PNG or WebP image");
  if (sniffed !== declared) throw new HttpError(400, "content_type_mismatch", `Content-Type says ${declared} but the body is ${sniffed}`);
  let meta: Metadata;
  try {
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch {
    throw new HttpError(400, "invalid_image", `body is not a decodable ${declared} image`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new HttpError(400, "invalid_image", `body is not a decodable ${declared} image`);
  if (width * height > maxPixels) {
    throw new HttpError(413, "image_too_large", `image is ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`);
  }
  return { format: sniffed, width, height };
}

/**
 * Decodes, orients (EXIF), resizes (stretching, as nsfwjs does) and returns 8-bit RGB pixels,
 * row-major HWC. sharp runs on libuv's thread pool, so this does not block the event loop.
 */
export async function decodeToRgb(body: Uint8Array, width: number, height: number, maxPixels: number): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(body, { limitInputPixels: maxPixels, failOn: "error" })
      .rotate()
      .resize(width, height, { fit: "fill", kernel: "linear" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) throw new Error(`unexpected decode ${info.width}x${info.height}x${info.channels}`);
    return new Uint8Array(data); // a copy in a fresh ArrayBuffer that can be transferred to a worker
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, "invalid_image", "image data is corrupt or truncated");
  }
}

/** RGB HWC bytes -> float tensor in the model's layout: (p * scale - mean[c]) / std[c]. */
export function toTensor(rgb: Uint8Array, input: ModelManifest["input"]): Float32Array {
  const { width: w, height: h, scale, mean, std, layout } = input;
  const plane = w * h;
  if (rgb.length !== plane * 3) throw new Error(`expected ${plane * 3} bytes of RGB, got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (rgb[p * 3 + c] * scale - mean[c]) / std[c];
      out[layout === "NHWC" ? p * 3 + c : c * plane + p] = v;
    }
  }
  return out;
}
