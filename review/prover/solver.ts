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

interface Api {
  Context: (name: "main") => Z3;
  Z3: { del_context(ptr: unknown): void; get_error_code(c: number): number; get_error_msg(c: number, code: number): string };
  /** The emscripten module: Z3's C API as exported functions, the synchronous check among them. */
  em: { _Z3_solver_check(c: number, s: number): number };
}

/** Z3 once loaded and started, with the context small tests share. */
interface Loaded {
  api: Api;
  shared: Z3;
  startMs: number;
}

/**
 * Z3's state in this process. Loading Z3 and starting its threads costs most of a second, so it
 * is done once per process. A test runner runs many test files in one process, each with its own
 * copy of this module: where the host offers an object that outlives them
 * (`globalThis[Symbol.for("process-wide")]`, which jest.environment.js gives each jest worker),
 * the state lives there and the files share one Z3; elsewhere it is this module's own.
 */
interface ProcessZ3 {
  loaded?: Promise<Loaded>;
  /** Z3's API, as soon as it is loaded (the first check runs before `loaded` resolves). */
  api?: Api;
  /** Checks running now. */
  checking: number;
  /** Cleanups that waited for the running checks to end. */
  deferred: (() => void)[];
  /** The generation of the context objects are created in now: 0 is the shared one (small tests), never deleted. */
  live: number;
  /** Generations whose context was deleted, with everything in it. */
  deleted: Set<number>;
  generations: number;
  session?: { z: Z3; generation: number; users: number };
  /** Settles when the last check asked for has ended: checks take turns (check()). */
  turn?: Promise<void>;
}

const host = (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for("process-wide")] ?? {};
const proc = (host.z3 ??= { checking: 0, deferred: [], live: 0, deleted: new Set<number>(), generations: 0 } satisfies ProcessZ3) as ProcessZ3;

/**
 * z3-solver frees Z3 objects from a FinalizationRegistry, on the main thread, while a check may
 * be running on Z3's worker thread; Z3's context is not thread-safe, and runs of thousands of
 * queries crashed ("memory access out of bounds"). Its registry is created during `init()`, so
 * it is given one whose cleanups wait until no check is running — and which drops the cleanups of
 * objects whose context was deleted (each registration is tagged with the context that was live).
 */
class CheckAwareFinalizationRegistry<T> extends FinalizationRegistry<{ generation: number; held: T }> {
  constructor(cleanup: (held: T) => void) {
    super(({ generation, held }) => {
      const run = () => proc.deleted.has(generation) || cleanup(held);
      if (proc.checking > 0) proc.deferred.push(run);
      else run();
    });
  }

  override register(target: WeakKey, held: unknown, token?: WeakKey): void {
    super.register(target, { generation: proc.live, held: held as T }, token);
  }
}

function load(): Promise<Loaded> {
  proc.loaded ??= (async () => {
    const t = performance.now();
    const { init } = await import("z3-solver");
    const original = globalThis.FinalizationRegistry;
    globalThis.FinalizationRegistry = CheckAwareFinalizationRegistry as unknown as FinalizationRegistryConstructor;
    let api: Api;
    try {
      api = (await init()) as unknown as Api;
      proc.api = api;
    } finally {
      globalThis.FinalizationRegistry = original;
    }
    const shared = api.Context("main");
    // Z3 starts its worker thread on the first check made there (a few hundred ms): part of
    // starting it, so this one goes there, whatever its size.
    const first = new shared.Solver();
    first.add(shared.Bool.val(true));
    proc.checking += 1;
    try {
      await first.check();
    } finally {
      proc.checking -= 1;
      first.release();
    }
    return { api, shared, startMs: performance.now() - t };
  })();
  return proc.loaded;
}

/** The shared context (for small tests), and how long starting Z3 took: loading, the first context and the first check. */
export async function z3(): Promise<{ z3: Z3; startMs: number }> {
  const { shared, startMs } = await load();
  return { z3: shared, startMs };
}

/**
 * Runs `work` with a context of its own, deleted afterwards with everything in it. Calls that
 * overlap share one context (it is deleted when the last ends), so that every object is tagged
 * with the context it belongs to.
 */
