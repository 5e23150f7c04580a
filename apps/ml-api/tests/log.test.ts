import { awsSdkLogger, createLogger } from "../src/log";

// Process warnings routed into the log (routeProcessWarnings) are checked on the real process in
// store-outage.test.ts: jest's sandboxed `process` does not deliver them like node does.

describe("logs stay one JSON object per line", () => {
  const lines: string[] = [];
  const log = createLogger("debug", (l) => lines.push(l));
  beforeEach(() => (lines.length = 0));

  it("gives the AWS SDK a logger that writes its warnings and errors as JSON and drops its per-call info", () => {
    const sdk = awsSdkLogger(log);
    sdk.info({ clientName: "DynamoDBClient", input: { Key: "secret-ish" } });
    sdk.debug("endpoint resolution");
    sdk.warn("@smithy/node-http-handler - [WARN] a request has exceeded the configured 2000 ms requestTimeout.");
    sdk.error("boom", { code: 1 });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "aws sdk",
        message: expect.stringContaining("exceeded the configured 2000 ms"),
      }),
      expect.objectContaining({ level: "error", msg: "aws sdk", message: 'boom {"code":1}' }),
    ]);
  });
});
