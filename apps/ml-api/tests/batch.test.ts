// Batch classification: the multipart parser's bounds and errors, and per-item results through
// the HTTP layer (fake model): one bad image does not fail the others.
import type { AddressInfo } from "node:net";
import { MAX_BATCH_IMAGES, multipartBoundary, parseMultipart } from "../src/batch";
import { Health } from "../src/health";
import { Admission } from "../src/http/admission";
import { createLogger } from "../src/log";
import { createApp, type App, type AppDeps } from "../src/server";
import type { PredictionRecord } from "../src/stores/predictions";
import { solid } from "./support/images";
import { fakeSession } from "./support/fake-session";
import { decodingInfer, FAKE_MANIFEST } from "./support/fake-infer";

const form = (
  parts: Array<{ name: string; type?: string; data: Buffer | string; filename?: string }>,
  boundary = "XyZ",
) =>
  Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`,
      ),
      Buffer.from(p.data),
      Buffer.from("\r\n"),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);

describe("multipart parsing", () => {
  it("reads the boundary from the Content-Type (quoted or not) and refuses anything else with 415", () => {
    expect(multipartBoundary("multipart/form-data; boundary=abc")).toBe("abc");
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe("a b");
    expect(() => multipartBoundary("image/jpeg")).toThrow(
      expect.objectContaining({ status: 415, code: "unsupported_media_type" }),
    );
    expect(() => multipartBoundary("multipart/form-data")).toThrow(expect.objectContaining({ status: 415 }));
  });

  it("splits parts with their names, file names, types and exact bytes (CRLF inside data kept)", () => {
    const parts = parseMultipart(
      form([
        { name: "a", filename: "x.png", type: "image/png", data: "12\r\n34" },
        { name: "b", data: "" },
      ]),
      "XyZ",
      5,
    );
    expect(parts.map((p) => ({ ...p, data: p.data.toString() }))).toEqual([
      { name: "a", filename: "x.png", contentType: "image/png", data: "12\r\n34" },
      { name: "b", filename: undefined, contentType: undefined, data: "" },
    ]);
  });

  it.each([
    ["no delimiter", Buffer.from("hello"), 400, "no boundary delimiter"],
    [
      "unterminated headers",
      Buffer.from("--XyZ\r\nContent-Disposition: form-data"),
      400,
      "part headers not terminated",
    ],
    [
      "no closing delimiter",
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\ndata'),
      400,
      "no closing delimiter",
    ],
    [
      "no name",
      form([{ name: "a", data: "x" }])
        .toString()
        .replace('; name="a"', ""),
      400,
      "lacks Content-Disposition",
    ],
  ])("refuses %s", (_name, body, status, message) => {
    expect(() => parseMultipart(Buffer.from(body), "XyZ", 5)).toThrow(
      expect.objectContaining({ status, message: expect.stringContaining(message) }),
    );
  });

  it(`refuses more than the maximum number of parts with 413 too_many_images`, () => {
    const body = form(Array.from({ length: 4 }, (_, i) => ({ name: `i${i}`, data: "x" })));
    expect(() => parseMultipart(body, "XyZ", 3)).toThrow(
      expect.objectContaining({ status: 413, code: "too_many_images", message: "a batch takes at most 3 images" }),
    );
  });
});

describe("POST /api/v2/classify/batch", () => {
  const manifest = FAKE_MANIFEST;
  const records: PredictionRecord[] = [];
  let app: App;
  let base: string;
  const health = new Health({ fake: async () => undefined }, createLogger("error"));
  const deps: AppDeps = {
    manifest,
    limits: { maxImageBytes: 8 * 1024, maxImagePixels: 1_000_000, maxTopK: 5 },
    // the "model" says Porn for red images, Neutral otherwise
    infer: decodingInfer(1_000_000, (px) => (px.data[0] > 200 ? [0, 0, 0.1, 0.9, 0] : [0, 0, 0.9, 0.1, 0])),
    sessions: {
      touchOrCreate: async (id) => fakeSession(id, "batch-session-1"),
    },
    recordPrediction: async (p) => (records.push(p), true),
    predictionBacklog: () => ({ buffered: 0, dropped: 0 }),
    admission: new Admission({ maxInFlight: 1, maxWaiting: 0 }),
    health,
    workers: () => ({ size: 1, busy: 0, queued: 0 }),
    log: createLogger("error", () => undefined),
  };
  beforeAll(async () => {
    health.modelReady = true;
    await health.check();
    app = createApp(deps);
    await new Promise<void>((r) => app.server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => app.server.close(r)));

  it("answers each image on its own: bad ones get their error, good ones their predictions, in order", async () => {
    const body = form([
      { name: "red", filename: "red.png", type: "image/png", data: await solid(8, 8, [255, 0, 0]) },
      { name: "text", type: "text/plain", data: "hello" },
      {
        name: "corrupt",
        type: "image/jpeg",
        data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(40, 7)]),
      },
      { name: "huge", type: "image/png", data: Buffer.alloc(9 * 1024, 1) },
      { name: "blue", type: "image/webp", data: await solid(8, 8, [0, 0, 255], "webp") },
    ]);
    const res = await fetch(`${base}/api/v2/classify/batch?top_k=1`, {
      method: "POST",
      body,
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    });
    expect(res.status).toBe(200);
    // the session in a header as for a single image, and the model that answered
    expect(res.headers.get("x-session-id")).toBe("batch-session-1");
    expect(res.headers.get("x-model-version")).toBe("fake@1.0.0");
    const out = (await res.json()) as { results: Array<Record<string, unknown>>; session: { id: string } };
    expect(
      out.results.map((r) => [
        r.index,
        r.name,
        "predictions" in r ? (r.predictions as Array<{ label: string }>)[0].label : (r.error as { code: string }).code,
      ]),
    ).toEqual([
      [0, "red", "Porn"],
      [1, "text", "unsupported_media_type"],
      [2, "corrupt", "invalid_image"],
      [3, "huge", "payload_too_large"],
      [4, "blue", "Neutral"],
    ]);
    expect(out.results[0]).toMatchObject({ filename: "red.png", image: { format: "png", width: 8, height: 8 } });
    // one metadata row per classified image, with the session that was created
    expect(records.map((r) => [r.label, r.sessionId, r.apiVersion])).toEqual([
      ["Porn", "batch-session-1", 2],
      ["Neutral", "batch-session-1", 2],
    ]);
  });

  it("passes admission before its body is read: refused at once with 503 overloaded while the slot is taken", async () => {
    const before = records.length;
    const release = await deps.admission.acquire(); // the one slot (maxInFlight 1, maxWaiting 0)
    try {
      const body = form([{ name: "a", type: "image/png", data: await solid(8, 8, [255, 0, 0]) }]);
      const res = await fetch(`${base}/api/v2/classify/batch`, {
        method: "POST",
        body,
        headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({ error: { code: "overloaded" } });
      expect(deps.admission.refused).toBe(1);
    } finally {
      release();
    }
    expect(records.length).toBe(before);
    expect(deps.admission.inFlight).toBe(0);
  });

  it("answers through store failures: items not stored say stored: false, no session when DynamoDB fails", async () => {
    const saved = { sessions: deps.sessions, recordPrediction: deps.recordPrediction };
    deps.sessions = { touchOrCreate: () => Promise.reject(new Error("dynamodb down")) };
    // the first row is written, the second buffered (PostgreSQL failed in between)
    let n = 0;
    deps.recordPrediction = async () => n++ === 0;
    try {
      const body = form([
        { name: "red", type: "image/png", data: await solid(8, 8, [255, 0, 0]) },
        { name: "text", type: "text/plain", data: "hello" },
        { name: "blue", type: "image/png", data: await solid(8, 8, [0, 0, 255]) },
      ]);
      const res = await fetch(`${base}/api/v2/classify/batch?top_k=1`, {
        method: "POST",
        body,
        headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-session-id")).toBeNull();
      const out = (await res.json()) as {
        session: unknown;
        warnings: Array<{ code: string }>;
        results: Array<Record<string, unknown>>;
      };
      expect(out.session).toBeNull();
      expect(out.warnings.map((w) => w.code)).toEqual(["prediction_not_stored", "session_unavailable"]);
      expect(out.results.map((r) => [r.name, r.stored])).toEqual([
        ["red", true],
        ["text", undefined],
        ["blue", false],
      ]);
    } finally {
      Object.assign(deps, saved);
    }
  });

  it(`refuses a batch of more than ${MAX_BATCH_IMAGES} images with 413 before classifying any`, async () => {
    const before = records.length;
    const png = await solid(4, 4, [1, 2, 3]);
    const body = form(
      Array.from({ length: MAX_BATCH_IMAGES + 1 }, (_, i) => ({ name: `i${i}`, type: "image/png", data: png })),
    );
    const res = await fetch(`${base}/api/v2/classify/batch`, {
      method: "POST",
      body,
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "too_many_images", message: `a batch takes at most ${MAX_BATCH_IMAGES} images` },
    });
    expect(records.length).toBe(before);
  });
});
