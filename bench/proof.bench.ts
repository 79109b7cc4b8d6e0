/**
 * The Z3 proof (`npm run review -- --prove`): time to prove the dev stack in a fresh process,
 * Z3's start included (the issue's goal: 5 s or less), with group-wide read off and on, and the
 * time to find and replay the counterexamples for the article's list policy.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { percentile, type Bench } from "./harness";

const GOAL_MS = 5000;
/** Issue 15: the dev-stack proof within 3× the solver's own start-up, measured in the same process. */
const START_RATIO_GOAL = 3;
const RUNS = 3;
const ROOT = path.resolve(__dirname, "..");

interface Run {
  totalMs: number;
  solverStartMs: number;
  queries: number;
  proved: boolean;
  violated: number;
}

function prove(variant: string): Run {
  const out = execFileSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "bench/prove-once.ts"), variant], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function median(variant: string): Run {
  const runs = Array.from({ length: RUNS }, () => prove(variant));
  const ms = percentile(runs.map((r) => r.totalMs), 50);
  return { ...runs.find((r) => r.totalMs === ms)!, totalMs: ms };
}

export const bench: Bench = async () => {
  const dev = median("dev");
  const admin = median("admin-reads");
  const article = median("article-list");
  if (!dev.proved || !admin.proved) throw new Error("the dev stack did not prove; fix that before benchmarking it");
  if (article.violated === 0) throw new Error("the article's list policy was not found violated");
  return {
    title: "Isolation proof (npm run review -- --prove, z3-solver WASM)",
    method: `each figure is the median of ${RUNS} fresh processes, timed from just before Z3 starts to the last verdict (synthesis excluded)`,
    rows: [
      { metric: "dev stack proof, incl. solver start", value: s(dev.totalMs), goal: "<= 5 s", met: dev.totalMs <= GOAL_MS },
      { metric: "of which Z3 start", value: s(dev.solverStartMs) },
      {
        metric: "dev stack proof ÷ Z3 start (same process)",
        value: `${(dev.totalMs / dev.solverStartMs).toFixed(2)}×`,
        goal: `<= ${START_RATIO_GOAL}×`,
        met: dev.totalMs / dev.solverStartMs <= START_RATIO_GOAL,
      },
      { metric: "dev stack proof, Z3 start excluded (per query)", value: `${s(dev.totalMs - dev.solverStartMs)} (${((dev.totalMs - dev.solverStartMs) / dev.queries).toFixed(1)} ms)` },
      { metric: "solver queries (dev stack)", value: String(dev.queries) },
      { metric: "dev stack with admin group-wide read, incl. solver start", value: s(admin.totalMs), goal: "<= 5 s", met: admin.totalMs <= GOAL_MS },
      { metric: "article's list policy: proof with counterexamples found and replayed", value: `${s(article.totalMs)} (${article.violated} properties violated)` },
    ],
    notes: [
      `The proof ÷ start ratio divides two figures of one process, but Z3's start varies with the machine's load (0.33 s in the 2026-11-29 run, ${s(dev.solverStartMs)} here), and a slow start makes the ratio easier to meet: the proof's own part, Z3 start excluded, is the row that shows its cost.`,
      "Each violation query is first asked symbolically with 1/1600 of the resource budget (2,500 units, some 15 ms: a sound policy's queries are unsat within it), then on concrete candidates, then with the ids pinned (1/20), then symbolically with the full budget: proofs are fast, and a counterexample is usually found by a candidate in milliseconds.",
      "Concrete candidate requests (Cognito-format ids, keys and prefixes derived from the policies' own patterns) are ground queries Z3 decides in milliseconds, while building a model with free 46-character ids takes it tens of thousands of units. Proofs always come from a symbolic query.",
    ],
  };
};
