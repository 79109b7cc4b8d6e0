/**
 * Explicit retries with jittered exponential backoff. The SDK clients run with maxAttempts 1, so
 * this is the only retry layer: attempts are not multiplied, and faults injected in front of the
 * clients exercise exactly this code.
 */
import { awsErrorName, isRetryable } from "./errors";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Ceiling of the first pause; doubles each retry. */
  baseDelayMs: number;
  /** No pause is longer than this. */
  maxDelayMs: number;
  /** Waits; injectable so tests do not sleep. */
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random: () => number;
}

/** A policy that really sleeps and draws real jitter. */
export function retryPolicy(limits: Pick<RetryPolicy, "maxAttempts" | "baseDelayMs" | "maxDelayMs">): RetryPolicy {
  return { ...limits, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random };
}

/** Thrown when every attempt failed with a retryable error. */
export class RetriesExhaustedError extends Error {
  constructor(
    public readonly operation: string,
    public readonly attempts: number,
    /** Name of the last error (e.g. `SlowDown`). */
    public readonly lastErrorName: string,
  ) {
    super(`${operation}: ${attempts} attempts failed, the last with ${lastErrorName}`);
    this.name = "RetriesExhaustedError";
  }
}

/** "Full jitter": uniform between 0 and min(max, base * 2^retry). */
export function backoffDelay(policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error (rethrown as is), or
 * `maxAttempts` retryable failures have happened (RetriesExhaustedError). With `remainingMs`
 * (the caller's time budget), it also stops when the next pause would not leave time for another
 * attempt.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  operation: string,
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean = isRetryable,
  remainingMs: () => number = () => Infinity,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error)) throw error;
      const delay = backoffDelay(policy, n);
      if (n + 1 >= policy.maxAttempts || delay >= remainingMs()) throw new RetriesExhaustedError(operation, n + 1, awsErrorName(error));
      await policy.sleep(delay);
    }
  }
}
