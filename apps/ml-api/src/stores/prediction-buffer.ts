import { withTimeout } from "../health";
import type { Logger } from "../log";
import type { PredictionRecord } from "./predictions";

export interface PredictionBufferOptions {
  /** Writes rows in order; must be idempotent (a row written twice is stored once). */
  write: (rows: PredictionRecord[]) => Promise<void>;
  /** Rows kept while the store fails; past it the oldest is dropped. */
  capacity: number;
  /** Longest a request waits for its own row's write before the row is buffered instead. @default 2000 */
  writeTimeoutMs?: number;
  /** First retry delay; doubles while the store keeps failing, up to `maxRetryMs`. @default 500 */
  retryMs?: number;
  /** @default 10000 */
  maxRetryMs?: number;
  /** Rows per retry write. @default 100 */
  batchSize?: number;
  log: Logger;
}

/**
 * Prediction rows on their way to PostgreSQL. A row is written while the request waits; when
 * that fails (or takes longer than `writeTimeoutMs`) it joins a bounded in-memory FIFO that a
 * background loop retries with backoff, and the request answers anyway ("not stored"). While
 * rows are buffered, new rows queue behind them without a direct attempt, so an outage costs a
 * request nothing and rows reach the table in order. When the buffer is full the oldest row is
 * dropped, counted and logged. Rows still buffered when the process exits are lost: the buffer
 * is a bridge over a store outage, not a durable queue.
 */
export class PredictionBuffer {
  private readonly rows: PredictionRecord[] = [];
  private droppedTotal = 0;
  private writtenLater = 0;
  private delay: number;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<boolean>;
  private closed = false;
  private readonly writeTimeoutMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly batchSize: number;

  constructor(private readonly opts: PredictionBufferOptions) {
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 2000;
    this.retryMs = opts.retryMs ?? 500;
    this.maxRetryMs = opts.maxRetryMs ?? 10_000;
    this.batchSize = opts.batchSize ?? 100;
    this.delay = this.retryMs;
  }

  /** Rows waiting to be written. */
  get size(): number {
    return this.rows.length;
  }
  get capacity(): number {
    return this.opts.capacity;
  }
  /** Rows dropped (never written) since start. */
  get dropped(): number {
    return this.droppedTotal;
  }
  /** Buffered rows written by the retry loop since start. */
  get retried(): number {
    return this.writtenLater;
  }

  /** Writes the row, or buffers it when the store fails. Resolves true when the row is stored. */
  async record(row: PredictionRecord): Promise<boolean> {
    if (this.rows.length === 0 && !this.closed) {
      try {
        const slow = `the prediction write took over ${this.writeTimeoutMs} ms`;
        await withTimeout(this.opts.write([row]), this.writeTimeoutMs, slow);
        return true;
      } catch (err) {
        const msg = "prediction store failed: buffering rows and retrying in the background";
        this.opts.log.warn(msg, { err, predictionId: row.id });
      }
    }
    this.push(row);
    return false;
  }

  /**
   * Writes what is buffered now (the retry loop calls this; so does shutdown, bounded by
   * `timeoutMs`). Resolves true when the buffer is empty.
   */
  async flush(timeoutMs?: number): Promise<boolean> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    if (timeoutMs === undefined) return this.flushing;
    return withTimeout(this.flushing, timeoutMs, "flush timed out").catch(() => false);
  }

  /** Stops retrying; rows still buffered are reported as lost. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.rows.length && !(await this.flush(timeoutMs))) {
      this.opts.log.error("prediction rows lost at shutdown: the store did not accept them", {
        rows: this.rows.length,
      });
    }
  }

  private push(row: PredictionRecord): void {
    this.rows.push(row);
    while (this.rows.length > this.opts.capacity) {
      const lost = this.rows.shift();
      this.droppedTotal++;
      // A row dropped while its batch is being written may still land in the table.
      const fields = { predictionId: lost?.id, capacity: this.opts.capacity, droppedTotal: this.droppedTotal };
      this.opts.log.warn("prediction buffer full: dropped the oldest row", fields);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delay);
    this.timer.unref();
  }

  private async drain(): Promise<boolean> {
    let written = 0;
    try {
      while (this.rows.length) {
        const batch = this.rows.slice(0, this.batchSize);
        await this.opts.write(batch);
        const done = new Set(batch);
        // Rows may have been dropped from the front, or added at the back, while writing.
        for (let i = this.rows.length - 1; i >= 0; i--) if (done.has(this.rows[i])) this.rows.splice(i, 1);
        written += batch.length;
        this.writtenLater += batch.length;
      }
      this.delay = this.retryMs;
      if (written) this.opts.log.info("buffered prediction rows written", { rows: written });
      return true;
    } catch (err) {
      if (written) this.opts.log.info("buffered prediction rows written", { rows: written });
      if (this.delay === this.retryMs) {
        this.opts.log.warn("prediction store still failing; retrying", { err, buffered: this.rows.length });
      }
      this.delay = Math.min(this.delay * 2, this.maxRetryMs);
      this.schedule();
      return false;
    }
  }
}
