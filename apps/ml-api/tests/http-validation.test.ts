// The HTTP layer in-process with fake model/stores: every bad-input case gets its status and
// message, nothing crashes, and good requests still work afterwards.
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { FatalProbeError, Health } from "../src/health";
import { Admission } from "../src/http/admission";
import { createLogger } from "../src/log";
import { createApp, type App, type AppDeps } from "../src/server";
import type { PredictionRecord } from "../src/stores/predictions";
import { pngClaiming, solid } from "./support/images";
import { fakeSession } from "./support/fake-session";
import { decodingInfer, FAKE_MANIFEST } from "./support/fake-infer";

const manifest = FAKE_MANIFEST;

const LIMITS = { maxImageBytes: 64 * 1024, maxImagePixels: 4_000_000, maxTopK: 4 };

describe("HTTP API input validation", () => {
  let app: App;
  let base: string;
  const records: PredictionRecord[] = [];
  let sessionCalls = 0;
  const logLines: string[] = [];
  const health = new Health({ fake: async () => undefined }, createLogger("error"));
  const deps: AppDeps = {
    manifest,
    limits: LIMITS,
    // decodes for real (the worker's decodeImage): corrupt images are refused as the service does
    infer: decodingInfer(LIMITS.maxImagePixels, () => [0.1, 0.05, 0.7, 0.1, 0.05], { queueMs: 0.5, inferenceMs: 3 }),
    sessions: {
      touchOrCreate: async (id) => (sessionCalls++, fakeSession(id)),
    },
    recordPrediction: async (p) => (records.push(p), true),
    predictionBacklog: () => ({ buffered: 0, dropped: 0 }),
    admission: new Admission({ maxInFlight: 4, maxWaiting: 4 }),
    health,
    workers: () => ({ size: 1, busy: 0, queued: 0 }),
    log: createLogger("debug", (l) => logLines.push(l)),
  };

  beforeAll(async () => {
    app = createApp(deps);
    await new Promise<void>((r) => app.server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => app.server.close(r)));

  const post = (
    path: string,
    body: Buffer | string | undefined,
    contentType?: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(base + path, {
      method: "POST",
      body,
      headers: { ...(contentType ? { "content-type": contentType } : {}), ...headers },
    });
  const expectError = async (res: Response, status: number, code: string, message: RegExp) => {
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
    expect(body.error.message).toMatch(message);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  };

  describe("before the model is loaded", () => {
    it("answers /health with 503 and status starting", async () => {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: "starting",
        model: { name: "fake", version: "1.0.0", ready: false },
      });
    });
    it("refuses classification with 503 not_ready and Retry-After", async () => {
      const res = await post("/api/v1/classify", await solid(4, 4, [1, 2, 3]), "image/png");
      expect(res.headers.get("retry-after")).toBe("5");
      await expectError(res, 503, "not_ready", /still loading/);
    });
  });

  describe("once ready", () => {
    beforeAll(async () => {
      health.modelReady = true;
      await health.check();
    });

    it("answers /health with 200, model name/version and store states", async () => {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: "ok",
        model: { name: "fake", version: "1.0.0", ready: true },
        stores: { fake: "ok" },
        workers: { size: 1, busy: 0, queued: 0 },
        requests: { inFlight: 0, waiting: 0 },
        predictions: { buffered: 0, dropped: 0 },
      });
    });

    it.each([
      ["text/plain", "text/plain", /must be one of .* or absent \(got "text\/plain"\)/],
      ["image/gif", "image/gif", /^GIF images are not supported: send JPEG, PNG or WebP$/],
      ["image/heic", "image/heic", /^HEIC images are not supported: send JPEG, PNG or WebP$/],
      ["multipart/form-data", "multipart/form-data; boundary=x", /got "multipart\/form-data"/],
    ])("rejects %s with 415", async (_name, type, message) => {
      await expectError(
        await post("/api/v1/classify", await solid(4, 4, [1, 2, 3]), type),
        415,
        "unsupported_media_type",
        message,
      );
    });

    it.each([
      ["no Content-Type", undefined, "jpeg"],
      ["application/octet-stream", "application/octet-stream", "png"],
      ["image/jpg", "image/jpg", "jpeg"],
      ["image/pjpeg", "image/pjpeg", "jpeg"],
    ])("accepts %s, taking the format from the bytes", async (_name, type, format) => {
      const image = await solid(8, 8, [1, 2, 3], format as "jpeg" | "png");
      const res = await post("/api/v2/classify", image, type);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { image: { format: string } }).image.format).toBe(format);
    });

    it.each([
      ["HEIC", "heic", ["mif1", "heic"]],
      ["AVIF", "avif", ["mif1", "miaf"]],
    ])("refuses %s bytes with 415 naming the format, whatever the declared type", async (name, major, compatible) => {
      const box = Buffer.concat([Buffer.from(major + "\0\0\0\0" + compatible.join(""), "latin1"), Buffer.alloc(64)]);
      const size = Buffer.alloc(4);
      size.writeUInt32BE(8 + 8 + compatible.length * 4);
      const heif = Buffer.concat([size, Buffer.from("ftyp"), box]);
      for (const type of [undefined, "application/octet-stream", "image/jpeg"]) {
        await expectError(
          await post("/api/v1/classify", heif, type),
          415,
          "unsupported_media_type",
          new RegExp(`^${name} images are not supported: send JPEG, PNG or WebP$`),
        );
      }
      const gif = await sharp({ create: { width: 2, height: 2, channels: 3, background: "red" } })
        .gif()
        .toBuffer();
      await expectError(await post("/api/v2/classify", gif, "image/png"), 415, "unsupported_media_type", /^GIF images/);
    });

    it("rejects an empty body with 400 empty_body", async () => {
      await expectError(
        await post("/api/v1/classify", Buffer.alloc(0), "image/png"),
        400,
        "empty_body",
        /request body is empty/,
      );
    });

    it("rejects bytes that are no image with 400 invalid_image", async () => {
      await expectError(
        await post("/api/v1/classify", "definitely not a png", "image/png"),
        400,
        "invalid_image",
        /not a JPEG, PNG or WebP image/,
      );
    });

    it("rejects a body whose format contradicts the Content-Type with 400 content_type_mismatch", async () => {
      await expectError(
        await post("/api/v1/classify", await solid(4, 4, [1, 2, 3], "jpeg"), "image/png"),
        400,
        "content_type_mismatch",
        /says png but the body is jpeg/,
      );
    });

    it("rejects a truncated (corrupt) JPEG with 400 invalid_image", async () => {
      const jpeg = await solid(64, 64, [200, 10, 10], "jpeg");
      await expectError(
        await post("/api/v1/classify", jpeg.subarray(0, Math.floor(jpeg.length / 2)), "image/jpeg"),
        400,
        "invalid_image",
        /corrupt or truncated|not a decodable jpeg/,
      );
    });

    it("rejects a PNG with a valid signature and garbage after it with 400 invalid_image", async () => {
      const png = await solid(8, 8, [1, 2, 3]);
      const broken = Buffer.concat([png.subarray(0, 8), Buffer.alloc(64, 0x41)]);
      await expectError(
        await post("/api/v1/classify", broken, "image/png"),
        400,
        "invalid_image",
        /not a decodable png image/,
      );
    });

    it("rejects a body over MAX_IMAGE_BYTES with 413 payload_too_large", async () => {
      const big = Buffer.concat([await solid(4, 4, [1, 2, 3]), Buffer.alloc(LIMITS.maxImageBytes)]);
      const res = await post("/api/v1/classify", big, "image/png");
      await expectError(res, 413, "payload_too_large", new RegExp(`exceeds the ${LIMITS.maxImageBytes}-byte limit`));
    });

    it("rejects an oversize body sent without Content-Length (chunked) with 413", async () => {
      const big = Buffer.concat([await solid(4, 4, [1, 2, 3]), Buffer.alloc(LIMITS.maxImageBytes)]);
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < big.length; i += 8192) c.enqueue(big.subarray(i, i + 8192));
          c.close();
        },
      });
      const res = await fetch(`${base}/api/v1/classify`, {
        method: "POST",
        body: stream,
        headers: { "content-type": "image/png" },
        duplex: "half",
      } as RequestInit);
      await expectError(res, 413, "payload_too_large", /byte limit/);
    });

    it("rejects a decompression bomb (tiny file, 100000 x 100000 pixels declared) with 413 before decoding", async () => {
      const bomb = await pngClaiming(100_000, 100_000);
      expect(bomb.length).toBeLessThan(200);
      const started = Date.now();
      await expectError(
        await post("/api/v1/classify", bomb, "image/png"),
        413,
        "image_too_large",
        /100000x100000 = 10000000000 pixels; the limit is 4000000/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it.each([
      ["0", /from 1 to 4 \(got "0"\)/],
      ["5", /from 1 to 4 \(got "5"\)/],
      ["1000000", /got "1000000"/],
      ["-1", /got "-1"/],
      ["2.5", /got "2.5"/],
      ["abc", /got "abc"/],
    ])("rejects top_k=%s with 400 invalid_top_k", async (k, message) => {
      await expectError(
        await post(`/api/v2/classify?top_k=${k}`, await solid(4, 4, [1, 2, 3]), "image/png"),
        400,
        "invalid_top_k",
        message,
      );
    });

    it("creates no session for a rejected v2 upload", async () => {
      const before = sessionCalls;
      await expectError(
        await post("/api/v2/classify", "not an image", "image/png"),
        400,
        "invalid_image",
        /not a JPEG, PNG or WebP image/,
      );
      await expectError(
        await post("/api/v2/classify", await pngClaiming(50_000, 50_000), "image/png"),
        413,
        "image_too_large",
        /50000x50000/,
      );
      expect(sessionCalls).toBe(before);
    });

    it("answers unknown paths with 404 JSON", async () => {
      await expectError(
        await fetch(`${base}/api/v3/classify`, { method: "POST" }),
        404,
        "not_found",
        /no route for \/api\/v3\/classify/,
      );
      await expectError(await fetch(`${base}/`), 404, "not_found", /no route for \//);
    });

    it("answers a wrong method with 405 and Allow", async () => {
      const res = await fetch(`${base}/api/v1/classify`);
      expect(res.headers.get("allow")).toBe("POST");
      await expectError(res, 405, "method_not_allowed", /accepts POST/);
    });

    it("answers an unexpected failure with 500 and a request id, without leaking the error", async () => {
      const saved = deps.infer;
      deps.infer = async () => {
        throw new Error("onnxruntime exploded at 0xdeadbeef");
      };
      try {
        const res = await post("/api/v1/classify", await solid(4, 4, [1, 2, 3]), "image/png", {
          "x-request-id": "req-123",
        });
        const body = (await res.json()) as { error: { message: string } };
        expect(res.status).toBe(500);
        expect(body.error.message).toBe("internal error; see the service log for request req-123");
      } finally {
        deps.infer = saved;
      }
    });

    it("still classifies after all of the above: v1 returns the top-1 label and score only", async () => {
      const res = await post("/api/v1/classify", await solid(20, 10, [1, 2, 3], "webp"), "image/webp");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ label: "Neutral", score: 0.7 });
      // which model answered, and the record's id, in headers (v1's body keeps its two fields)
      expect(res.headers.get("x-model-version")).toBe("fake@1.0.0");
      expect(res.headers.get("x-prediction-id")).toBe(records.at(-1)?.id);
      expect(records.at(-1)).toMatchObject({
        apiVersion: 1,
        sessionId: undefined,
        label: "Neutral",
        imageWidth: 20,
        imageHeight: 10,
        imageFormat: "webp",
      });
    });

    it("v2 returns top-k in score order, the session, model version and per-stage latency", async () => {
      const res = await post("/api/v2/classify?top_k=2", await solid(8, 8, [1, 2, 3], "jpeg"), "image/jpeg");
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(200);
      expect(res.headers.get("x-session-id")).toBe("new-session-0001");
      expect(res.headers.get("x-model-version")).toBe("fake@1.0.0");
      expect(res.headers.get("x-prediction-id")).toBe(body.predictionId);
      expect(body.predictionId).toBe(records.at(-1)?.id);
      expect(body.predictions).toEqual([
        { label: "Neutral", score: 0.7 },
        { label: "Drawing", score: 0.1 },
      ]);
      expect(body.model).toEqual({ name: "fake", version: "1.0.0" });
      expect(Object.keys(body.latencyMs as object).sort()).toEqual([
        "decode",
        "inference",
        "preprocess",
        "queue",
        "read",
        "session",
        "sessionWait",
        "store",
        "total",
      ]);
      expect((body.latencyMs as Record<string, number>).inference).toBe(3);
    });

    it("derives the prediction id from X-Request-Id and the image (a retry gets the same id), random without one", async () => {
      const image = await solid(8, 8, [9, 9, 9]);
      const other = await solid(8, 8, [9, 9, 10]);
      const id = async (version: 1 | 2, body: Buffer, requestId?: string) => {
        const res = await post(
          `/api/v${version}/classify`,
          body,
          "image/png",
          requestId ? { "x-request-id": requestId } : {},
        );
        expect(res.status).toBe(200);
        return res.headers.get("x-prediction-id") ?? "";
      };
      const first = await id(2, image, "req-retry-1");
      expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // UUIDv5
      expect(await id(2, image, "req-retry-1")).toBe(first);
      expect(records.slice(-2).map((r) => r.id)).toEqual([first, first]); // the store's ON CONFLICT keeps one
      const others = [
        await id(2, image, "req-retry-2"), // another request
        await id(2, other, "req-retry-1"), // another image under a reused request id
        await id(1, image, "req-retry-1"), // another route
        await id(2, image),
        await id(2, image),
      ];
      expect(new Set([first, ...others]).size).toBe(6);
    });

    it("v1 ignores top_k and X-Session-Id (never a 400 for them)", async () => {
      const res = await post("/api/v1/classify?top_k=0", await solid(8, 8, [1, 2, 3]), "image/png", {
        "x-session-id": "bad id!",
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ label: "Neutral", score: 0.7 });
    });

    it("/api/v2/models reports the running limits, and the served OpenAPI document top_k's running cap", async () => {
      const models = (await (await fetch(`${base}/api/v2/models`)).json()) as { limits: unknown };
      expect(models.limits).toEqual({
        maxImageBytes: LIMITS.maxImageBytes,
        maxImagePixels: LIMITS.maxImagePixels,
        maxTopK: 4, // MAX_TOP_K 4 < 5 labels
        acceptedTypes: [
          "image/jpeg",
          "image/jpg",
          "image/pjpeg",
          "image/png",
          "image/webp",
          "application/octet-stream",
        ],
        batch: { maxImages: 16, maxBytes: 20 * 1024 * 1024 },
      });
      const doc = (await (await fetch(`${base}/api/v2/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: { maximum?: number } }> }>>;
      };
      const topK = doc.paths["/api/v2/classify"].post.parameters?.find((p) => p.name === "top_k");
      expect(topK?.schema).toMatchObject({ minimum: 1, maximum: 4, default: 3 });
      // and the cap is what the server enforces
      expect((await post("/api/v2/classify?top_k=4", await solid(8, 8, [1, 2, 3]), "image/png")).status).toBe(200);
      expect((await post("/api/v2/classify?top_k=5", await solid(8, 8, [1, 2, 3]), "image/png")).status).toBe(400);
    });

    it.each(["/api/v2/models", "/api/v2/openapi.json"])("HEAD %s answers as GET, without a body", async (path) => {
      const get = await fetch(base + path);
      const getBody = await get.text();
      const head = await fetch(base + path, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(getBody)));
      expect(head.headers.get("content-type")).toBe("application/json; charset=utf-8");
    });

    it.each([
      ["/api/v2/models", "GET, HEAD"],
      ["/api/v2/classify", "POST"],
    ])("OPTIONS %s is 405 with Allow (no CORS preflight: server-to-server use)", async (path, allow) => {
      const res = await fetch(base + path, {
        method: "OPTIONS",
        headers: { origin: "https://example.com", "access-control-request-method": "POST" },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    });

    it("v2 defaults top_k to 3", async () => {
      const res = await post("/api/v2/classify", await solid(8, 8, [1, 2, 3]), "image/png");
      expect(((await res.json()) as { predictions: unknown[] }).predictions).toHaveLength(3);
    });

    it("logs one JSON line per request with status and latency", () => {
      const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
      const notFound = lines.find((l) => l.path === "/api/v3/classify");
      expect(notFound).toMatchObject({ level: "info", method: "POST", status: 404 });
      expect(typeof notFound?.latencyMs).toBe("number");
      // the ALB polls /health every 30 s: healthy answers log at debug, unhealthy ones at info
      expect(lines.find((l) => l.path === "/health" && l.status === 200)).toMatchObject({ level: "debug" });
      expect(lines.find((l) => l.path === "/health" && l.status === 503)).toMatchObject({ level: "info" });
    });

    it("turns /health to 503 draining and closes connections once draining", async () => {
      health.draining = true;
      try {
        const res = await fetch(`${base}/health`);
        expect(res.status).toBe(503);
        expect(res.headers.get("connection")).toBe("close");
        expect(((await res.json()) as { status: string }).status).toBe("draining");
      } finally {
        health.draining = false;
      }
    });
  });
});

describe("Health", () => {
  it("stays 200 but degraded when a store fails after start-up, and turns 503 unhealthy on a fatal failure", async () => {
    let failure: Error | undefined;
    const h = new Health(
      {
        db: async () => {
          if (failure) throw failure;
        },
      },
      createLogger("error"),
    );
    h.modelReady = true;
    await h.check();
    expect([h.ready, h.report().status]).toEqual([true, "ok"]);
    failure = new Error("connection refused");
    await h.check();
    expect([h.ready, h.report()]).toEqual([true, { status: "degraded", stores: { db: "error" } }]);
    failure = new FatalProbeError("database rejects the credentials");
    await h.check();
    expect([h.ready, h.report().status]).toEqual([false, "unhealthy"]);
    failure = undefined;
    await h.check();
    expect([h.ready, h.report().status]).toEqual([true, "ok"]);
  });

  it("times out a store that does not answer", async () => {
    const h = new Health({ slow: () => new Promise<void>(() => undefined) }, createLogger("error"), 50);
    expect(await h.check()).toBe(false);
    expect(h.report().stores).toEqual({ slow: "error" });
  });
});
