/**
 * One Z3 (z3-solver, WASM) per process, started on first use. Every query runs with a timeout:
 * Z3's string solver can search without end, and an answer of `unknown` must become "UNKNOWN —
 * not proved", never a hang or a pass.
 */
import type { Bool, Context, Model } from "z3-solver";

export type Z3 = Context<"main">;

/** Per-query time limit. Measured dev-stack queries answer in well under a second. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

let started: Promise<{ z3: Z3; startMs: number }> | undefined;

/** The shared context, and how long starting it took (for the bench). */
export function z3(): Promise<{ z3: Z3; startMs: number }> {
  started ??= (async () => {
    const t = performance.now();
    const { init } = await import("z3-solver");
    const { Context } = await init();
    return { z3: Context("main"), startMs: performance.now() - t };
  })();
  return started;
}

export type QueryAnswer = { status: "sat"; model: Model<"main"> } | { status: "unsat" } | { status: "unknown"; reason: string };

/** Is the conjunction satisfiable? */
export async function solve(z: Z3, assertions: Bool<"main">[], timeoutMs: number): Promise<QueryAnswer> {
  const solver = new z.Solver();
  solver.set("timeout", timeoutMs);
  solver.add(...assertions);
  const t = performance.now();
  const status = await solver.check();
  if (process.env.PROVER_DEBUG) process.stderr.write(`[solver] ${status} in ${(performance.now() - t).toFixed(0)} ms\n`);
  if (status === "sat") return { status, model: solver.model() };
  if (status === "unsat") return { status };
  return { status, reason: solver.reasonUnknown() || `solver gave up (timeout ${timeoutMs} ms)` };
}
