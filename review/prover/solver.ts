/**
 * One Z3 (z3-solver, WASM) per process, started on first use. Every query runs with a timeout:
 * Z3's string solver can search without end, and an answer of `unknown` must become "UNKNOWN —
 * not proved", never a hang or a pass.
 */
import type { Bool, Context, Model, Seq } from "z3-solver";

export type Z3 = Context<"main">;

/**
 * Solver work per query, in Z3's resource units (`rlimit`): counted work, not time, so the same
 * input gets the same answer on an idle and on a loaded machine. Measured dev-stack queries use
 * well under a million.
 */
export const DEFAULT_QUERY_RLIMIT = 4_000_000;
/** A wall-clock safety net far above what the resource limit allows on any machine seen. */
export const SAFETY_TIMEOUT_MS = 300_000;
let safetyTimeoutMs = SAFETY_TIMEOUT_MS;
export const setSafetyTimeout = (ms: number) => void (safetyTimeoutMs = ms);

let started: Promise<{ z3: Z3; startMs: number }> | undefined;

/**
 * z3-solver frees Z3 objects from a FinalizationRegistry, on the main thread, while a check may
 * be running on Z3's worker thread; Z3's context is not thread-safe, and runs of thousands of
 * queries crashed ("memory access out of bounds"). Its registry is created during `init()`, so
 * it is given one whose cleanups wait until no check is running.
 */
let checking = 0;
const deferred: (() => void)[] = [];

class CheckAwareFinalizationRegistry<T> extends FinalizationRegistry<T> {
  constructor(cleanup: (held: T) => void) {
    super((held) => (checking > 0 ? deferred.push(() => cleanup(held)) : cleanup(held)));
  }
}

/** The shared context, and how long starting it took (for the bench). */
export function z3(): Promise<{ z3: Z3; startMs: number }> {
  started ??= (async () => {
    const t = performance.now();
    const { init } = await import("z3-solver");
    const original = globalThis.FinalizationRegistry;
    globalThis.FinalizationRegistry = CheckAwareFinalizationRegistry;
    try {
      const { Context } = await init();
      return { z3: Context("main"), startMs: performance.now() - t };
    } finally {
      globalThis.FinalizationRegistry = original;
    }
  })();
  return started;
}

/**
 * A string constant. z3-solver passes text to Z3 byte by byte (UTF-8), so anything outside
 * printable ASCII, and the backslash, goes in as a `\u{…}` escape: one Z3 character per code point.
 */
export function zstr(z: Z3, text: string): Seq<"main"> {
  return z.String.val(text.replace(/[^\x20-\x5b\x5d-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`));
}

/** Length in Z3 characters (code points), as zstr encodes text. */
export const zlength = (text: string) => [...text].length;

export type QueryAnswer = { status: "sat"; model: Model<"main"> } | { status: "unsat" } | { status: "unknown"; reason: string };

/** Is the conjunction satisfiable, within `rlimit` units of work? */
export async function solve(z: Z3, assertions: Bool<"main">[], rlimit: number): Promise<QueryAnswer> {
  const solver = new z.Solver();
  solver.set("rlimit", rlimit);
  solver.set("timeout", safetyTimeoutMs);
  solver.add(...assertions);
  const t = performance.now();
  checking += 1;
  try {
    const status = await solver.check();
    if (process.env.PROVER_DEBUG) process.stderr.write(`[solver] ${status} in ${(performance.now() - t).toFixed(0)} ms, ${rlimitUsed(solver)} rlimit\n`);
    if (status === "sat") return { status, model: solver.model() };
    if (status === "unsat") return { status };
    const reason = solver.reasonUnknown();
    return { status, reason: /timeout/i.test(reason) ? `wall-clock safety net of ${safetyTimeoutMs} ms reached` : /canceled|resource|rlimit/i.test(reason) || !reason ? `resource limit of ${rlimit} reached` : reason };
  } finally {
    checking -= 1;
    solver.release();
    if (checking === 0) for (const cleanup of deferred.splice(0)) cleanup();
  }
}

function rlimitUsed(solver: { statistics(): { entries(): Iterable<{ key: string; value: number }> } } | unknown): string {
  try {
    for (const e of (solver as { statistics(): Iterable<{ key: string; value: number }> }).statistics()) if (e.key === "rlimit count") return String(e.value);
  } catch {
    // Statistics are for debugging only.
  }
  return "?";
}
