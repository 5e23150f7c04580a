// Service metrics, two ways out:
// - Prometheus text format on a separate port (METRICS_PORT; the ALB routes only the service port),
//   for a scraper or a sidecar;
// - CloudWatch through the Embedded Metric Format: the per-request log line carries an `_aws`
//   block naming its latency fields as metrics, and a `metrics` line every minute carries the
//   gauges. CloudWatch Logs extracts them; no agent, no PutMetricData calls.
import { createServer, type Server } from "node:http";
import { OVERLOADED } from "./http/admission";
import type { Logger } from "./log";

/** CloudWatch namespace of the EMF metrics (the service layer's dashboard and alarms read it). */
export const EMF_NAMESPACE = "MlApi";
/** Latency stages reported per request (the v2 answer's `latencyMs` keys). */
export const STAGES = ["read", "decode", "preprocess", "queue", "inference", "session", "store", "total"] as const;
export type Stage = (typeof STAGES)[number];

/** Histogram buckets, seconds: dense around the 150 ms p95 goal. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  count = 0;
  sum = 0;
  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) this.counts[i]++;
  }
}

export interface RequestSample {
  /** A known route path, or "other" (bounded label values: never the raw path). */
  route: string;
  method: string;
  status: number;
  /** The answer's error code, if any (`overloaded` for a request refused by admission control). */
  error?: string;
  totalMs: number;
  stagesMs?: Partial<Record<Stage, number>>;
}

interface Gauge {
  help: string;
  read: () => number;
  /** Prometheus type: a gauge goes up and down, a counter only grows (since start). */
  type: "gauge" | "counter";
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(",")}}`;

export class Metrics {
  private readonly requests = new Map<string, { route: string; method: string; status: string; n: number }>();
  private readonly requestSeconds = new Map<string, Histogram>();
  private readonly stageSeconds = new Map<Stage, Histogram>();
  private readonly gauges = new Map<string, Gauge>();

  /**
   * `service` (METRICS_SERVICE: the ECS service name) becomes an EMF dimension: every metric is
   * then published per service and route and per service (all routes), so environments sharing
   * an account never mix. Without it (local runs) the dimension is `route` alone.
   */
  constructor(
    private readonly knownRoutes: readonly string[],
    private readonly service?: string,
  ) {}

  /** The route label for a request path. */
  route(path: string): string {
    return this.knownRoutes.includes(path) ? path : "other";
  }

  /** Records one answered request; returns the EMF fields to merge into its log line. */
  observe(s: RequestSample): Record<string, unknown> {
    const key = `${s.route} ${s.method} ${s.status}`;
    const entry = this.requests.get(key) ?? { route: s.route, method: s.method, status: String(s.status), n: 0 };
    entry.n++;
    this.requests.set(key, entry);
    const h = this.requestSeconds.get(s.route) ?? new Histogram();
    h.observe(s.totalMs / 1000);
    this.requestSeconds.set(s.route, h);
    const shed = s.error === OVERLOADED;
    const emf: Record<string, unknown> = {
      ...this.serviceField(),
      route: s.route,
      requestMs: s.totalMs,
      // A refusal under overload is counted apart (`shed`): the service layer's deployment alarm
      // takes it out of the target 5xx rate, so a load spike during a deploy does not roll back a
      // good release; capacity is auto scaling's job.
      fault: s.status >= 500 && !shed ? 1 : 0,
      shed: shed ? 1 : 0,
    };
    const names = ["requestMs", "fault", "shed"];
    for (const stage of STAGES) {
      const ms = s.stagesMs?.[stage];
      if (ms === undefined) continue;
      const sh = this.stageSeconds.get(stage) ?? new Histogram();
      sh.observe(ms / 1000);
      this.stageSeconds.set(stage, sh);
      emf[`${stage}Ms`] = ms;
      names.push(`${stage}Ms`);
    }
    return {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: EMF_NAMESPACE,
            Dimensions: this.service ? [["service", "route"], ["service"]] : [["route"]],
            Metrics: names.map((Name) => ({
              Name,
              Unit: Name === "fault" || Name === "shed" ? "Count" : "Milliseconds",
            })),
          },
        ],
      },
      ...emf,
    };
  }

  /** A value read at scrape time (and in the minutely EMF line); `name` in Prometheus style. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read, type: "gauge" });
  }

  /** A total since start, read like a gauge; `name` ends in `_total` or a unit. */
  counter(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read, type: "counter" });
  }

  private serviceField(): Record<string, string> {
    return this.service ? { service: this.service } : {};
  }

  /** Prometheus text exposition format 0.0.4. */
  prometheus(): string {
    const out: string[] = [];
    out.push(
      "# HELP mlapi_requests_total HTTP requests answered, by route, method and status.",
      "# TYPE mlapi_requests_total counter",
    );
    for (const r of this.requests.values())
      out.push(`mlapi_requests_total${labels({ route: r.route, method: r.method, status: r.status })} ${r.n}`);
    const histogram = (name: string, help: string, series: Array<[Record<string, string>, Histogram]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [l, h] of series) {
        BUCKETS.forEach((b, i) => out.push(`${name}_bucket${labels({ ...l, le: String(b) })} ${h.counts[i]}`));
        out.push(
          `${name}_bucket${labels({ ...l, le: "+Inf" })} ${h.count}`,
          `${name}_sum${labels(l)} ${h.sum}`,
          `${name}_count${labels(l)} ${h.count}`,
        );
      }
    };
    histogram(
      "mlapi_request_duration_seconds",
      "Time from request to answer, by route.",
      [...this.requestSeconds].map(([route, h]) => [{ route }, h]),
    );
    histogram(
      "mlapi_stage_duration_seconds",
      "Time per stage of a classification (read, decode, preprocess, queue, inference, session, store, total).",
      [...this.stageSeconds].map(([stage, h]) => [{ stage }, h]),
    );
    for (const [name, g] of this.gauges)
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} ${g.type}`, `${name} ${g.read()}`);
    return out.join("\n") + "\n";
  }

  /** The gauges and counters (their running totals) as one EMF log line's fields (no dimensions). */
  gaugesEmf(): Record<string, unknown> {
    const values: Record<string, number> = {};
    for (const [name, g] of this.gauges) values[name] = g.read();
    return {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: EMF_NAMESPACE,
            Dimensions: [this.service ? ["service"] : []],
            Metrics: Object.keys(values).map((Name) => ({ Name, Unit: "None" })),
          },
        ],
      },
      ...this.serviceField(),
      ...values,
    };
  }
}

/** Serves GET /metrics on its own port (not the one the ALB forwards to). */
export function startMetricsServer(metrics: Metrics, port: number, log: Logger): Server {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    const body = metrics.prometheus();
    res
      .writeHead(200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
      })
      .end(body);
  });
  server.on("error", (err) => log.error("metrics server failed", { err, port }));
  server.listen(port);
  return server;
}

/** Writes the gauges as an EMF `metrics` log line every `intervalMs` (unref'd: never keeps the process alive). */
export function startEmfGauges(metrics: Metrics, log: Logger, intervalMs = 60_000): NodeJS.Timeout {
  const timer = setInterval(() => log.info("metrics", metrics.gaugesEmf()), intervalMs);
  timer.unref();
  return timer;
}
