// The OpenAPI document (src/openapi.json) against the server: every documented response of every
// operation is produced by a scenario, its status is the documented one and its body validates
// against the documented schema; no scenario answers a status the document does not list.
// Responses marked `x-answered-by: edge` (403/404/429 from CloudFront's WAF or the load balancer's
// catch-all) cannot come from the server: they are checked for the error shape instead, and the
// server answering one of those statuses itself is a failure.
import type { AddressInfo } from "node:net";
import { Health } from "../src/health";
import { Admission } from "../src/http/admission";
import { HttpError } from "../src/http/errors";
import { createLogger } from "../src/log";
import document from "../src/openapi.json";
import { createApp, ROUTES, type App, type AppDeps } from "../src/server";
import { solid } from "./support/images";
import { rawExchange } from "./support/raw-http";
import { validate } from "./support/schema";
import { FAKE_MANIFEST } from "./support/fake-infer";
import { fakeSession } from "./support/fake-session";

const manifest = FAKE_MANIFEST;
const good = {
  scores: Float32Array.from([0.1, 0.05, 0.7, 0.1, 0.05]),
  queueMs: 0.5,
  decodeMs: 2,
  inferenceMs: 3,
  batchSize: 1,
};

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          {
            description: string;
            "x-answered-by"?: string;
            headers?: Record<string, unknown>;
            content?: Record<string, { schema: Record<string, unknown> }>;
          }
        >;
      }
    >
  >;
};
const doc = document as unknown as Doc;

