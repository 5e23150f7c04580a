import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { Pool, type PoolConfig, type QueryResultRow } from "pg";
import type { DbCredentials } from "../config";
import type { Logger } from "../log";

export interface DbOptions {
  host: string;
  port: number;
  database: string;
  ssl: "verify-full" | "disable";
  caPath: string;
  poolSize: number;
  /** Current credentials; called at start and again whenever the server rejects them. */
  credentials: () => Promise<DbCredentials>;
  log: Logger;
}

// 28P01 invalid_password, 28000 invalid_authorization_specification.
const AUTH_FAILED = new Set(["28P01", "28000"]);
// admin_shutdown, crash_shutdown, cannot_connect_now: the server closed the session (Aurora
// failover, scaling, a terminated backend); a fresh connection usually succeeds.
const CONNECTION_LOST = new Set(["57P01", "57P02", "57P03"]);

/**
 * A pg pool that survives credential rotation: when the server rejects the password (RDS
 * rotates the managed master secret every 7 days), it re-reads the credentials once,
 * replaces the pool and retries the query. Concurrent failures share one reload.
 */
export class Db {
  private pool: Pool;
  private creds: DbCredentials;
  private reloading?: Promise<void>;

  private constructor(
    private readonly opts: DbOptions,
    initial: DbCredentials,
  ) {
    this.creds = initial;
    this.pool = this.createPool();
  }

  static isAuthFailure(err: unknown): boolean {
    return AUTH_FAILED.has((err as { code?: string }).code ?? "");
  }

  static async connect(opts: DbOptions): Promise<Db> {
    if (opts.ssl === "verify-full" && !existsSync(opts.caPath)) {
      throw new Error(
        `DB_CA_PATH ${opts.caPath} does not exist: the image must carry the RDS CA bundle (see apps/ml-api/README.md) or DB_CA_PATH must point at it`,
      );
    }
    return new Db(opts, await opts.credentials());
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    let reloaded = false;
    let reconnected = false;
    for (;;) {
      try {
        return (await this.pool.query<R>(text, values)).rows;
      } catch (err) {
        const code = (err as { code?: string }).code ?? "";
        if (AUTH_FAILED.has(code) && !reloaded) {
          reloaded = true;
          this.opts.log.warn("database rejected the credentials; reloading them", { code });
          await this.reload();
        } else if (CONNECTION_LOST.has(code) && !reconnected) {
          reconnected = true;
          this.opts.log.warn("database connection lost; retrying once", { code });
        } else throw err;
      }
    }
  }

  /** Runs `fn` on one connection inside a transaction. */
  async transaction<T>(
    fn: (q: (text: string, values?: unknown[]) => Promise<QueryResultRow[]>) => Promise<T>,
  ): Promise<T> {
    await this.query("SELECT 1"); // surfaces (and heals) an auth failure before the transaction starts
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(async (text, values = []) => (await client.query(text, values)).rows);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        this.creds = await this.opts.credentials();
        const old = this.pool;
        this.pool = this.createPool();
        old.end().catch(() => undefined);
        this.opts.log.info("database credentials reloaded");
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private createPool(): Pool {
    const { host, port, database, poolSize, ssl, caPath } = this.opts;
    const config: PoolConfig = {
      host,
      port,
      database,
      user: this.creds.username,
      password: this.creds.password,
      max: poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: 5000,
      application_name: "mlapi",
      // verify-full: the server certificate must chain to the RDS CA and name `host`
      // (node's TLS checks the host name whenever rejectUnauthorized is on).
      // (SNI takes host names only; an IP host is still checked against the certificate's IP SANs.)
      ssl:
        ssl === "verify-full"
          ? { ca: readFileSync(caPath, "utf8"), rejectUnauthorized: true, servername: isIP(host) ? undefined : host }
          : false,
    };
    const pool = new Pool(config);
    pool.on("error", (err) => this.opts.log.warn("idle database connection failed", { err }));
    return pool;
  }
}
