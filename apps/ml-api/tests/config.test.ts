import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, containerCpus, loadConfig, parseDbSecret } from "../src/config";

const BASE = {
  AWS_REGION: "eu-west-1",
  SESSIONS_TABLE_NAME: "mlapi-sessions-dev",
  DB_HOST: "db.cluster-abc.eu-west-1.rds.amazonaws.com",
  DB_NAME: "mlapi",
  DB_SECRET: JSON.stringify({ username: "mlapi_admin", password: "s3cr3t-value" }),
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const cfg = loadConfig({ ...BASE, WORKER_THREADS: "2" });
    expect(cfg).toMatchObject({
      port: 8080,
      region: "eu-west-1",
      sessionsKey: "sessionId",
      sessionTtlSeconds: 3600,
      db: {
        port: 5432,
        ssl: "verify-full",
        caPath: "/app/certs/rds-global-bundle.pem",
        poolSize: 5,
        secretArn: undefined,
      },
      workerThreads: 2,
      maxQueue: 64,
      maxInFlight: 8, // 4 per worker thread
      maxWaiting: 8,
      predictionBufferSize: 10_000,
      maxImageBytes: 5 * 1024 * 1024,
      maxImagePixels: 25_000_000,
      maxTopK: 5,
      shutdownTimeoutMs: 25_000,
      logLevel: "info",
    });
  });

  it("collects every problem into one error naming each key", () => {
    const run = () =>
      loadConfig({ DB_PORT: "70000", WORKER_THREADS: "0", DB_SSL: "prefer", MAX_TOP_K: "two", DB_SECRET: "{" });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      "invalid configuration: AWS_REGION is required; SESSIONS_TABLE_NAME is required; DB_HOST is required; DB_PORT=70000 must be an integer in 1..65535; " +
        "DB_NAME is required; DB_SSL=prefer must be one of verify-full, disable; WORKER_THREADS=0 must be an integer in 1..64; MAX_TOP_K=two must be an integer in 1..1000; DB_SECRET is not valid JSON",
    );
  });

  it("keeps an explicit 0 (?? not ||): MAX_QUEUE=0 means no queue", () => {
    expect(loadConfig({ ...BASE, MAX_QUEUE: "0" }).maxQueue).toBe(0);
  });

  it("reads METRICS_SERVICE as the EMF service dimension; absent or blank means none", () => {
    expect(loadConfig({ ...BASE, METRICS_SERVICE: " mlapi-api-prod " }).metricsService).toBe("mlapi-api-prod");
    expect(loadConfig({ ...BASE, METRICS_SERVICE: " " }).metricsService).toBeUndefined();
    expect(loadConfig(BASE).metricsService).toBeUndefined();
  });

  it("sizes admission by WORKER_THREADS unless MAX_IN_FLIGHT / MAX_WAITING are set (MAX_WAITING=0: no waiting)", () => {
    expect(loadConfig({ ...BASE, WORKER_THREADS: "3" })).toMatchObject({ maxInFlight: 12, maxWaiting: 12 });
    expect(loadConfig({ ...BASE, WORKER_THREADS: "3", MAX_IN_FLIGHT: "5", MAX_WAITING: "0" })).toMatchObject({
      maxInFlight: 5,
      maxWaiting: 0,
    });
    expect(() => loadConfig({ ...BASE, MAX_IN_FLIGHT: "0", PREDICTION_BUFFER_SIZE: "-1" })).toThrow(
      "invalid configuration: MAX_IN_FLIGHT=0 must be an integer in 1..10000; PREDICTION_BUFFER_SIZE=-1 must be an integer in 1..1000000",
    );
  });
});

describe("parseDbSecret", () => {
  it("reads username and password from the RDS-managed secret JSON", () => {
    expect(parseDbSecret('{"username":"u","password":"p","engine":"postgres"}')).toEqual({
      username: "u",
      password: "p",
    });
  });
  it.each(['{"username":"u"}', '{"username":"","password":"p"}', "[]", "null"])(
    "rejects %s without echoing the value",
    (json) => {
      expect(() => parseDbSecret(json)).toThrow('must be a JSON object with string "username" and "password"');
    },
  );
});

describe("containerCpus", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlapi-cpu-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (content: string) => {
    const p = join(dir, `cpu.max.${Math.random()}`);
    writeFileSync(p, content);
    return p;
  };
  it.each([
    ["100000 100000", 1],
    ["50000 100000", 1],
    ["150000 100000", Math.min(2, availableParallelism())],
  ])("reads the cgroup quota %s as %d CPU(s)", (content, cpus) => {
    expect(containerCpus(file(content))).toBe(cpus);
  });
  it("falls back to the OS CPU count without a quota", () => {
    expect(containerCpus(file("max 100000"))).toBe(availableParallelism());
    expect(containerCpus(join(dir, "missing"))).toBe(availableParallelism());
  });
});
