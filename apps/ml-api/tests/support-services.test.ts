// The service tests never skip: without PostgreSQL server binaries they fail with a fix.
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPgBin, startStores } from "./support/services";

describe("findPgBin", () => {
  it("fails with an install hint when no PostgreSQL server binaries exist", () => {
    const empty = mkdtempSync(join(tmpdir(), "mlapi-nopg-"));
    try {
      expect(() => findPgBin(join(empty, "bin"), join(empty, "postgresql"))).toThrow(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in $PG_BIN or /usr/lib/postgresql/*/bin. The ml-api service tests need them: apt-get install -y postgresql (.ci/run installs it), or set PG_BIN.",
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("startStores", () => {
  const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
  /** Listening servers once closed handles are released (Node frees them a tick after close). */
  const settledServers = async (expected: number) => {
    for (let i = 0; i < 20 && servers() !== expected; i++) await new Promise((r) => setTimeout(r, 50));
    return servers();
  };
  /** Listening servers once the count holds still: a server the previous suite closed may still be counted. */
  const steadyServers = async () => {
    let n = servers();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (servers() === n) return n;
      n = servers();
    }
    return n;
  };

  it("stops the DynamoDB server it started when PostgreSQL fails, so jest can exit, and leaves no cluster folder", async () => {
    // A PG_BIN whose initdb fails: found first, so the real binaries are not used.
    const bin = mkdtempSync(join(tmpdir(), "mlapi-badpg-"));
    chmodSync(bin, 0o755);
    for (const tool of ["initdb", "pg_ctl", "postgres"]) {
      writeFileSync(join(bin, tool), "#!/bin/sh\necho broken >&2\nexit 1\n");
      chmodSync(join(bin, tool), 0o755);
    }
    const saved = process.env.PG_BIN;
    process.env.PG_BIN = bin;
    const before = await steadyServers();
    // other suites (or other jobs on the machine) may be running clusters: compare names, not counts
    const clusterDirs = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith("mlapi-pg-")));
    const dirsBefore = clusterDirs();
    try {
      await expect(startStores()).rejects.toThrow("initdb failed (1): broken");
      // none of its own left (one closing elsewhere may still go away meanwhile)
      expect(await settledServers(before)).toBeLessThanOrEqual(before);
      expect([...clusterDirs()].filter((d) => !dirsBefore.has(d))).toEqual([]);
    } finally {
      process.env.PG_BIN = saved;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
