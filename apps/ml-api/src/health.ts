import type { Logger } from "./log";

export type Probe = () => Promise<void>;
type StoreState = {
  state: "unknown" | "ok" | "error";
  checkedAt?: string;
  error?: string;
  everOk: boolean;
  fatal?: boolean;
};

/**
 * A probe failure that only a new task can fix (e.g. database credentials that stay rejected
 * after a reload: without DB_SECRET_ARN a task cannot see the rotated secret, a new task gets
 * it injected). It turns /health to 503 so ECS replaces the task.
 */
export class FatalProbeError extends Error {}

/**
 * Readiness for GET /health, computed in the background so the endpoint itself costs nothing
 * (the ALB calls it every 30 s per task, ECS's container check as often).
 *
 * 503 until the model is loaded and every store has answered once, and again while draining
 * after SIGTERM. A store failing *after* start-up is reported as "degraded" with 200: failing
 * health then would make ECS replace every task at once for an outage no new task can fix.
 * The exception is a FatalProbeError, which a new task does fix.
 */
export class Health {
  modelReady = false;
  draining = false;
  private readonly stores: Record<string, StoreState> = {};
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly probes: Record<string, Probe>,
    private readonly log: Logger,
    private readonly timeoutMs = 2000,
  ) {
    for (const name of Object.keys(probes)) this.stores[name] = { state: "unknown", everOk: false };
  }

  /** Probes every store now; resolves true when all answered. */
  async check(): Promise<boolean> {
    await Promise.all(
      Object.entries(this.probes).map(async ([name, probe]) => {
        const s = this.stores[name];
        try {
          await withTimeout(probe(), this.timeoutMs, `${name} did not answer within ${this.timeoutMs} ms`);
          if (s.state !== "ok") this.log.info("store reachable", { store: name });
          Object.assign(s, { state: "ok", error: undefined, everOk: true, fatal: false });
        } catch (err) {
          if (s.state !== "error") this.log.warn("store unreachable", { store: name, err });
          Object.assign(s, { state: "error", error: (err as Error).message, fatal: err instanceof FatalProbeError });
        }
        s.checkedAt = new Date().toISOString();
      }),
    );
    return Object.values(this.stores).every((s) => s.state === "ok");
  }

  /** Re-probes every `intervalMs` in the background. */
  startPolling(intervalMs: number): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get ready(): boolean {
    return this.modelReady && !this.draining && Object.values(this.stores).every((s) => s.everOk && !s.fatal);
  }

  report(): { status: string; stores: Record<string, string> } {
    const stores = Object.fromEntries(Object.entries(this.stores).map(([k, v]) => [k, v.state]));
    const all = Object.values(this.stores);
    const status = this.draining
      ? "draining"
      : all.some((s) => s.fatal)
        ? "unhealthy"
        : !this.ready
          ? "starting"
          : Object.values(this.stores).every((s) => s.state === "ok")
            ? "ok"
            : "degraded";
    return { status, stores };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}
