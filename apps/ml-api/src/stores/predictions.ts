import type { Db } from "./db";

// Schema migrations, applied in order at start-up. Each runs once (recorded in
// schema_migrations) under an advisory lock, so tasks starting together do not race.
// Append new versions; never edit an applied one.
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE predictions (
        id            uuid PRIMARY KEY,
        created_at    timestamptz NOT NULL DEFAULT now(),
        api_version   smallint    NOT NULL,
        session_id    text,
        model_name    text        NOT NULL,
        model_version text        NOT NULL,
        label         text        NOT NULL,
        score         real        NOT NULL,
        latency_ms    real        NOT NULL,
        image_sha256  char(64)    NOT NULL,
        image_bytes   integer     NOT NULL,
        image_width   integer     NOT NULL,
        image_height  integer     NOT NULL,
        image_format  text        NOT NULL
      );
      CREATE INDEX predictions_session_created_idx ON predictions (session_id, created_at);
      CREATE INDEX predictions_created_idx ON predictions (created_at);`,
  },
];

const LOCK_KEY = 734_501_117; // arbitrary, constant: "mlapi migrations"

/** Applies pending migrations; returns the versions applied by this call (empty when up to date). */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (q) => {
    await q("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await q(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set((await q("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await q(m.sql);
      await q("INSERT INTO schema_migrations (version) VALUES ($1)", [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** What is stored per prediction: metadata only, never the image. */
export interface PredictionRecord {
  id: string;
  apiVersion: 1 | 2;
  sessionId?: string;
  modelName: string;
  modelVersion: string;
  label: string;
  score: number;
  latencyMs: number;
  imageSha256: string;
  imageBytes: number;
  imageWidth: number;
  imageHeight: number;
  imageFormat: string;
}

const COLUMNS = [
  "id",
  "api_version",
  "session_id",
  "model_name",
  "model_version",
  "label",
  "score",
  "latency_ms",
  "image_sha256",
  "image_bytes",
  "image_width",
  "image_height",
  "image_format",
] as const;

/**
 * Inserts rows in one statement. Idempotent: a row whose id is already stored is skipped, so a
 * retried write (a timed-out attempt may still have committed) never fails or duplicates.
 */
export async function insertPredictions(db: Db, rows: readonly PredictionRecord[]): Promise<void> {
  if (rows.length === 0) return;
  const values: unknown[] = [];
  const tuples = rows.map((p) => {
    const first = values.length + 1;
    values.push(p.id, p.apiVersion, p.sessionId ?? null, p.modelName, p.modelVersion, p.label, p.score, p.latencyMs);
    values.push(p.imageSha256, p.imageBytes, p.imageWidth, p.imageHeight, p.imageFormat);
    return `(${COLUMNS.map((_, i) => `$${first + i}`).join(",")})`;
  });
  const sql = `INSERT INTO predictions (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT (id) DO NOTHING`;
  await db.query(sql, values);
}