export async function withContext<T>(work: (z: Z3) => Promise<T>): Promise<T> {
  const { api } = await load();
  if (!proc.session) {
    proc.generations += 1;
    proc.live = proc.generations;
    proc.session = { z: api.Context("main"), generation: proc.generations, users: 0 };
    asked.set(proc.session.z, new Map());
  }
  const mine = proc.session;
  mine.users += 1;
  try {
    return await work(mine.z);
  } finally {
    mine.users -= 1;
    if (mine.users === 0) {
      proc.session = undefined;
      proc.live = 0;
      proc.deleted.add(mine.generation);
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
 * A check whose resource limit is at most this runs on this thread, synchronously: it cannot
 * outlast the safety net (Z3 was measured at 30,000 units a second or more, so under 10 s), and
 * the thread hand-off of an asynchronous check — a new thread per check, messages both ways —
 * cost 2 ms of a trivial check's 5.5. The prover's quick, sample and pinned attempts are all
 * under it; the full-budget attempts, which can run for minutes, stay on Z3's thread.
 */
export const MAIN_THREAD_RLIMIT = 250_000;
/** A safety net shorter than this (a caller's choice) sends every check to Z3's thread, where the net can interrupt it. */
const MAIN_THREAD_SAFETY_FLOOR_MS = 60_000;

const LBOOL: Record<number, QueryAnswer["status"]> = { [-1]: "unsat", 0: "unknown", 1: "sat" };

/** Runs the check on this thread: only when no other check is running, so that Z3 is never entered twice at once. */
function checkHere(api: Api, z: Z3, solver: unknown): QueryAnswer["status"] {
  const context = (z as unknown as { ptr: number }).ptr;
  const result = api.em._Z3_solver_check(context, (solver as { ptr: number }).ptr);
  const code = api.Z3.get_error_code(context);
  if (code !== 0) throw new Error(`Z3: ${api.Z3.get_error_msg(context, code)}`);
  return LBOOL[result]!;
}

/**
 * Is the conjunction satisfiable, within `rlimit` units of work? On Z3's thread, the wall-clock
 * safety net is a timer here that interrupts the check, not Z3's `timeout` parameter: that
 * parameter starts a timer thread — in the WASM build, one more Web Worker, with its own copy of
 * Z3's module — and at the end of every check Z3 spins (`sched_yield`) until that thread
 * acknowledges. Measured over the reviewer's tests, the spinning alone was a seventh of Z3's
 * thread time. Interrupting is what Z3's API offers for stopping a check from another thread
 * (`Z3_interrupt`); checks take turns, each timer started when its check starts, so the interrupt
 * reaches only the check whose time ran out. Small checks run on this thread (MAIN_THREAD_RLIMIT): the same Z3 function, the same answer.
 */
export async function solve(z: Z3, assertions: Bool<"main">[], rlimit: number): Promise<QueryAnswer> {
  // One context interns equal terms once, so equal ids of live terms are equal formulas: a query
  // asked again in this context (two roles with the same documents, a sample two properties try)
  // gets the first answer, which its model, alive as long as the context, still satisfies.
  // Z3 gives a freed term's id to the next new term, so the entry holds its assertions: while it
  // lives, their ids name them and no other term. Only in a proof's own context (withContext),
  // which is deleted with its answers.
  const answers = asked.get(z);
  if (!answers) return check(z, assertions, rlimit);
  const key = `${rlimit}:${assertions.map((a) => a.id()).join(",")}`;
  let entry = answers.get(key);
  if (!entry) answers.set(key, (entry = { assertions: [...assertions], answer: check(z, assertions, rlimit) }));
  return entry.answer;
}

/** Answers by proof context (withContext), then by resource limit and the ids of the assertions (held, so that the ids stay theirs). */
const asked = new WeakMap<Z3, Map<string, { assertions: Bool<"main">[]; answer: Promise<QueryAnswer> }>>();

async function check(z: Z3, assertions: Bool<"main">[], rlimit: number): Promise<QueryAnswer> {
  // Checks take turns (z3-solver runs one at a time anyway), so that the safety net's timer runs
  // while this check does, not while it waits for another (overlapping proofs share a context),
  // and its interrupt reaches this check only.
  const previous = proc.turn;
  let ended!: () => void;
  proc.turn = new Promise<void>((resolve) => (ended = resolve));
  try {
    if (previous) await previous;
    return await checkNow(z, assertions, rlimit);
  } finally {
    ended();
  }
}

async function checkNow(z: Z3, assertions: Bool<"main">[], rlimit: number): Promise<QueryAnswer> {
  const solver = new z.Solver();
  solver.set("rlimit", rlimit);
  solver.add(...assertions);
  const t = performance.now();
  const here = proc.api && proc.checking === 0 && rlimit <= MAIN_THREAD_RLIMIT && safetyTimeoutMs >= MAIN_THREAD_SAFETY_FLOOR_MS;
  let timedOut = false;
  const net = here
    ? undefined
    : setTimeout(() => {
        timedOut = true;
        z.interrupt();
      }, safetyTimeoutMs);
  proc.checking += 1;
  try {
    const status = here ? checkHere(proc.api!, z, solver) : await solver.check();
    if (process.env.PROVER_DEBUG) process.stderr.write(`[solver] ${status} in ${(performance.now() - t).toFixed(0)} ms${here ? " (this thread)" : ""}, ${rlimitUsed(solver)} rlimit (Z3's cumulative count)\n`);
    if (status === "sat") return { status, model: solver.model() };
    if (status === "unsat") return { status };
    const reason = solver.reasonUnknown();
    return { status, reason: timedOut ? `wall-clock safety net of ${safetyTimeoutMs} ms reached` : /canceled|resource|rlimit/i.test(reason) || !reason ? `resource limit of ${rlimit} reached` : reason };
  } finally {
    clearTimeout(net);
    proc.checking -= 1;
    solver.release();
    if (proc.checking === 0) for (const cleanup of proc.deferred.splice(0)) cleanup();
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
