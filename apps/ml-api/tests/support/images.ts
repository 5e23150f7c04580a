// Test images made with sharp (nothing downloaded).
import { crc32 } from "node:zlib";
import sharp from "sharp";

export const solid = (width: number, height: number, rgb: [number, number, number], format: "jpeg" | "png" | "webp" = "png") =>
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
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
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