describe("OpenAPI document vs the server", () => {
  let app: App;
  let base: string;
  const health = new Health({ fake: async () => undefined }, createLogger("error"));
  const deps: AppDeps = {
    manifest,
    limits: { maxImageBytes: 64 * 1024, maxImagePixels: 4_000_000, maxTopK: 4 },
    infer: async () => good,
    sessions: {
      touchOrCreate: async (id) => fakeSession(id),
    },
    recordPrediction: async () => true,
    predictionBacklog: () => ({ buffered: 0, dropped: 0 }),
    admission: new Admission({ maxInFlight: 4, maxWaiting: 4 }),
    health,
    workers: () => ({ size: 1, busy: 0, queued: 0 }),
    log: createLogger("error", () => undefined),
    // short enough to produce a 408 in the test, long enough for any other request to arrive
    timeouts: { requestMs: 1500, headersMs: 1500, checkIntervalMs: 100 },
  };
  beforeAll(async () => {
    app = createApp(deps);
    await new Promise<void>((r) => app.server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => app.server.close(r)));

  const multipart = (parts: Array<{ name: string; type: string; data: Buffer }>, boundary = "b0undary") => ({
    body: Buffer.concat([
      ...parts.flatMap((p) => [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.name}.img"\r\nContent-Type: ${p.type}\r\n\r\n`,
        ),
        p.data,
        Buffer.from("\r\n"),
      ]),
      Buffer.from(`--${boundary}--\r\n`),
    ]),
    type: `multipart/form-data; boundary=${boundary}`,
  });

  /** [path, method, expected status, request] in order: the first ones run before the model is "loaded". */
  type Scenario = [string, string, number, () => Promise<Response>, (() => () => void)?];
  const post = (path: string, body?: Buffer, type?: string) => () =>
    fetch(base + path, { method: "POST", body, headers: type ? { "content-type": type } : {} });
  const get =
    (path: string, method = "GET") =>
    () =>
      fetch(base + path, { method });
  const failing = (key: "infer" | "sessions", err: Error) => () => {
    const saved = { infer: deps.infer, sessions: deps.sessions };
    if (key === "infer") deps.infer = () => Promise.reject(err);
    else deps.sessions = { touchOrCreate: () => Promise.reject(err) };
    return () => Object.assign(deps, saved);
  };
  const using = (overrides: Partial<AppDeps>) => () => {
    const saved = { ...deps };
    Object.assign(deps, overrides);
    return () => Object.assign(deps, saved);
  };
  /** For what fetch cannot send (a body that never comes, oversized headers, an invalid target): a raw exchange. */
  const raw =
    (head: string, bodyBytes = 0) =>
    async () => {
      const { response } = await rawExchange(Number(new URL(base).port), head, { bodyBytes, maxMs: 10_000 });
      const split = response.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = response.slice(0, split).split("\r\n");
      const headers = new Headers(
        lines.map((l): [string, string] => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
      );
      return new Response(response.slice(split + 4), { status: Number(statusLine.split(" ")[1]), headers });
    };
  const headerProblems: string[] = [];
  const retryAfter = (send: () => Promise<Response>) => async () => {
    const res = await send();
    if (res.headers.get("retry-after") !== "1")
      headerProblems.push(`${res.url} -> ${res.status}: Retry-After ${res.headers.get("retry-after")}`);
    return res;
  };

  it("every documented response is what the server answers, and nothing undocumented", async () => {
    const png = await solid(20, 10, [200, 100, 50]);
    const full = new Admission({ maxInFlight: 1, maxWaiting: 0 });
    await full.acquire(); // never released: every classification is refused as overloaded
    const storesDown = using({
      sessions: { touchOrCreate: () => Promise.reject(new Error("dynamodb down")) },
      recordPrediction: async () => false,
    });
    const bigHeader = `X-Padding: ${"a".repeat(20_000)}`;
    const big = Buffer.alloc(70 * 1024, 1);
    const scenarios: Scenario[] = [
      ["/health", "get", 503, get("/health")],
      ["/health", "head", 503, get("/health", "HEAD")],
      ["/api/v1/classify", "post", 503, post("/api/v1/classify", png, "image/png")],
      ["/api/v2/classify", "post", 503, post("/api/v2/classify", png, "image/png")],
      [
        "/api/v2/classify/batch",
        "post",
        503,
        post(
          "/api/v2/classify/batch",
          multipart([{ name: "a", type: "image/png", data: png }]).body,
          multipart([]).type,
        ),
      ],
      ["/health", "get", 200, get("/health")],
      ["/health", "head", 200, get("/health", "HEAD")],
      ["/api/v1/classify", "post", 200, post("/api/v1/classify", png, "image/png")],
      ["/api/v1/classify", "post", 400, post("/api/v1/classify", Buffer.alloc(0), "image/png")],
      ["/api/v1/classify", "post", 405, get("/api/v1/classify")],
      ["/api/v1/classify", "post", 413, post("/api/v1/classify", big, "image/png")],
      ["/api/v1/classify", "post", 415, post("/api/v1/classify", png, "text/plain")],
      [
        "/api/v1/classify",
        "post",
        500,
        post("/api/v1/classify", png, "image/png"),
        failing("infer", new Error("boom")),
      ],
      ["/api/v2/classify", "post", 200, post("/api/v2/classify", png, "image/png")],
      ["/api/v2/classify", "post", 400, post("/api/v2/classify?top_k=0", png, "image/png")],
      ["/api/v2/classify", "post", 405, get("/api/v2/classify")],
      ["/api/v2/classify", "post", 413, post("/api/v2/classify", big, "image/png")],
      ["/api/v2/classify", "post", 415, post("/api/v2/classify", png, "text/plain")],
      [
        "/api/v2/classify",
        "post",
        500,
        post("/api/v2/classify", png, "image/png"),
        failing("infer", new Error("boom")),
      ],
      [
        "/api/v2/classify",
        "post",
        503,
        post("/api/v2/classify", png, "image/png"),
        failing("infer", new HttpError(503, "overloaded", "busy", { "Retry-After": "1" })),
      ],
      [
        "/api/v1/classify",
        "post",
        503,
        post("/api/v1/classify", png, "image/png"),
        failing("infer", new HttpError(503, "overloaded", "busy", { "Retry-After": "1" })),
      ],
      ...(() => {
        const mixed = multipart([
          { name: "ok", type: "image/png", data: png },
          { name: "junk", type: "image/jpeg", data: Buffer.from("not an image") },
        ]);
        const many = multipart(Array.from({ length: 17 }, (_, i) => ({ name: `i${i}`, type: "image/png", data: png })));
        const none = multipart([]);
        return [
          ["/api/v2/classify/batch", "post", 200, post("/api/v2/classify/batch", mixed.body, mixed.type)],
          ["/api/v2/classify/batch", "post", 400, post("/api/v2/classify/batch", none.body, none.type)],
          ["/api/v2/classify/batch", "post", 405, get("/api/v2/classify/batch")],
          ["/api/v2/classify/batch", "post", 413, post("/api/v2/classify/batch", many.body, many.type)],
          ["/api/v2/classify/batch", "post", 415, post("/api/v2/classify/batch", png, "image/png")],
          ["/api/v2/classify/batch", "post", 200, post("/api/v2/classify/batch", mixed.body, mixed.type), storesDown],
          [
            "/api/v2/classify/batch",
            "post",
            500,
            post("/api/v2/classify/batch", mixed.body, mixed.type),
            using({ recordPrediction: () => Promise.reject(new Error("boom")) }),
          ],
        ] as Scenario[];
      })(),
      // stores down: answered, with stored: false / session: null / warnings
      ["/api/v1/classify", "post", 200, post("/api/v1/classify", png, "image/png"), storesDown],
      ["/api/v2/classify", "post", 200, post("/api/v2/classify", png, "image/png"), storesDown],
      // connection edges and admission, on each classification route
      ...(["/api/v1/classify", "/api/v2/classify", "/api/v2/classify/batch"] as const).flatMap((path): Scenario[] => {
        const type = path.endsWith("batch") ? multipart([]).type : "image/png";
        return [
          [
            path,
            "post",
            400,
            raw(
              `POST http://a:99999${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: 0`,
            ),
          ],
          [
            path,
            "post",
            408,
            raw(`POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\nContent-Length: 1000`, 10),
          ],
          [
            path,
            "post",
            431,
            raw(`POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\n${bigHeader}\r\nContent-Length: 0`),
          ],
          [path, "post", 503, retryAfter(post(path, png, type)), using({ admission: full })],
        ];
      }),
      ["/api/v2/models", "get", 200, get("/api/v2/models")],
      ["/api/v2/models", "get", 405, post("/api/v2/models")],
      ["/api/v2/models", "head", 200, get("/api/v2/models", "HEAD")],
      ["/api/v2/openapi.json", "head", 200, get("/api/v2/openapi.json", "HEAD")],
      ["/api/v2/openapi.json", "get", 200, get("/api/v2/openapi.json")],
      ["/api/v2/openapi.json", "get", 405, post("/api/v2/openapi.json")],
    ];

    const problems: string[] = [];
    const covered = new Set<string>();
    for (const [path, method, status, send, setup] of scenarios) {
      if (status === 200 && path === "/health" && method === "get") {
        health.modelReady = true;
        await health.check();
      }
      const restore = setup?.();
      const res = await send();
      restore?.();
      const text = await res.text();
      const where = `${method.toUpperCase()} ${path} -> ${res.status}`;
      if (res.status !== status) problems.push(`${where}: expected ${status}`);
      const documented = doc.paths[path]?.[method]?.responses[String(res.status)];
      if (!documented) {
        problems.push(`${where}: status not documented`);
        continue;
      }
      if (documented["x-answered-by"]) problems.push(`${where}: documented as answered by the edge, not the server`);
      covered.add(`${method} ${path} ${res.status}`);
      const schema = documented.content?.["application/json"]?.schema;
      if (schema) {
        if (res.headers.get("content-type") !== "application/json; charset=utf-8")
          problems.push(`${where}: content-type ${res.headers.get("content-type")}`);
        problems.push(
          ...validate(document as unknown as Record<string, unknown>, schema, JSON.parse(text)).map(
            (e) => `${where}: ${e}`,
          ),
        );
      } else if (text !== "") problems.push(`${where}: documented without a body but has one`);
    }
    expect([...problems, ...headerProblems]).toEqual([]);
    const documentedResponses = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => Object.keys(op.responses).map((s) => `${method} ${path} ${s}`)),
    );
    const isEdge = (r: string) => {
      const [method, path, status] = r.split(" ");
      return doc.paths[path][method].responses[status]["x-answered-by"] === "edge";
    };
    expect(documentedResponses.filter((r) => !covered.has(r) && !isEdge(r))).toEqual([]);
  });

  it("documents the edge's answers (403, 404, 429) on every operation, in the API's error shape", () => {
    const codes: Record<string, string> = { "403": "forbidden", "404": "not_found", "429": "rate_limited" };
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const edge = Object.entries(op.responses).filter(([, r]) => r["x-answered-by"] !== undefined);
        const where = (status: string) => `${method.toUpperCase()} ${path} ${status}`;
        for (const [status, r] of edge) {
          if (r["x-answered-by"] !== "edge" || !codes[status])
            problems.push(`${where(status)}: unexpected edge response`);
          else if (!r.description.startsWith(codes[status]))
            problems.push(`${where(status)}: code is not ${codes[status]}`);
          // HEAD answers have no body; every other edge answer is {"error": {"code", "message"}}
          const schema = r.content?.["application/json"]?.schema;
          if (method !== "head" && schema?.$ref !== "#/components/schemas/Error")
            problems.push(`${where(status)}: not the Error schema`);
          if (status === "429" && !r.headers?.["Retry-After"]) problems.push(`${where(status)}: no Retry-After`);
        }
        if (edge.map(([s]) => s).join() !== "403,404,429") problems.push(`${where("")}: edge responses missing`);
      }
    expect(problems).toEqual([]);
  });

  it("documents every route the server has, with the methods it accepts", () => {
    const served = Object.entries(ROUTES).map(([path, methods]) => [path, methods.map((m) => m.toLowerCase()).sort()]);
    const documentedOps = Object.entries(doc.paths).map(([path, ops]) => [path, Object.keys(ops).sort()]);
    expect(Object.fromEntries(documentedOps)).toEqual(Object.fromEntries(served));
  });
});
