// The service tests never skip: without PostgreSQL server binaries they fail with a fix.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPgBin } from "./support/services";

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
