// Container health check for the ECS task definition (slim images have no curl):
//   ["CMD", "node", "/app/dist/src/healthcheck.js"]
// Exit 0 when GET /health answers 200 within 3 s, else 1.
const port = process.env.PORT ?? "8080";
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  () => process.exit(1),
);
