// A load generator in its own process (plain Node, no transpiler), so the jest process's event
// loop is not part of what is measured: fires N concurrent POSTs, each on its own connection,
// while polling GET <health path> every 25 ms; prints one JSON object with every sample.
// Usage: node burst.js <base-url> <post-path> <health-path> <concurrency> <body-file>
const { readFileSync } = require("node:fs");
const { request } = require("node:http");

const [base, postPath, healthPath, concurrency, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);

function send(method, path, payload) {
  const started = performance.now();
  return new Promise((resolve) => {
    const headers = payload ? { "content-type": "image/jpeg", "content-length": payload.length } : {};
    const req = request(`${base}${path}`, { method, agent: false, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        let code;
        try {
          code = JSON.parse(Buffer.concat(chunks).toString()).error?.code;
        } catch {
          code = undefined;
        }
        resolve({
          status: res.statusCode,
          code,
          retryAfter: res.headers["retry-after"],
          ms: performance.now() - started,
        });
      });
    });
    req.on("error", (err) => resolve({ status: 0, code: err.code, ms: performance.now() - started }));
    req.end(payload);
  });
}

(async () => {
  const health = [];
  let storm = true;
  const poller = (async () => {
    while (storm) {
      health.push(await send("GET", healthPath));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const posts = await Promise.all(Array.from({ length: Number(concurrency) }, () => send("POST", postPath, body)));
  storm = false;
  await poller;
  process.stdout.write(JSON.stringify({ posts, health }) + "\n");
})();
