// The HTTP layer in-process (fake model and stores) at its edges: store failures that must not
// fail a classification, admission control, connections answered before the body is read,
// disconnects and timeouts, hostile request targets and headers.
import type { AddressInfo } from "node:net";
import { Health } from "../src/health";
import { Admission } from "../src/http/admission";
import { HttpError } from "../src/http/errors";
import { createLogger } from "../src/log";
import { createApp, type App, type AppDeps } from "../src/server";
import type { PredictionRecord } from "../src/stores/predictions";
import { solid } from "./support/images";
import { openRequest, parseResponse, rawExchange } from "./support/raw-http";
import { FAKE_MANIFEST } from "./support/fake-infer";
import { fakeSession } from "./support/fake-session";

const manifest = FAKE_MANIFEST;
const MAX_BYTES = 64 * 1024;

interface Harness {
  app: App;
  port: number;
  base: string;
  deps: AppDeps;
  records: PredictionRecord[];
  calls: { infer: number; sessions: number };
  logs: () => Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function start(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const records: PredictionRecord[] = [];
  const calls = { infer: 0, sessions: 0 };
  const lines: string[] = [];
  const health = new Health({ fake: async () => undefined }, createLogger("error"));
  health.modelReady = true;
  await health.check();
  const deps: AppDeps = {
    manifest,
    limits: { maxImageBytes: MAX_BYTES, maxImagePixels: 4_000_000, maxTopK: 4 },
    infer: async () => (
      calls.infer++,
      { scores: Float32Array.from([0.1, 0.05, 0.7, 0.1, 0.05]), queueMs: 0, decodeMs: 1, inferenceMs: 1, batchSize: 1 }
    ),
    sessions: {
      touchOrCreate: async (id) => (calls.sessions++, fakeSession(id)),
    },
    recordPrediction: async (p) => (records.push(p), true),
    predictionBacklog: () => ({ buffered: 0, dropped: 0 }),
    admission: new Admission({ maxInFlight: 4, maxWaiting: 4 }),
    health,
    workers: () => ({ size: 1, busy: 0, queued: 0 }),
    log: createLogger("debug", (l) => lines.push(l)),
    ...overrides,
  };
  const app = createApp(deps);
  await new Promise<void>((r) => app.server.listen(0, "127.0.0.1", r));
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    port,
    base: `http://127.0.0.1:${port}`,
    deps,
    records,
    calls,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      app.server.closeAllConnections();
      await new Promise((r) => app.server.close(r));
    },
  };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The request's one log line, at info (never an error line): a client or timeout failure is not a server fault. */
async function expectRequestLogged(h: Harness, fields: Record<string, unknown>): Promise<void> {
  await until(() => h.logs().some((l) => l.msg === "request"));
  expect(h.logs().find((l) => l.msg === "request")).toMatchObject({ level: "info", ...fields });
  expect(h.logs().filter((l) => l.level === "error")).toEqual([]);
}

describe("store failures do not fail a classification", () => {
  let h: Harness;
  let png: Buffer;
  beforeAll(async () => {
    h = await start();
    png = await solid(8, 8, [1, 2, 3]);
  });
  afterAll(() => h.close());
  const post = (version: 1 | 2, headers: Record<string, string> = {}) =>
    fetch(`${h.base}/api/v${version}/classify`, {
      method: "POST",
      body: png,
      headers: { "content-type": "image/png", ...headers },
    });

  it("v1 answers with stored: false when the prediction row was buffered instead of written", async () => {
    h.deps.recordPrediction = async (p) => (h.records.push(p), false);
    const res = await post(1);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ label: "Neutral", score: 0.7, stored: false });
  });

  it("v2 answers with stored: false and a prediction_not_stored warning", async () => {
    h.deps.recordPrediction = async (p) => (h.records.push(p), false);
    const body = (await (await post(2)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      stored: false,
      warnings: [{ code: "prediction_not_stored", message: expect.stringMatching(/kept in memory and retried/) }],
    });
    expect(body.session).toMatchObject({ id: "new-session-0001" });
  });

  it("v2 answers without a session (session: null, no X-Session-Id) when the session store fails", async () => {
    h.deps.recordPrediction = async (p) => (h.records.push(p), true);
    h.deps.sessions = { touchOrCreate: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8000")) };
    const res = await post(2, { "x-session-id": "some-session-0001" });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-session-id")).toBeNull();
    expect(body).toMatchObject({
      session: null,
      stored: true,
      warnings: [{ code: "session_unavailable", message: expect.stringMatching(/no session/) }],
    });
    expect(body.predictions).toHaveLength(3);
    expect(h.records.at(-1)).toMatchObject({ apiVersion: 2, sessionId: undefined });
    expect(
      h
        .logs()
        .filter((l) => l.msg === "request")
        .at(-1),
    ).toMatchObject({ status: 200, sessionError: "connect ECONNREFUSED 127.0.0.1:8000" });
  });

  it("still refuses a client error from the session store (4xx)", async () => {
    h.deps.sessions = { touchOrCreate: async () => Promise.reject(new HttpError(400, "invalid_session_id", "bad")) };
    expect((await post(2)).status).toBe(400);
  });

  it("v2 answers have stored: true and no warnings when both stores answer", async () => {
    h.deps.sessions = {
      touchOrCreate: async () => ({
        sessionId: "s-0000001",
        created: true,
        createdAt: "x",
        expiresAt: 1,
        requestCount: 1,
      }),
    };
    const body = (await (await post(2)).json()) as Record<string, unknown>;
    expect(body.stored).toBe(true);
    expect(body).not.toHaveProperty("warnings");
  });
});

