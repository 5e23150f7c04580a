// One command for a newcomer: a throw-away PostgreSQL (TLS, as in AWS) and dynalite, the same
// starters the service tests use, then the API (src/main.ts under tsx) against them, logs on the
// terminal. Ctrl-C stops the API, then the stores (their data is deleted).
//
//   npx nx run ml-api:dev                 # API on :8080, Prometheus metrics on :9464
//   PORT=3000 WORKER_THREADS=2 npx nx run ml-api:dev
import { spawn } from "node:child_process";
import { join } from "node:path";
import { storeEnv } from "../tests/support/server-process";
import { builtModelManifest, startStores } from "../tests/support/services";

async function main(): Promise<void> {
  const port = process.env.PORT ?? "8080";
  const { pg, ddb } = await startStores();
  const env: NodeJS.ProcessEnv = {
    ...storeEnv(pg, ddb),
    ...process.env,
    MODEL_MANIFEST: builtModelManifest(),
    PORT: port,
    METRICS_PORT: process.env.METRICS_PORT ?? "9464",
  };
  const api = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "src", "main.ts")], {
    env,
    stdio: "inherit",
  });
  process.stderr.write(
    `\nml-api dev: PostgreSQL on 127.0.0.1:${pg.port} (db ${pg.database}), DynamoDB (dynalite) at ${ddb.endpoint}\n` +
      `  curl -s localhost:${port}/health\n` +
      `  curl -s -H 'content-type: image/jpeg' --data-binary @photo.jpg localhost:${port}/api/v2/classify\n` +
      `  curl -s localhost:${port}/api/v2/models ; curl -s localhost:${env.METRICS_PORT}/metrics\n` +
      `Ctrl-C stops the API and deletes the stores.\n\n`,
  );
  const stop = () => api.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const code = await new Promise<number | null>((r) => api.once("exit", r));
  await ddb.stop();
  pg.stop();
  process.exit(code ?? 0);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
