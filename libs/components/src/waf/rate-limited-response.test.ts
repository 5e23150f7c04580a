import { RATE_LIMITED, rateLimitedAction, rateLimitedBody, retryAfterSecondsFor } from "./rate-limited-response";

describe("retryAfterSecondsFor", () => {
  it("asks for a fifth of the evaluation window: 60 s for the default 300 s", () => {
    expect(retryAfterSecondsFor(300)).toBe(60);
    expect(retryAfterSecondsFor(600)).toBe(120);
  });

  it("never less than WAF's ~30 s delay in noticing a rate fell", () => {
    expect(retryAfterSecondsFor(60)).toBe(30);
    expect(retryAfterSecondsFor(120)).toBe(30);
  });
});

describe("rateLimitedAction", () => {
  it("blocks with 429, Retry-After, no-store and the given body", () => {
    expect(rateLimitedAction("slow-down", 60)).toEqual({
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: "slow-down",
          responseHeaders: [
            { name: "Retry-After", value: "60" },
            { name: "Cache-Control", value: "no-store" },
          ],
        },
      },
    });
  });
});

describe("rateLimitedBody", () => {
  it("is JSON in the API's error shape, code rate_limited", () => {
    const body = rateLimitedBody("slow-down", "too many");
    expect(body).toMatchObject({ key: "slow-down", contentType: "APPLICATION_JSON" });
    expect(JSON.parse(String(body.content))).toEqual({ error: { code: RATE_LIMITED.code, message: "too many" } });
  });
});