describe("admission control", () => {
  it("refuses past MAX_IN_FLIGHT + MAX_WAITING at once with 503 overloaded, Retry-After, Connection: close, the body unread", async () => {
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((r) => (unblock = r));
    const h = await start({ admission: new Admission({ maxInFlight: 1, maxWaiting: 1 }) });
    h.deps.infer = async () => (
      await blocked,
      { scores: Float32Array.from([0.1, 0.05, 0.7, 0.1, 0.05]), queueMs: 0, decodeMs: 1, inferenceMs: 1, batchSize: 1 }
    );
    const png = await solid(8, 8, [1, 2, 3]);
    const post = () =>
      fetch(`${h.base}/api/v1/classify`, { method: "POST", body: png, headers: { "content-type": "image/png" } });
    try {
      const first = post();
      await until(() => h.deps.admission.inFlight === 1);
      const second = post();
      await until(() => h.deps.admission.queued === 1);
      const health = (await (await fetch(`${h.base}/health`)).json()) as Record<string, unknown>;
      expect(health.requests).toEqual({ inFlight: 1, waiting: 1 });

      const started = performance.now();
      const refused = await post();
      const ms = performance.now() - started;
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("connection")).toBe("close");
      expect(await refused.json()).toEqual({
        error: { code: "overloaded", message: "the service is at capacity; retry shortly" },
      });
      expect(ms).toBeLessThan(500);

      unblock();
      expect([(await first).status, (await second).status]).toEqual([200, 200]);
      expect([h.deps.admission.inFlight, h.deps.admission.queued]).toEqual([0, 0]);
    } finally {
      unblock();
      await h.close();
    }
  });

  it("answers /health without admission while every slot is taken", async () => {
    const h = await start({ admission: new Admission({ maxInFlight: 1, maxWaiting: 0 }) });
    h.deps.infer = () => new Promise(() => undefined);
    try {
      void fetch(`${h.base}/api/v1/classify`, {
        method: "POST",
        body: await solid(8, 8, [1, 2, 3]),
        headers: { "content-type": "image/png" },
      }).catch(() => undefined);
      await until(() => h.deps.admission.inFlight === 1);
      expect((await fetch(`${h.base}/health`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe("answers sent before the body is read close the connection", () => {
  let h: Harness;
  beforeAll(async () => (h = await start({ admission: new Admission({ maxInFlight: 1, maxWaiting: 0 }) })));
  afterAll(() => h.close());

  // A client streaming a body that never ends: the server must answer and hang up after a bounded
  // drain (2 x MAX_IMAGE_BYTES here), not read on for as long as the client sends.
  it.each([
    ["404 not_found", "POST /nope HTTP/1.1", "text/plain", 404, "not_found"],
    ["415 unsupported_media_type", "POST /api/v1/classify HTTP/1.1", "text/plain", 415, "unsupported_media_type"],
    ["400 invalid_top_k", "POST /api/v2/classify?top_k=0 HTTP/1.1", "image/png", 400, "invalid_top_k"],
    ["413 payload_too_large", "POST /api/v1/classify HTTP/1.1", "image/png", 413, "payload_too_large"],
  ])("%s: answers, then closes instead of reading an unlimited body", async (_name, line, type, status, code) => {
    const ex = await rawExchange(
      h.port,
      `${line}\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100000000000`,
      { bodyBytes: Infinity, maxMs: 8000 },
    );
    const res = parseResponse(ex.response);
    expect(res.status).toBe(status);
    expect(res.headers).toContain("connection: close");
    expect(res.body).toMatchObject({ error: { code } });
    expect(ex.closedByServer).toBe(true);
    // the drain limit plus what the kernel's socket buffers absorb; unbounded reading would be gigabytes
    expect(ex.bodyBytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  it("503 overloaded: closes too, and a chunked body is treated the same way", async () => {
    h.deps.infer = () => new Promise(() => undefined);
    void fetch(`${h.base}/api/v1/classify`, {
      method: "POST",
      body: await solid(8, 8, [1, 2, 3]),
      headers: { "content-type": "image/png" },
    }).catch(() => undefined);
    await until(() => h.deps.admission.inFlight === 1);
    const ex = await rawExchange(
      h.port,
      "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked",
      { bodyBytes: Infinity, chunked: true, maxMs: 8000 },
    );
    expect(parseResponse(ex.response).status).toBe(503);
    expect(ex.closedByServer).toBe(true);
    expect(ex.bodyBytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  it("a client that stops sending after the answer is disconnected once the drain time is over", async () => {
    const socket = await openRequest(h.port, "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 10);
    const started = performance.now();
    socket.resume(); // read the answer, so the close is seen
    await new Promise((r) => socket.once("close", r));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("keeps the connection open after a 404 without a body", async () => {
    const res = await fetch(`${h.base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get("connection")).not.toBe("close");
  });
});

describe("request targets and headers", () => {
  let h: Harness;
  beforeAll(async () => (h = await start()));
  afterAll(() => h.close());

  it.each(["http://[/", "http://a:99999/", "http://a:99999/api/v1/classify"])(
    "answers the absolute target %s with 400 invalid_url",
    async (target) => {
      const ex = await rawExchange(h.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close`);
      expect(parseResponse(ex.response)).toMatchObject({
        status: 400,
        body: { error: { code: "invalid_url", message: "the request target is not a valid URL" } },
      });
      expect(h.logs().filter((l) => l.level === "error")).toEqual([]);
    },
  );

  it("refuses a malformed X-Session-Id before reading, decoding or classifying the body", async () => {
    const before = { ...h.calls };
    const res = await fetch(`${h.base}/api/v2/classify`, {
      method: "POST",
      body: "not even an image",
      headers: { "content-type": "image/png", "x-session-id": "bad id!" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_session_id");
    expect(h.calls).toEqual(before);
  });

  it("caps a 15 KB X-Request-Id at 128 characters in the answer and the log", async () => {
    const res = await fetch(`${h.base}/nope`, { headers: { "x-request-id": "r".repeat(15_000) } });
    expect(res.headers.get("x-request-id")).toBe("r".repeat(128));
    expect(
      h
        .logs()
        .filter((l) => l.msg === "request")
        .at(-1)?.requestId,
    ).toBe("r".repeat(128));
  });

  it.each([
    ['<script>alert("x")</script>', "scriptalertx/script"],
    ["Root=1-67891233-abcdef012345678912345678;Sampled=1", "Root=1-67891233-abcdef012345678912345678;Sampled=1"],
    ["a b\tc\u00e9", "abc"],
  ])("keeps only safe characters of X-Request-Id %j", async (sent, echoed) => {
    const res = await fetch(`${h.base}/nope`, {
      headers: { "x-request-id": Buffer.from(sent, "utf8").toString("latin1") },
    });
    expect(res.headers.get("x-request-id")).toBe(echoed);
  });

  it("issues a new id when nothing of the caller's is usable", async () => {
    const res = await fetch(`${h.base}/nope`, { headers: { "x-request-id": "<<>>" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("disconnects and timeouts are logged as what they are", () => {
  it("a client that disconnects mid-body is logged as 499 client_disconnected at info, with no error line", async () => {
    const h = await start();
    try {
      const socket = await openRequest(
        h.port,
        "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n",
        100,
      );
      await until(() => h.app.inFlight() === 1);
      socket.destroy();
      await expectRequestLogged(h, {
        path: "/api/v1/classify",
        status: 499,
        error: "client_disconnected",
      });
      expect(h.deps.admission.inFlight).toBe(0);
    } finally {
      await h.close();
    }
  });

  it("a body that does not arrive within the request timeout gets 408 request_timeout, logged as 408, not 500", async () => {
    const h = await start({ timeouts: { requestMs: 300, headersMs: 300, checkIntervalMs: 50 } });
    try {
      const socket = await openRequest(
        h.port,
        "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n",
        100,
      );
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      await new Promise((r) => socket.once("close", r));
      expect(parseResponse(raw)).toMatchObject({ status: 408, body: { error: { code: "request_timeout" } } });
      await expectRequestLogged(h, {
        status: 408,
        error: "request_timeout",
      });
    } finally {
      await h.close();
    }
  });

  it("a stalled body gets 408 body_timeout after bodyIdleMs and frees its admission slot at once", async () => {
    // one slot, no queue: while the stalled upload held it, every other classification would be a 503
    const h = await start({
      admission: new Admission({ maxInFlight: 1, maxWaiting: 0 }),
      timeouts: { bodyIdleMs: 300 },
    });
    try {
      const started = performance.now();
      const socket = await openRequest(
        h.port,
        "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n",
        100,
      );
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      const closed = new Promise((r) => socket.once("close", r));
      await until(() => h.deps.admission.inFlight === 1);
      const blocked = await fetch(`${h.base}/api/v1/classify`, {
        method: "POST",
        body: await solid(8, 8, [1, 2, 3]),
        headers: { "content-type": "image/png" },
      });
      expect(blocked.status).toBe(503);
      await until(() => raw.includes("\r\n\r\n"), 5000);
      // well before the 30 s request timeout
      expect(performance.now() - started).toBeLessThan(2000);
      const answer = parseResponse(raw);
      expect(answer).toMatchObject({ status: 408, body: { error: { code: "body_timeout" } } });
      expect(answer.headers).toContain("connection: close");
      expect(h.deps.admission.inFlight).toBe(0);
      const after = await fetch(`${h.base}/api/v1/classify`, {
        method: "POST",
        body: await solid(8, 8, [1, 2, 3]),
        headers: { "content-type": "image/png" },
      });
      expect(after.status).toBe(200);
      await closed; // after the bounded drain
      await until(() => h.logs().some((l) => l.status === 408));
      expect(h.logs().find((l) => l.status === 408)).toMatchObject({ level: "info", error: "body_timeout" });
      expect(h.logs().filter((l) => l.level === "error")).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it("a slow body that keeps arriving is not cut by the idle timeout (each byte rearms it)", async () => {
    const h = await start({ timeouts: { bodyIdleMs: 300 } });
    try {
      const png = await solid(8, 8, [1, 2, 3]);
      const socket = await openRequest(
        h.port,
        `POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${png.length}\r\nConnection: close\r\n\r\n`,
        0,
      );
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      const closed = new Promise((r) => socket.once("close", r));
      // 6 pieces 150 ms apart: 750 ms in all, longer than the idle timeout, never idle for it
      const piece = Math.ceil(png.length / 6);
      for (let i = 0; i < png.length; i += piece) {
        socket.write(png.subarray(i, i + piece));
        await new Promise((r) => setTimeout(r, 150));
      }
      await closed;
      expect(parseResponse(raw)).toMatchObject({ status: 200, body: { label: "Neutral" } });
    } finally {
      await h.close();
    }
  });

  it("a malformed body (broken chunked framing) gets 400 bad_request, logged as 400, not 499 or 500", async () => {
    const h = await start();
    try {
      const head =
        "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n";
      const socket = await openRequest(h.port, `${head}5\r\nhello\r\n`, 0);
      await until(() => h.app.inFlight() === 1);
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      socket.write("zz-not-a-chunk-size\r\n");
      await new Promise((r) => socket.once("close", r));
      expect(parseResponse(raw)).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
      await expectRequestLogged(h, {
        status: 400,
        error: "bad_request",
      });
    } finally {
      await h.close();
    }
  });

  it("headers that never finish get 408 and one log line", async () => {
    const h = await start({ timeouts: { requestMs: 300, headersMs: 300, checkIntervalMs: 50 } });
    try {
      const socket = await openRequest(h.port, "GET /health HTTP/1.1\r\nX-Slow: 1\r\n", 0);
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      await new Promise((r) => socket.once("close", r));
      expect(parseResponse(raw).status).toBe(408);
      expect(h.logs()).toEqual([
        expect.objectContaining({ msg: "request", level: "info", status: 408, error: "request_timeout" }),
      ]);
    } finally {
      await h.close();
    }
  });
});
