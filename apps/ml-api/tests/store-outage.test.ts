// The real service while its stores fail: PostgreSQL and dynalite are stopped and restarted
// under a running stream of classifications. The classification is the product: no request
// may fail because a store did, and buffered rows must reach the table once it is back.
import { Client } from "pg";
import { pattern } from "./support/images";
import { startServer, type ServerProcess } from "./support/server-process";
import { startStores, type Dynamo, type PgCluster } from "./support/services";

// Larger than what the first test can buffer (2 stream clients x 4 + 2), so only the overflow test drops.
const BUFFER = 12;

describe("classification through store outages (real PostgreSQL and dynalite, stopped mid-run)", () => {
  let pg: PgCluster;
  let ddb: Dynamo;
  let srv: ServerProcess;
  let image: Buffer;
  const statuses: number[] = [];

  beforeAll(async () => {
    ({ pg, ddb } = await startStores());
    srv = await startServer(pg, ddb, { PREDICTION_BUFFER_SIZE: String(BUFFER) });
    image = await pattern(3, 320, 240);
    await srv.waitForHealthy();
  }, 90_000);

  afterAll(async () => {
    await srv?.stop("SIGKILL");
    await ddb?.stop();
    pg?.stop();
  });

  type V2 = {
    predictionId: string;
    stored: boolean;
    session: { id: string } | null;
    warnings?: Array<{ code: string }>;
  };
  const classify = async (version: 1 | 2, headers: Record<string, string> = {}) => {
    const res = await fetch(`${srv.url}/api/v${version}/classify`, {
      method: "POST",
      body: image,
      headers: { "content-type": "image/jpeg", ...headers },
    });
    statuses.push(res.status);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const health = async () =>
    (await (await fetch(`${srv.url}/health`)).json()) as {
      status: string;
      predictions: { buffered: number; dropped: number };
    };
  /** A short-lived connection per query: the test's own connections die with the server too. */
  const query = async (text: string, values: unknown[] = []) => {
    const c = new Client({ host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password });
    await c.connect();
    try {
      return (await c.query(text, values)).rows as Array<Record<string, unknown>>;
    } finally {
      await c.end();
    }
  };
  const storedIds = async (ids: string[]) =>
    (await query("SELECT id FROM predictions WHERE id = ANY($1::uuid[])", [ids])).map((r) => String(r.id));
  const until = async (what: string, cond: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it("PostgreSQL stopped under a running stream: every request answers 200, the rows land once it is back", async () => {
    const before = Number((await query("SELECT count(*)::int AS n FROM predictions"))[0].n);
    const callsBefore = statuses.length;
    const ids: string[] = [];
    let running = true;
    // two clients classifying back to back while the database goes away and comes back
    const stream = Promise.all(
      [1, 2].map(async (v) => {
        let n = 0;
        while (running && n < BUFFER - 1) {
          const r = await classify(v as 1 | 2);
          if (v === 2) ids.push(String(r.body.predictionId));
          n++;
          await new Promise((r) => setTimeout(r, 150));
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    pg.pause();
    const during = await classify(2);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ stored: false, warnings: [{ code: "prediction_not_stored" }] });
    ids.push(String(during.body.predictionId));
    const v1 = await classify(1);
    expect(v1.body).toMatchObject({ stored: false });
    expect((await health()).predictions.buffered).toBeGreaterThan(0);
    pg.resume();
    running = false;
    await stream;

    await until("buffer written", async () => (await health()).predictions.buffered === 0);
    expect((await storedIds(ids)).sort()).toEqual([...ids].sort());
    const after = Number((await query("SELECT count(*)::int AS n FROM predictions"))[0].n);
    expect(after - before).toBe(statuses.length - callsBefore); // every answered classification has its row, once
    expect(srv.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "prediction store failed: buffering rows and retrying in the background",
        "buffered prediction rows written",
      ]),
    );
  }, 60_000);

  it("overflowing the buffer drops the oldest rows, counted in /health and logged, and keeps the newest", async () => {
    const droppedBefore = (await health()).predictions.dropped;
    pg.pause();
    const ids: string[] = [];
    for (let i = 0; i < BUFFER + 3; i++) ids.push(String((await classify(2)).body.predictionId));
    const h = await health();
    expect(h.predictions).toEqual({ buffered: BUFFER, dropped: droppedBefore + 3 });
    expect(h.status).not.toBe("starting"); // /health keeps its meaning: a store outage after start-up is not a reason to replace the task
    const drops = srv.logs.filter((l) => l.msg === "prediction buffer full: dropped the oldest row");
    expect(drops.slice(-3).map((l) => l.predictionId)).toEqual(ids.slice(0, 3));
    expect(drops.at(-1)).toMatchObject({ level: "warn", droppedTotal: droppedBefore + 3, capacity: BUFFER });
    const metrics = await (await fetch(srv.metricsUrl)).text();
    expect(metrics).toContain(`\nmlapi_store_buffer_size ${BUFFER}\n`);
    expect(metrics).toContain(`\nmlapi_store_buffer_dropped_total ${droppedBefore + 3}\n`);
    pg.resume();

    await until("buffer written", async () => (await health()).predictions.buffered === 0);
    expect((await storedIds(ids)).sort()).toEqual(ids.slice(3).sort());
  }, 60_000);

  it("DynamoDB stopped: v2 answers 200 without a session and says so; sessions resume when it is back", async () => {
    const first = await classify(2);
    const sessionId = (first.body as unknown as V2).session?.id ?? "";
    await ddb.pause();
    const during = await classify(2, { "x-session-id": sessionId });
    expect(during.status).toBe(200);
    expect(during.headers.get("x-session-id")).toBeNull();
    if (during.body.stored === false) console.log(JSON.stringify(srv.logs.filter((l) => l.level === "warn").slice(-5)));
    expect(during.body.session).toBeNull();
    expect(during.body.warnings).toContainEqual(expect.objectContaining({ code: "session_unavailable" }));
    await ddb.resume();
    // the record (written now, or from the buffer if PostgreSQL was slow too) carries no session
    await until("buffer written", async () => (await health()).predictions.buffered === 0);
    expect(await query("SELECT session_id FROM predictions WHERE id = $1", [during.body.predictionId])).toEqual([
      { session_id: null },
    ]);

    const back = (await classify(2, { "x-session-id": sessionId })).body as unknown as V2;
    expect(back.session).toMatchObject({ id: sessionId });
    expect(back.warnings).toBeUndefined();
  }, 60_000);

  it("no classification got a 5xx through all of it", () => {
    expect(statuses.length).toBeGreaterThan(15);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it("logs stayed JSON lines: nothing on stderr (no AWS SDK notice), every stdout line parses", () => {
    expect(srv.stderr.join("")).toBe("");
    expect(srv.logs.filter((l) => "unparsed" in l)).toEqual([]);
    if (Number(process.versions.node.split(".")[0]) < 22) {
      // the SDK's Node-version notice still reaches the operator, as one JSON line
      expect(srv.logs.find((l) => l.msg === "process warning")).toMatchObject({
        level: "warn",
        message: expect.stringContaining("AWS SDK for JavaScript"),
      });
    }
  });
});
