// Test images made with sharp (nothing downloaded).
import { crc32 } from "node:zlib";
import sharp from "sharp";

export const solid = (
  width: number,
  height: number,
  rgb: [number, number, number],
  format: "jpeg" | "png" | "webp" = "png",
) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .toFormat(format, format === "webp" ? { lossless: true } : format === "jpeg" ? { quality: 100 } : {})
    .toBuffer();

/** A deterministic colourful image (gradients + noise + shapes) so the model sees structure. */
export async function pattern(seed: number, width = 320, height = 240): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  let s = seed * 2654435761;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inCircle = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / (3 + seed)) ** 2;
      px[i] = inCircle ? 230 : (x * 255) / width;
      px[i + 1] = ((y * 255) / height + seed * 40) & 0xff;
      px[i + 2] = (rnd() + seed * 60) & 0xff;
    }
  return sharp(px, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A valid PNG header (IHDR with a correct CRC) that claims `width` x `height`: a decompression bomb's signature. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await solid(8, 8, [10, 20, 30], "png");
  const out = Buffer.from(png);
  // signature (8) | length (4) | "IHDR" (4) | width (4) | height (4) | ... | crc over type+data
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/**
 * A photograph-like RGB image: smooth lighting gradients, a few soft-edged blobs of skin-ish and
 * saturated colours, and mild sensor noise (so JPEG sizes resemble a real photo's, unlike `pattern`).
 */
export function photoPixels(seed: number, width: number, height: number): Buffer {
  // a plain Uint8Array: indexing a Buffer inside jest's VM context is ~40x slower
  const px = new Uint8Array(width * height * 3);
  let s = (seed * 2654435761) >>> 0;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  const sky = [rnd() * 255, rnd() * 255, rnd() * 255];
  for (let y = 0; y < height; y++) {
    const t = y / height;
    const row = [sky[0] * (1 - t) + 60 * t, sky[1] * (1 - t) + 90 * t, sky[2] * (1 - t) + 50 * t].map(Math.round);
    for (let x = 0, i = y * width * 3; x < width; x++, i += 3) px.set(row, i);
  }
  for (let k = 0; k < 5; k++) {
    const [bx, by, r] = [rnd() * width, rnd() * height, (0.1 + rnd() * 0.3) * Math.min(width, height)];
    const c = [80 + rnd() * 175, 40 + rnd() * 160, 30 + rnd() * 150];
    for (let y = Math.max(0, Math.floor(by - r)); y < Math.min(height, by + r); y++)
      for (let x = Math.max(0, Math.floor(bx - r)); x < Math.min(width, bx + r); x++) {
        const d2 = ((x - bx) ** 2 + (y - by) ** 2) / (r * r);
        if (d2 >= 1) continue;
        const a = 1 - d2 * Math.sqrt(d2);
        const i = (y * width + x) * 3;
        for (let ch = 0; ch < 3; ch++) px[i + ch] = px[i + ch] * (1 - a) + c[ch] * a;
      }
  }
  for (let i = 0; i < px.length; i += 3) {
    const n = ((s = (s * 1103515245 + 12345) >>> 0) >>> 27) - 16; // -16..15
    for (let ch = 0; ch < 3; ch++) px[i + ch] = Math.max(0, Math.min(255, px[i + ch] + (n >> 1)));
  }
  return Buffer.from(px.buffer, px.byteOffset, px.length);
}

export const photoLike = (seed: number, width = 640, height = 480, quality = 85) =>
  sharp(photoPixels(seed, width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();

/** A photo-like JPEG whose size is as close to `bytes` as JPEG quality 10..98 gets it. */
export async function photoJpegOfSize(bytes: number, seed = 7, width = 640, height = 480): Promise<Buffer> {
  const raw = sharp(photoPixels(seed, width, height), { raw: { width, height, channels: 3 } });
  let [lo, hi] = [10, 98];
  let best = await raw.clone().jpeg({ quality: lo }).toBuffer();
  while (lo <= hi) {
    const q = (lo + hi) >> 1;
    const out = await raw.clone().jpeg({ quality: q }).toBuffer();
    if (Math.abs(out.length - bytes) < Math.abs(best.length - bytes)) best = out;
    if (out.length < bytes) lo = q + 1;
    else hi = q - 1;
  }
  return best;
}
