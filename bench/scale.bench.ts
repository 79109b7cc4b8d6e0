/**
 * The scale curve: how the matrix and the proof grow with the number of roles (the dev stack with
 * 1, 5, 10 and 25 groups, each its own role) and with the size of one role's identity policy
 * (10, 25 and 50 statements). Each configuration runs in a fresh process (scale-once.ts), so its
 * peak memory is its own. The growth goals are ratios of two rows of the same run.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { Bench, BenchRow } from "./harness";
import { ALTERNATING_RUNS, type MatrixRatioRun } from "./matrix-ratio-once";
import type { ScaleRun } from "./scale-once";

const ROLES = [1, 5, 10, 25];
/** 50 statements take 8,744 of the 10,240 characters IAM allows a role's inline policies. */
const STATEMENTS = [10, 25, 50];
const MATRIX_RATIO_GOAL = 2;
const PROOF_RATIO_GOAL = 30;
const ROOT = path.resolve(__dirname, "..");

/** Runs a bench script in a fresh process; its last line of output is JSON. */
function child<T>(script: string, ...args: string[]): T {
  const out = execFileSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "bench", script), ...args], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}

function once(kind: "roles" | "statements", n: number): ScaleRun {
  const run = child<ScaleRun>("scale-once.ts", kind, String(n));
  if (!run.matrixPass || !run.proofPass) throw new Error(`${kind} ${n}: the review did not pass; fix that before benchmarking it`);
  return run;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (ratio: number) => `${ratio.toFixed(2)}×`;

const HEADER = ["configuration", "requests", "simulations", "matrix, first run", "matrix, warm", "proof (incl. Z3 start)", "of which Z3 start", "queries", "UNKNOWN", "peak RSS"];

function curveRow(label: string, r: ScaleRun): string[] {
  return [label, String(r.requests), String(r.simulations), s(r.matrixMs), s(r.matrixWarmMs), s(r.proofMs), s(r.solverStartMs), String(r.queries), String(r.unknown), `${r.peakRssMiB.toFixed(0)} MiB`];
}

export const bench: Bench = async () => {
  const roles = new Map(ROLES.map((n) => [n, once("roles", n)]));
  const statements = new Map(STATEMENTS.map((n) => [n, once("statements", n)]));
  const one = roles.get(1)!;
  const many = roles.get(25)!;
  const alternating = child<MatrixRatioRun>("matrix-ratio-once.ts", "25");
  const matrixRatio = alternating.manyMs / alternating.oneMs;
  const proofRatio = many.proofMs / one.proofMs;
  const rows: BenchRow[] = [
    {
      metric: `matrix, 25 roles ÷ 1 role (warm, one process, medians of ${ALTERNATING_RUNS} alternating runs)`,
      value: `${x(matrixRatio)} (${s(alternating.manyMs)} ÷ ${s(alternating.oneMs)})`,
      goal: `<= ${MATRIX_RATIO_GOAL}`,
      met: matrixRatio <= MATRIX_RATIO_GOAL,
    },
    { metric: "matrix, 25 roles ÷ 1 role, CPU time of the same runs (less disturbed by other work on the machine)", value: `${x(alternating.manyCpuMs / alternating.oneCpuMs)} (${s(alternating.manyCpuMs)} ÷ ${s(alternating.oneCpuMs)})` },
    { metric: "matrix, 25 roles ÷ 1 role (the curve's warm medians, separate processes)", value: x(many.matrixWarmMs / one.matrixWarmMs) },
    { metric: "matrix, 25 roles ÷ 1 role (the curve's first runs, IAM reference data loading included)", value: x(many.matrixMs / one.matrixMs) },
    {
      metric: "proof, 25 roles ÷ 1 role (incl. Z3 start), UNKNOWN verdicts",
      value: `${x(proofRatio)}, ${one.unknown + many.unknown} UNKNOWN`,
      goal: `<= ${PROOF_RATIO_GOAL}, no UNKNOWN`,
      met: proofRatio <= PROOF_RATIO_GOAL && one.unknown + many.unknown === 0,
    },
    { metric: "proof, 25 roles ÷ 1 role, Z3 start excluded", value: x((many.proofMs - many.solverStartMs) / (one.proofMs - one.solverStartMs)) },
  ];
  return {
    title: "Scale curve (roles and statements)",
    method:
      "one fresh process per configuration (bench/scale-once.ts): the matrix once (first run), then the median of 3 warm runs, then the proof; peak RSS is the process's maximum resident set. Roles: the dev stack with N groups, each its own role. Statements: a one-role policy-file review (the broken-policies fixtures' trust and bucket policies) whose identity policy has N statements (bench/scale-inputs.ts)",
    rows,
    table: {
      caption: "The curve",
      header: HEADER,
      rows: [...ROLES.map((n) => curveRow(`dev stack, ${n} role${n === 1 ? "" : "s"}`, roles.get(n)!)), ...STATEMENTS.map((n) => curveRow(`1 role, ${n} statements`, statements.get(n)!))],
    },
    notes: [
      ...(matrixRatio <= MATRIX_RATIO_GOAL
        ? []
        : [
            `The matrix's growth goal is missed. Simulations barely grow (${one.simulations} → ${many.simulations}: 25 roles' requests share their simulations), but requests do (${one.requests} → ${many.requests}), and each costs the reviewer's own bookkeeping — building the scenario and its expected decision, the shared-simulation key, naming the deciding statements, judging the row and its control, and the garbage of all that — about ${(((alternating.manyMs - alternating.oneMs) / (many.requests - one.requests)) * 1000).toFixed(1)} µs a request here, against ${((alternating.oneMs / one.requests) * 1000).toFixed(0)} µs a request for 1 role, where simulations dominate. Meeting 2× needs it at most ${((alternating.oneMs / (many.requests - one.requests)) * 1000).toFixed(1)} µs (rows built once per distinct role shape and copied per role, keys without JSON), not a faster evaluator.`,
          ]),
      "50 statements take 8,744 characters of the 10,240 IAM allows for a role's inline policies (compact JSON), so the statement axis stops there; 60 would not fit.",
      "Simulations are distinct simulations: a request equal to one already simulated in the run (same documents after substitution, action, resource, context, and a session the bucket policy cannot tell apart) shares its verdict (review/engines/shared-simulations.ts), so 25 roles whose policies say the same thing add requests, not simulations.",
    ],
  };
};
