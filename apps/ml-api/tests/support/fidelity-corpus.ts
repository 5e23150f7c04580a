// The fidelity test's corpus, generated here (a child process: pixel loops run ~40x slower inside
// jest's module runtime) and written to <dir>/<i>.img with <dir>/corpus.json = [{ name, file }].
// Usage: tsx fidelity-corpus.ts <dir>
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { pattern, photoLike, photoPixels, solid } from "./images";

const raw = (px: Buffer, width: number, height: number, channels: 1 | 3 | 4 = 3) =>
  sharp(px, { raw: { width, height, channels } });

/** A line drawing / cartoon: flat fills and strokes on white, as SVG rendered by sharp. */
const drawing = (seed: number, width: number, height: number, format: "png" | "jpeg" = "png") => {
  const c = (k: number) =>
    `hsl(${(seed * 67 + k * 97) % 360},${50 + ((seed * 13) % 40)}%,${40 + ((seed * 7 + k * 11) % 35)}%)`;
  const shapes = Array.from({ length: 6 }, (_, k) => {
    const x = ((seed * 31 + k * 53) % 90) / 100;
    const y = ((seed * 17 + k * 41) % 90) / 100;
    return k % 2
      ? `<circle cx="${x * width}" cy="${y * height}" r="${(0.05 + k * 0.03) * width}" fill="${c(k)}" stroke="black" stroke-width="${2 + k}"/>`
      : `<rect x="${x * width * 0.8}" y="${y * height * 0.8}" width="${width / 4}" height="${height / 5}" rx="8" fill="${c(k)}" stroke="#222" stroke-width="3"/>`;
  }).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).toFormat(format).toBuffer();
};

/** A photo with a transparent hole and soft alpha edges. */
const withAlpha = (seed: number, width: number, height: number, format: "png" | "webp") => {
  const rgb = photoPixels(seed, width, height);
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgb.copy(rgba, p * 4, p * 3, p * 3 + 3);
    const d = Math.hypot((p % width) - width / 2, Math.floor(p / width) - height / 2) / (Math.min(width, height) / 3);
    rgba[p * 4 + 3] = Math.max(0, Math.min(255, Math.round((d - 0.5) * 400)));
  }
  return raw(rgba, width, height, 4)
    .toFormat(format, format === "webp" ? { quality: 90 } : {})
    .toBuffer();
};

/** Stored rotated, with the EXIF orientation that displays it upright. */
const exifRotated = async (seed: number, orientation: number) => {
  const upright = raw(photoPixels(seed, 480, 360), 480, 360);
  const stored =
    orientation === 3
      ? upright.rotate(180)
      : orientation === 6
        ? upright.rotate(-90)
        : orientation === 8
          ? upright.rotate(90)
          : upright.flop();
  return sharp(await stored.png().toBuffer())
    .withMetadata({ orientation })
    .jpeg({ quality: 90 })
    .toBuffer();
};

const grey = (seed: number, width: number, height: number, format: "jpeg" | "png") =>
  raw(photoPixels(seed, width, height), width, height)
    .greyscale()
    .toFormat(format)
    .toBuffer();

async function corpus(): Promise<Array<[string, Buffer]>> {
  const items: Array<[string, Promise<Buffer>]> = [
    ["photo 640x480 q85", photoLike(1)],
    ["photo 1024x768 q92", photoLike(2, 1024, 768, 92)],
    ["photo 480x640 portrait q75", photoLike(3, 480, 640, 75)],
    ["photo 300x300 q60", photoLike(4, 300, 300, 60)],
    ["photo 1920x1080 q88", photoLike(5, 1920, 1080, 88)],
    [
      "photo 800x600 png",
      raw(photoPixels(6, 800, 600), 800, 600)
        .png()
        .toBuffer(),
    ],
    [
      "photo 640x427 webp",
      raw(photoPixels(7, 640, 427), 640, 427)
        .webp({ quality: 80 })
        .toBuffer(),
    ],
    [
      "photo 500x500 low saturation",
      raw(photoPixels(8, 500, 500), 500, 500)
        .modulate({ saturation: 0.2 })
        .jpeg()
        .toBuffer(),
    ],
    ["photo 12 MP 4000x3000", photoLike(9, 4000, 3000, 85)],
    [
      "photo 12 MP 3000x4000 EXIF 6",
      raw(photoPixels(10, 4000, 3000), 4000, 3000)
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ],
    ["drawing 600x400 png", drawing(1, 600, 400)],
    ["drawing 400x600 png", drawing(2, 400, 600)],
    ["drawing 1200x900 jpeg", drawing(3, 1200, 900, "jpeg")],
    ["drawing 256x256 png", drawing(4, 256, 256)],
    ["greyscale jpeg 640x480", grey(11, 640, 480, "jpeg")],
    ["greyscale png 320x240", grey(12, 320, 240, "png")],
    ["greyscale jpeg 2000x1500", grey(13, 2000, 1500, "jpeg")],
    ["alpha png 400x300", withAlpha(14, 400, 300, "png")],
    ["alpha webp 640x480", withAlpha(15, 640, 480, "webp")],
    ["alpha png 1000x1000", withAlpha(16, 1000, 1000, "png")],
    ["EXIF 3 (180°)", exifRotated(17, 3)],
    ["EXIF 6 (90° cw)", exifRotated(18, 6)],
    ["EXIF 8 (90° ccw)", exifRotated(19, 8)],
    ["EXIF 2 (mirrored)", exifRotated(20, 2)],
    ["tiny 1x1 png", solid(1, 1, [200, 150, 120])],
    ["tiny 8x8 jpeg", photoLike(21, 8, 8)],
    [
      "tiny 16x12 png",
      raw(photoPixels(22, 16, 12), 16, 12)
        .png()
        .toBuffer(),
    ],
    [
      "tiny 50x30 webp",
      raw(photoPixels(23, 50, 30), 50, 30)
        .webp({ lossless: true })
        .toBuffer(),
    ],
    ["noise pattern 320x240", pattern(1)],
    ["noise pattern 500x300", pattern(2, 500, 300)],
    ["solid skin tone jpeg", solid(64, 64, [240, 200, 180], "jpeg")],
    ["exactly 224x224", photoLike(24, 224, 224)],
    ["448x448 (2x the input)", photoLike(25, 448, 448)],
    ["panorama 3000x600", photoLike(26, 3000, 600)],
  ];
  return Promise.all(items.map(async ([name, p]) => [name, await p] as [string, Buffer]));
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  const images = await corpus();
  images.forEach(([, data], i) => writeFileSync(join(dir, `${i}.img`), data));
  writeFileSync(join(dir, "corpus.json"), JSON.stringify(images.map(([name], i) => ({ name, file: `${i}.img` }))));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
