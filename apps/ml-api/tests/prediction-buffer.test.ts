import { createLogger } from "../src/log";
import { PredictionBuffer } from "../src/stores/prediction-buffer";
import type { PredictionRecord } from "../src/stores/predictions";

const row = (id: string): PredictionRecord => ({
  id,
  apiVersion: 1,
  modelName: "m",
  modelVersion: "1",
  label: "Neutral",
  score: 0.9,
  latencyMs: 5,
  imageSha256: "0".repeat(64),
  imageBytes: 100,
  imageWidth: 10,
  imageHeight: 10,
  imageFormat: "jpeg",
});

/** A store that fails while `down` and records what it accepted. */
function fakeStore() {
  const store = { down: false, hang: false, rows: [] as string[], calls: 0 };
  const write = async (rows: PredictionRecord[]) => {
    store.calls++;
    if (store.hang) return new Promise<void>(() => undefined);
    if (store.down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    store.rows.push(...rows.map((r) => r.id));
  };
  return { store, write };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("PredictionBuffer", () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger("debug", (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  beforeEach(() => (lines.length = 0));

  it("writes directly while the store answers", async () => {
    const { store, write } = fakeStore();
    const buf = new PredictionBuffer({ write, capacity: 10, log });
    expect(await buf.record(row("a"))).toBe(true);
    expect([store.rows, buf.size]).toEqual([["a"], 0]);
  });

  it("buffers rows while the store fails and writes them, in order, once it answers again", async () => {
    const { store, write } = fakeStore();
    const buf = new PredictionBuffer({ write, capacity: 10, retryMs: 10, maxRetryMs: 20, log });
    store.down = true;
    expect(await buf.record(row("a"))).toBe(false);
    const callsAfterFirst = store.calls;
    expect(await buf.record(row("b"))).toBe(false);
    expect(store.calls).toBe(callsAfterFirst); // queued behind the first without a direct attempt
    expect(buf.size).toBe(2);
    await new Promise((r) => setTimeout(r, 50)); // retries keep failing
    expect(buf.size).toBe(2);

    store.down = false;
    await until(() => buf.size === 0);
    expect(store.rows).toEqual(["a", "b"]);
    expect(buf.retried).toBe(2);
    expect(await buf.record(row("c"))).toBe(true); // direct writes again
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "prediction store failed: buffering rows and retrying in the background",
        "buffered prediction rows written",
      ]),
    );
  });

  it("drops the oldest row when full, counting and logging each drop", async () => {
    const { store, write } = fakeStore();
    const buf = new PredictionBuffer({ write, capacity: 3, retryMs: 10_000, log });
    store.down = true;
    for (const id of ["a", "b", "c", "d", "e"]) await buf.record(row(id));
    expect([buf.size, buf.dropped]).toEqual([3, 2]);
    const drops = lines.filter((l) => l.msg === "prediction buffer full: dropped the oldest row");
    expect(drops).toEqual([
      expect.objectContaining({ level: "warn", predictionId: "a", capacity: 3, droppedTotal: 1 }),
      expect.objectContaining({ level: "warn", predictionId: "b", capacity: 3, droppedTotal: 2 }),
    ]);
    store.down = false;
    expect(await buf.flush()).toBe(true);
    expect(store.rows).toEqual(["c", "d", "e"]);
  });

  it("buffers a row whose write hangs past writeTimeoutMs, so the request answers in bounded time", async () => {
    const { store, write } = fakeStore();
    const buf = new PredictionBuffer({ write, capacity: 10, writeTimeoutMs: 30, retryMs: 10_000, log });
    store.hang = true;
    const started = Date.now();
    expect(await buf.record(row("a"))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(buf.size).toBe(1);
    await buf.close(10);
  });

  it("tries a last flush at close and logs the rows it could not write", async () => {
    const { store, write } = fakeStore();
    const buf = new PredictionBuffer({ write, capacity: 10, retryMs: 10_000, log });
    store.down = true;
    await buf.record(row("a"));
    await buf.close(100);
    expect(
      lines.find((l) => l.msg === "prediction rows lost at shutdown: the store did not accept them"),
    ).toMatchObject({ level: "error", rows: 1 });
  });
});
