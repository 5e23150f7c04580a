// Second half of image-dry-run.sh: starts the assembled runtime tree (node dist/src/main.js,
// as uid 1000, cwd /app-like) against local services and checks health, one request, SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { pattern } from "../tests/support/images";
import { storeEnv } from "../tests/support/server-process";
import { freePort, startStores } from "../tests/support/services";

async function main(): Promise<void> {
  const app = process.argv[2];
  const { pg, ddb } = await startStores();
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    PORT: String(port),
    MODEL_MANIFEST: join(app, "model", "model.json"),
    TMPDIR: "/tmp",
    ...storeEnv(pg, ddb),
    HOME: "/tmp", // as the Dockerfile sets it (onnxruntime keeps a telemetry id there)
  };
  const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"] : [];
  const [cmd, ...args] = [...asUser, process.execPath, "--enable-source-maps", "dist/src/main.js"];
  const child = spawn(cmd, args, { cwd: app, env, stdio: ["ignore", "inherit", "inherit"] });
  try {
    const health = () => spawnSync(process.execPath, [join(app, "dist", "src", "healthcheck.js")], { env }).status;
    const deadline = Date.now() + 60_000;
    while (health() !== 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error("image never became healthy");
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log("health-check command: exit 0");
    const res = await fetch(`http://127.0.0.1:${port}/api/v2/classify`, {
      method: "POST",
      body: await pattern(1),
      headers: { "content-type": "image/jpeg" },
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`classify answered ${res.status}: ${body}`);
    console.log("classify:", body.slice(0, 200));
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`exit code after SIGTERM: ${code}`);
    console.log("SIGTERM: exit 0\nimage dry run passed");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await ddb.stop();
    pg.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
