// End-to-end fidelity: the service's decode + resize + model (in its real worker thread) against
// nsfwjs itself (its load() and infer(), TensorFlow.js) on a varied generated corpus. nsfwjs is
// given the image at full resolution, decoded by sharp in the displayed orientation (what a
// browser's <img> hands to tf.browser.fromPixels), and resizes it its own way.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { decodeImage, inspectImage, sniffFormat } from "../src/image";
import { InferencePool } from "../src/inference/pool";
import { createLogger } from "../src/log";
import { loadManifest } from "../src/model/manifest";
import { photoLike } from "./support/images";
import { builtModelManifest } from "./support/services";

const MAX_PIXELS = 25_000_000;
const REPO = join(__dirname, "..", "..", "..");
const tsx = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    cwd: REPO,
    maxBuffer: 1 << 24,
  });

/** The generated corpus (tests/support/fidelity-corpus.ts, in a child process). */
function corpus(): Array<[string, Buffer]> {
  const dir = mkdtempSync(join(tmpdir(), "mlapi-corpus-"));
  try {
    tsx(join(__dirname, "support", "fidelity-corpus.ts"), dir);
    const index = JSON.parse(readFileSync(join(dir, "corpus.json"), "utf8")) as Array<{ name: string; file: string }>;
    return index.map(({ name, file }) => [name, readFileSync(join(dir, file))]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** nsfwjs's answers (scripts/nsfwjs-reference.ts in a child process) for full-resolution RGB images. */
function nsfwjsReference(images: Array<{ rgb: Buffer; width: number; height: number }>): number[][] {
  const dir = mkdtempSync(join(tmpdir(), "mlapi-nsfwjs-"));
  try {
    images.forEach((img, i) => writeFileSync(join(dir, `${i}.rgb`), img.rgb));
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify(images.map((img, i) => ({ file: `${i}.rgb`, width: img.width, height: img.height }))),
    );
    const out = tsx(join(__dirname, "..", "scripts", "nsfwjs-reference.ts"), dir);
    return JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as number[][];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("scores match nsfwjs's own pipeline", () => {
  const manifest = loadManifest(builtModelManifest());
  let pool: InferencePool;
  beforeAll(async () => {
    pool = await InferencePool.start(manifest, 1, 100, createLogger("error"));
  });
  afterAll(() => pool.close());

  it("on 30+ varied images: the same top-1 label and every probability within 0.01", async () => {
    const images = corpus();
    expect(images.length).toBeGreaterThanOrEqual(30);

    // the service's path: header check, then decode + resize + model in the worker
    const ours = await Promise.all(
      images.map(async ([, body]) => {
        const info = await inspectImage(body, sniffFormat(body) ?? "jpeg", MAX_PIXELS);
        return { info, scores: Array.from((await pool.run(body, MAX_PIXELS)).scores) };
      }),
    );
    // nsfwjs's path: full-resolution pixels in the displayed orientation
    const full = await Promise.all(
      images.map(async ([, body]) => {
        const { data, info } = await sharp(body, { autoOrient: true, limitInputPixels: MAX_PIXELS })
          .removeAlpha()
          .toColourspace("srgb")
          .raw()
          .toBuffer({ resolveWithObject: true });
        return { rgb: data, width: info.width, height: info.height };
      }),
    );
    const reference = nsfwjsReference(full);

    const argmax = (s: number[]) => s.indexOf(Math.max(...s));
    const rows = images.map(([name], i) => ({
      name,
      size: `${ours[i].info.width}x${ours[i].info.height}`,
      top1: [manifest.labels[argmax(ours[i].scores)], manifest.labels[argmax(reference[i])]].join(" / "),
      maxDiff: Math.max(...ours[i].scores.map((v, j) => Math.abs(v - reference[i][j]))),
    }));
    // the reported size is the displayed one: what nsfwjs saw
    expect(ours.map((o) => [o.info.width, o.info.height])).toEqual(full.map((f) => [f.width, f.height]));
    if (process.env.FIDELITY_REPORT)
      console.log(
        rows
          .map((r) => `${r.name.padEnd(32)} ${r.size.padEnd(10)} ${r.top1.padEnd(20)} ${r.maxDiff.toExponential(2)}`)
          .join("\n"),
      );
    const disagreements = rows.filter((_, i) => argmax(ours[i].scores) !== argmax(reference[i]));
    expect(disagreements).toEqual([]);
    const worst = rows.reduce((a, b) => (b.maxDiff > a.maxDiff ? b : a));
    expect({ worst: worst.name, below: worst.maxDiff < 0.01 }).toEqual({ worst: worst.name, below: true });
    // the corpus is not all classified alike
    expect(new Set(ours.map((o) => argmax(o.scores))).size).toBeGreaterThan(2);
  }, 600_000);
});

describe("corrupt JPEG data", () => {
  it("refuses a JPEG whose entropy-coded data is scrambled (libjpeg only warns) instead of classifying it", async () => {
    const jpeg = Buffer.from(await photoLike(3, 320, 240));
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const start = sos + 2 + jpeg.readUInt16BE(sos + 2); // after the SOS header
    let s = 7;
    for (let i = start + 200; i < jpeg.length - 400; i += 3) jpeg[i] = (s = (s * 1103515245 + 12345) >>> 0) % 0xfe; // never 0xff: no fake markers
    await expect(inspectImage(jpeg, "jpeg", MAX_PIXELS)).resolves.toMatchObject({ width: 320 }); // the header is intact
    // sharp's default (failOn "error") would decode it to pixels
    await expect(sharp(jpeg, { failOn: "error" }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
    await expect(decodeImage(jpeg, MAX_PIXELS)).rejects.toMatchObject({ status: 400, code: "invalid_image" });
  });
});
