import type { Session } from "../../src/stores/sessions";

/** What an in-process fake session store answers: the session asked for, or a new one named `newId`. */
export function fakeSession(id: string | undefined, newId = "new-session-0001"): Session {
  return {
    sessionId: id ?? newId,
    created: !id,
    createdAt: "2026-01-01T00:00:00.000Z",
    expiresAt: 2e9,
    requestCount: 1,
  };
}
