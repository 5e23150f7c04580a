import { HttpError } from "./errors";

/** The error code of a request refused by admission control (503): load shed, not a failure of the code. */
export const OVERLOADED = "overloaded";

export interface AdmissionLimits {
  /** Requests admitted at once (reading the body, decoding, waiting for and running inference). */
  maxInFlight: number;
  /** Requests waiting for admission beyond that; past it, refused at once. */
  maxWaiting: number;
}

interface Waiter {
  admit: () => void;
}

/**
 * Admission control for the expensive routes, applied before the body is read: a fixed number
 * of requests in flight plus a short FIFO of waiting ones; anything beyond is refused at once
 * with 503 `overloaded` (a few microseconds of work and no body read), so an overloaded task
 * answers refusals, and /health, in milliseconds instead of reading and decoding every upload
 * only to refuse it at the inference queue.
 */
export class Admission {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private refusedTotal = 0;

  constructor(readonly limits: AdmissionLimits) {}

  /** Requests admitted and not yet released. */
  get inFlight(): number {
    return this.active;
  }
  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
  /** Requests refused as overloaded since start. */
  get refused(): number {
    return this.refusedTotal;
  }

  /**
   * Resolves with a release function once admitted, or throws 503 `overloaded` at once. `abandoned`
   * registers a callback for a caller that goes away while waiting (it then leaves the queue).
   */
  async acquire(abandoned?: (cb: () => void) => void): Promise<() => void> {
    if (this.active < this.limits.maxInFlight) return this.admitted();
    if (this.waiting.length >= this.limits.maxWaiting) {
      this.refusedTotal++;
      throw new HttpError(503, OVERLOADED, "the service is at capacity; retry shortly", { "Retry-After": "1" });
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { admit: resolve };
      this.waiting.push(waiter);
      abandoned?.(() => {
        const i = this.waiting.indexOf(waiter);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        reject(new Error("request abandoned while waiting for admission"));
      });
    });
    return this.admitted(true);
  }

  // A waiter is admitted by the release that frees its slot: `active` was never decremented for it.
  private admitted(handedOver = false): () => void {
    if (!handedOver) this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.admit();
      else this.active--;
    };
  }
}
