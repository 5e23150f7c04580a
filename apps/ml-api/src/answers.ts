// What the classify routes (single and batch) share: the session and model parts of a v2 answer, and,
// when a store fails, an answer that is still a 200 with the classification and says what was not done.
import type { Session } from "./stores/sessions";

/** One entry of a v2 answer's `warnings`. */
export interface Warning {
  code: string;
  message: string;
}

/** What a v2 answer says when a store failed (the answer itself is a 200). */
export const WARNINGS: Record<"predictionNotStored" | "sessionUnavailable", Warning> = {
  predictionNotStored: {
    code: "prediction_not_stored",
    message: "the prediction store is unavailable: the record is kept in memory and retried",
  },
  sessionUnavailable: {
    code: "session_unavailable",
    message: "the session store is unavailable: this answer has no session; send the same X-Session-Id again later",
  },
};

/** The value, or the error, and how long it took. */
export async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t = performance.now();
  try {
    return { value: await p, ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
}

/** A v2 answer's `session`: null when the session store failed (see WARNINGS.sessionUnavailable). */
export function sessionAnswer(session: Session | undefined) {
  return session
    ? {
        id: session.sessionId,
        created: session.created,
        expiresAt: session.expiresAt,
        requestCount: session.requestCount,
      }
    : null;
}
