/**
 * Z3 (z3-solver, WASM), loaded once per process; each proof gets a context of its own, deleted
 * when the proof ends, so that a process running many proofs (a test suite, `--template` with
 * several targets) does not grow Z3's memory without bound — the WASM heap cannot shrink, and
 * it ran out ("Cannot enlarge memory arrays") after a few dozen proofs in one context. Every
 * query runs within a resource limit: Z3's string solver can search without end, and an answer of
 * `unknown` must become "UNKNOWN — not proved", never a hang or a pass.
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

/**
 * z3-solver frees Z3 objects from a FinalizationRegistry, on the main thread, while a check may
 * be running on Z3's worker thread; Z3's context is not thread-safe, and runs of thousands of
 * queries crashed ("memory access out of bounds"). Its registry is created during `init()`, so
 * it is given one whose cleanups wait until no check is running — and which drops the cleanups of
 * objects whose context was deleted (each registration is tagged with the context that was live).
 */
let checking = 0;
const deferred: (() => void)[] = [];
/** Contexts by generation: 0 is the shared one (small tests), never deleted. */
let live = 0;
const deleted = new Set<number>();

class CheckAwareFinalizationRegistry<T> extends FinalizationRegistry<{ generation: number; held: T }> {
  constructor(cleanup: (held: T) => void) {
    super(({ generation, held }) => {
      const run = () => deleted.has(generation) || cleanup(held);
      if (checking > 0) deferred.push(run);
      else run();
    });
  }

  override register(target: WeakKey, held: unknown, token?: WeakKey): void {
    super.register(target, { generation: live, held: held as T }, token);
  }
}

interface Api {
  Context: (name: "main") => Z3;
  Z3: { del_context(ptr: unknown): void };
}

let loaded: Promise<{ api: Api; shared: Z3; startMs: number }> | undefined;

function load() {
  loaded ??= (async () => {
    const t = performance.now();
    const { init } = await import("z3-solver");
    const original = globalThis.FinalizationRegistry;
    globalThis.FinalizationRegistry = CheckAwareFinalizationRegistry as unknown as FinalizationRegistryConstructor;
    let api: Api;
    try {
      api = (await init()) as unknown as Api;
    } finally {
      globalThis.FinalizationRegistry = original;
    }
    const shared = api.Context("main");
    // Z3 starts its worker thread on the first check (a few hundred ms): part of starting it.
    await solve(shared, [shared.Bool.val(true)], 1000);
    return { api, shared, startMs: performance.now() - t };
  })();
  return loaded;
}

/** The shared context (for small tests), and how long starting Z3 took: loading, the first context and the first check. */
export async function z3(): Promise<{ z3: Z3; startMs: number }> {
  const { shared, startMs } = await load();
  return { z3: shared, startMs };
}

let session: { z: Z3; generation: number; users: number } | undefined;
let generations = 0;

/**
 * Runs `work` with a context of its own, deleted afterwards with everything in it. Calls that
 * overlap share one context (it is deleted when the last ends), so that every object is tagged
 * with the context it belongs to.
 */
export async function withContext<T>(work: (z: Z3) => Promise<T>): Promise<T> {
  const { api } = await load();
  if (!session) {
    generations += 1;
    live = generations;
    session = { z: api.Context("main"), generation: generations, users: 0 };
  }
  const mine = session;
  mine.users += 1;
  try {
    return await work(mine.z);
  } finally {
    mine.users -= 1;
    if (mine.users === 0) {
      session = undefined;
      live = 0;
      deleted.add(mine.generation);
      api.Z3.del_context((mine.z as unknown as { ptr: unknown }).ptr);
    }
  }
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

/**
 * Is the conjunction satisfiable, within `rlimit` units of work? The wall-clock safety net is a
 * timer here that interrupts the check, not Z3's `timeout` parameter: that parameter starts a
 * timer thread — in the WASM build, one more Web Worker, with its own copy of Z3's module — and at
 * the end of every check Z3 spins (`sched_yield`) until that thread acknowledges. Measured over
 * the reviewer's tests, the spinning alone was a seventh of Z3's thread time. Interrupting is
 * what Z3's API offers for stopping a check from another thread (`Z3_interrupt`); checks run one
 * at a time, so the interrupt reaches only the check whose time ran out.
 */
export async function solve(z: Z3, assertions: Bool<"main">[], rlimit: number): Promise<QueryAnswer> {
  const solver = new z.Solver();
  solver.set("rlimit", rlimit);
  solver.add(...assertions);
  const t = performance.now();
  let timedOut = false;
  const net = setTimeout(() => {
    timedOut = true;
    z.interrupt();
  }, safetyTimeoutMs);
  checking += 1;
  try {
    const status = await solver.check();
    if (process.env.PROVER_DEBUG) process.stderr.write(`[solver] ${status} in ${(performance.now() - t).toFixed(0)} ms, ${rlimitUsed(solver)} rlimit (Z3's cumulative count)\n`);
    if (status === "sat") return { status, model: solver.model() };
    if (status === "unsat") return { status };
    const reason = solver.reasonUnknown();
    return { status, reason: timedOut ? `wall-clock safety net of ${safetyTimeoutMs} ms reached` : /canceled|resource|rlimit/i.test(reason) || !reason ? `resource limit of ${rlimit} reached` : reason };
  } finally {
    clearTimeout(net);
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
