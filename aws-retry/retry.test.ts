import fc from "fast-check";
import { RetriesExhaustedError, backoffDelay, withRetries, type RetryPolicy } from "./retry";

const throttle = () => Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException", $metadata: { httpStatusCode: 400 } });
const denied = () => Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void slept.push(ms), random: () => 0.999, slept, ...overrides };
}

it("returns the first success without pausing", async () => {
  const p = policy();
  await expect(withRetries(p, "op", async () => "ok")).resolves.toBe("ok");
  expect(p.slept).toEqual([]);
});

it("retries retryable errors with doubling ceilings and succeeds", async () => {
  const p = policy();
  let calls = 0;
  const result = await withRetries(p, "op", async () => {
    if (++calls < 3) throw throttle();
    return calls;
  });
  expect(result).toBe(3);
  expect(p.slept).toEqual([99, 199]);
});

it("rethrows a non-retryable error at once, as it is", async () => {
  const p = policy();
  let calls = 0;
  const error = denied();
  await expect(withRetries(p, "op", async () => {
    calls++;
    throw error;
  })).rejects.toBe(error);
  expect(calls).toBe(1);
});

it("stops early when the next pause would use up the caller's remaining time", async () => {
  const p = policy();
  let calls = 0;
  const run = withRetries(p, "op", async () => {
    calls++;
    throw throttle();
  }, undefined, () => 150);
  await expect(run).rejects.toMatchObject({ name: "RetriesExhaustedError", attempts: 2 });
  // First pause (99 ms) fits in 150 ms; the second (199 ms) would not.
  expect(p.slept).toEqual([99]);
  expect(calls).toBe(2);
});

it("gives up after maxAttempts with RetriesExhaustedError naming the operation and the last error", async () => {
  const p = policy();
  let calls = 0;
  const failure = withRetries(p, "s3:GetObject", async () => {
    calls++;
    throw throttle();
  });
  await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
  await expect(failure).rejects.toMatchObject({ operation: "s3:GetObject", attempts: 4, lastErrorName: "TooManyRequestsException" });
  expect(calls).toBe(4);
  expect(p.slept).toHaveLength(3);
});

describe("backoff properties", () => {
  const policies = fc.record({
    baseDelayMs: fc.integer({ min: 1, max: 1000 }),
    maxDelayMs: fc.integer({ min: 1, max: 20_000 }),
    random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((r) => () => r),
  });

  it("every pause is a whole number between 0 and min(max, base * 2^retry)", () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 30 }), (p, retry) => {
        const delay = backoffDelay(p, retry);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.max(1, Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** retry)));
      }),
    );
  });

  it("the total time spent pausing never exceeds (maxAttempts - 1) * maxDelayMs", async () => {
    await fc.assert(
      fc.asyncProperty(policies, fc.integer({ min: 1, max: 8 }), async (p, maxAttempts) => {
        const slept: number[] = [];
        const run = withRetries({ ...p, maxAttempts, sleep: async (ms) => void slept.push(ms) }, "op", async () => {
          throw throttle();
        });
        await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
        expect(slept).toHaveLength(maxAttempts - 1);
        expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual((maxAttempts - 1) * p.maxDelayMs);
      }),
    );
  });
});
