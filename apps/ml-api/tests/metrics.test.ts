// Metrics: Prometheus text on its own port, EMF in the request log line.
import type { AddressInfo } from "node:net";
import { Health } from "../src/health";
import { Admission } from "../src/http/admission";
import { createLogger } from "../src/log";
import { EMF_NAMESPACE, Metrics, startMetricsServer } from "../src/metrics";
import type { ModelManifest } from "../src/model/manifest";
import { createApp, ROUTES, type App } from "../src/server";
import { solid } from "./support/images";
import { openRequest, rawExchange } from "./support/raw-http";

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("Metrics", () => {
  it("counts requests by route/method/status and keeps cumulative histograms per route and stage", () => {
    const m = new Metrics(["/api/v2/classify"]);
    m.observe({
      route: m.route("/api/v2/classify"),
      method: "POST",
      status: 200,
      totalMs: 40,
      stagesMs: { inference: 8, total: 40 },
    });
    m.observe({ route: m.route("/api/v2/classify"), method: "POST", status: 200, totalMs: 120 });
    m.observe({ route: m.route("/wp-admin.php"), method: "GET", status: 404, totalMs: 1 });
    m.gauge("mlapi_inference_queue_depth", "Images waiting.", () => 3);
    m.counter("mlapi_store_buffer_dropped_total", "Rows dropped.", () => 2);
    const text = m.prometheus();
    expect(text).toContain('mlapi_requests_total{route="/api/v2/classify",method="POST",status="200"} 2');
    expect(text).toContain('mlapi_requests_total{route="other",method="GET",status="404"} 1'); // never the raw path
    expect(text).toContain('mlapi_request_duration_seconds_bucket{route="/api/v2/classify",le="0.05"} 1');
    expect(text).toContain('mlapi_request_duration_seconds_bucket{route="/api/v2/classify",le="0.15"} 2');
    expect(text).toContain('mlapi_request_duration_seconds_bucket{route="/api/v2/classify",le="+Inf"} 2');
    expect(text).toContain('mlapi_request_duration_seconds_count{route="/api/v2/classify"} 2');
    expect(text).toContain('mlapi_stage_duration_seconds_bucket{stage="inference",le="0.01"} 1');
    expect(text).toContain("# TYPE mlapi_inference_queue_depth gauge\nmlapi_inference_queue_depth 3");
    expect(text).toContain("# TYPE mlapi_store_buffer_dropped_total counter\nmlapi_store_buffer_dropped_total 2");
  });

  it("returns EMF fields naming the latency fields as CloudWatch metrics with the route dimension", () => {
    const m = new Metrics(["/api/v2/classify"]);
    const emf = m.observe({
      route: "/api/v2/classify",
      method: "POST",
      status: 503,
      totalMs: 12,
      stagesMs: { queue: 2, inference: 9 },
    }) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string; Unit: string }>;
        }>;
      };
    };
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(EMF_NAMESPACE);
    expect(directive.Dimensions).toEqual([["route"]]);
    expect(directive.Metrics.map((x) => x.Name)).toEqual(["requestMs", "fault", "shed", "queueMs", "inferenceMs"]);
    // every metric named is a top-level number in the same object (the EMF rule); the dimension a string
    for (const { Name } of directive.Metrics) expect(typeof emf[Name]).toBe("number");
    expect(emf).toMatchObject({ route: "/api/v2/classify", fault: 1, shed: 0, inferenceMs: 9 });
  });

  it("counts a 503 overloaded refusal as shed, not as a fault (the deployment alarm subtracts it)", () => {
    const m = new Metrics(["/api/v2/classify"]);
    const answer = (status: number, error?: string) =>
      m.observe({ route: "/api/v2/classify", method: "POST", status, error, totalMs: 1 });
    expect(answer(503, "overloaded")).toMatchObject({ fault: 0, shed: 1 });
    expect(answer(503, "shutting_down")).toMatchObject({ fault: 1, shed: 0 });
    expect(answer(500)).toMatchObject({ fault: 1, shed: 0 });
    expect(answer(400, "invalid_image")).toMatchObject({ fault: 0, shed: 0 });
  });

  it("with METRICS_SERVICE, publishes every metric per service and route and per service, gauges per service", () => {
    type Emf = Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    const m = new Metrics(["/api/v2/classify"], "mlapi-api-prod");
    const emf = m.observe({
      route: "/api/v2/classify",
      method: "POST",
      status: 200,
      totalMs: 12,
      stagesMs: { inference: 9 },
    }) as Emf;
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([["service", "route"], ["service"]]);
    expect(emf).toMatchObject({ service: "mlapi-api-prod", route: "/api/v2/classify", inferenceMs: 9 });
    m.gauge("mlapi_store_buffer_size", "Rows buffered.", () => 4);
    const gauges = m.gaugesEmf() as Emf;
    expect(gauges._aws.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [["service"]],
      Metrics: [{ Name: "mlapi_store_buffer_size" }],
    });
    expect(gauges).toMatchObject({ service: "mlapi-api-prod", mlapi_store_buffer_size: 4 });
    // without it (local runs): route alone, gauges without dimensions
    expect((new Metrics([]).gaugesEmf() as Emf)._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
  });

  it("serves GET /metrics on its own port and nothing else", async () => {
    const m = new Metrics([]);
    const server = startMetricsServer(m, 0, createLogger("error"));
    await new Promise((r) => server.once("listening", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(await res.text()).toContain("# TYPE mlapi_requests_total counter");
      expect((await fetch(`${url}/health`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it("the HTTP layer records every request and writes its EMF block into the request log line", async () => {
    const manifest: ModelManifest = {
      name: "fake",
      version: "1",
      file: "/x.onnx",
      labels: ["a", "b"],
      input: { name: "input", layout: "NHWC", height: 4, width: 4, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
      output: { name: "p", kind: "probabilities" },
    };
    const lines: string[] = [];
    const health = new Health({ fake: async () => undefined }, createLogger("error"));
    health.modelReady = true;
    await health.check();
    const metrics = new Metrics(Object.keys(ROUTES));
    const app: App = createApp({
      manifest,
      limits: { maxImageBytes: 65536, maxImagePixels: 1e6, maxTopK: 2 },
      infer: async () => ({
        scores: Float32Array.from([0.3, 0.7]),
        queueMs: 1,
        decodeMs: 2,
        inferenceMs: 5,
        batchSize: 1,
      }),
      sessions: {
        touchOrCreate: async () => ({
          sessionId: "s-0000001",
          created: true,
          createdAt: "",
          expiresAt: 1,
          requestCount: 1,
        }),
      },
      recordPrediction: async () => true,
      predictionBacklog: () => ({ buffered: 0, dropped: 0 }),
      admission: new Admission({ maxInFlight: 4, maxWaiting: 4 }),
      health,
      workers: () => ({ size: 1, busy: 0, queued: 0 }),
      log: createLogger("info", (l) => lines.push(l)),
      metrics,
    });
    await new Promise<void>((r) => app.server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      await fetch(`${base}/api/v2/classify`, {
        method: "POST",
        body: await solid(8, 8, [1, 2, 3]),
        headers: { "content-type": "image/png" },
      });
      await fetch(`${base}/nope`);
      // a client gone mid-body: counted as the 499 it was, not as the status the handler would have chosen
      const port = (app.server.address() as AddressInfo).port;
      const head =
        "POST /api/v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n";
      const socket = await openRequest(port, head, 100);
      await until(() => app.inFlight() === 1);
      socket.destroy();
      const requestLines = () =>
        lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
      await until(() => requestLines().length === 3);
      const request = requestLines();
      expect(request.map((l) => [l.route, l.status, typeof l._aws])).toEqual([
        ["/api/v2/classify", 200, "object"],
        ["other", 404, "object"],
        ["/api/v1/classify", 499, "object"],
      ]);
      expect(metrics.prometheus()).toContain(
        'mlapi_requests_total{route="/api/v1/classify",method="POST",status="499"} 1',
      );
      // a client error before any request is parsed (headers too large) is counted and logged with its EMF block
      await rawExchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${"a".repeat(20_000)}`);
      await until(() => requestLines().length === 4);
      expect(requestLines()[3]).toMatchObject({
        status: 431,
        error: "headers_too_large",
        route: "other",
        _aws: expect.any(Object),
      });
      expect(metrics.prometheus()).toContain('mlapi_requests_total{route="other",method="",status="431"} 1');
      expect(request[0]).toMatchObject({ inferenceMs: 5, queueMs: 1 });
      expect(request[0]).not.toHaveProperty("stagesMs");
      expect(metrics.prometheus()).toContain(
        'mlapi_requests_total{route="/api/v2/classify",method="POST",status="200"} 1',
      );
    } finally {
      await new Promise((r) => app.server.close(r));
    }
  });
});
