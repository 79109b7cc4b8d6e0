/**
 * Time limits. A request gets a budget below the function's timeout (contract `requestBudgetMs`),
 * and every upstream call (Cognito, S3, JWKS) a timeout of its own inside what is left of it, so
 * a silent service costs a bounded wait and the caller always gets this API's own JSON answer
 * instead of Lambda killing the function and API Gateway answering for it.
 */

/** Per-attempt limits of upstream calls, in ms: generous for an in-region call, far below the budget. */
export const UPSTREAM_TIMEOUT_MS = {
  cognito: 3000,
  s3: 5000,
  jwks: 3000,
} as const;

/** Kept back from every upstream call, so an answer can still be written once it times out. */
const ANSWER_RESERVE_MS = 100;

/** An upstream call that did not answer in time. Named like the SDK's timeouts, so retry logic treats it alike. */
export class UpstreamTimeoutError extends Error {
  constructor(public readonly operation: string) {
    super(`${operation} did not answer in time`);
    this.name = "TimeoutError";
  }
}

export class Deadline {
  constructor(
    /** When the request's budget runs out, on `now`'s clock. */
    public readonly atMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A deadline `budgetMs` from now. */
  static after(budgetMs: number, now: () => number = () => performance.now()): Deadline {
    return new Deadline(now() + budgetMs, now);
  }

  remainingMs(): number {
    return Math.max(0, this.atMs - this.now());
  }

  /** How long one upstream call may take: its own limit, within what the request has left. */
  callLimitMs(limitMs: number): number {
    return Math.max(0, Math.min(limitMs, this.remainingMs() - ANSWER_RESERVE_MS));
  }
}

/**
 * Runs `call` with a signal that aborts after the call's limit, and rejects with
 * UpstreamTimeoutError at that moment whether or not the call honours the signal.
 */
export async function withTimeout<T>(deadline: Deadline, operation: string, limitMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ms = deadline.callLimitMs(limitMs);
  if (ms <= 0) throw new UpstreamTimeoutError(operation);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new UpstreamTimeoutError(operation));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timedOut]);
  } catch (error) {
    // The SDK reports its own abort as AbortError: that is our timeout.
    if (controller.signal.aborted) throw new UpstreamTimeoutError(operation);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
