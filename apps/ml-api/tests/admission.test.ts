import { Admission } from "../src/http/admission";
import { HttpError } from "../src/http/errors";

describe("Admission", () => {
  it("admits up to maxInFlight at once, queues up to maxWaiting, refuses the rest with 503 overloaded", async () => {
    const a = new Admission({ maxInFlight: 2, maxWaiting: 1 });
    const r1 = await a.acquire();
    await a.acquire();
    const waiting = a.acquire();
    expect([a.inFlight, a.queued]).toEqual([2, 1]);
    const refused = await a.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, code: "overloaded", headers: { "Retry-After": "1" } });
    expect(a.refused).toBe(1);

    r1();
    await waiting; // admitted by the released slot
    expect([a.inFlight, a.queued]).toEqual([2, 0]);
  });

  it("admits waiters in arrival order", async () => {
    const a = new Admission({ maxInFlight: 1, maxWaiting: 3 });
    const release = await a.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => a.acquire().then((r) => (order.push(n), r)));
    release();
    for (const w of waiters) (await w)();
    expect(order).toEqual([1, 2, 3]);
    expect([a.inFlight, a.queued]).toEqual([0, 0]);
  });

  it("frees the place of a caller that goes away while waiting, and a double release frees one slot", async () => {
    const a = new Admission({ maxInFlight: 1, maxWaiting: 1 });
    const release = await a.acquire();
    let abandon: () => void = () => undefined;
    const waiting = a.acquire((cb) => (abandon = cb));
    abandon();
    await expect(waiting).rejects.toThrow("request abandoned while waiting for admission");
    expect(a.queued).toBe(0);
    release();
    release();
    expect(a.inFlight).toBe(0);
  });
});
