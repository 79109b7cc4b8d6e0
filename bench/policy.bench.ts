/**
 * The policy review: simulations per second, the whole dev-stack matrix's wall time (first run in
 * a process, which loads the IAM reference data, and warm runs), synthesis, and the reviewer
 * command end to end as a user runs it.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { createLocalEngine } from "../review/engines/local-engine";
import { runMatrix } from "../review/matrix";
import { targetFromStack } from "../review/targets";
import { synthesizeStack } from "../synth/synthesize";
import { percentile, type Bench } from "./harness";

const MATRIX_GOAL_MS = 2000;
const WARM_RUNS = 3;
const COMMAND_RUNS = 3;
const ROOT = path.resolve(__dirname, "..");

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const bench: Bench = async () => {
  let t = performance.now();
  const stack = await synthesizeStack({ stack: "dev" });
  const synthMs = performance.now() - t;
  const target = targetFromStack(stack);

  t = performance.now();
  const cold = await runMatrix(target, { engine: createLocalEngine() });
  const coldMs = performance.now() - t;
  if (!cold.pass) throw new Error("the dev-stack matrix did not pass; fix that before benchmarking it");

  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    t = performance.now();
    await runMatrix(target, { engine: createLocalEngine() });
    warm.push(performance.now() - t);
  }
  const warmMs = percentile(warm, 50);

  const command: number[] = [];
  for (let i = 0; i < COMMAND_RUNS; i++) {
    t = performance.now();
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "review/cli.ts"), "--format", "json"], { cwd: ROOT, stdio: "ignore" });
    command.push(performance.now() - t);
  }
  const commandMs = percentile(command, 50);

  return {
    title: "Policy review (npm run review, local engine, dev stack)",
    method: `synthesis once; the matrix once cold, then the median of ${WARM_RUNS} warm runs in the same process; the command's median of ${COMMAND_RUNS} fresh processes`,
    rows: [
      { metric: "scenarios in the matrix (requests)", value: String(cold.rows.length) },
      { metric: "simulations per matrix (incl. controls, trust)", value: String(cold.simulations) },
      { metric: "simulations per second (warm)", value: String(Math.round(cold.simulations / (warmMs / 1000))) },
      { metric: "whole matrix, first run in a process", value: s(coldMs), goal: "<= 2 s", met: coldMs <= MATRIX_GOAL_MS },
      { metric: "whole matrix, warm", value: s(warmMs), goal: "<= 2 s", met: warmMs <= MATRIX_GOAL_MS },
      { metric: "dev stack synthesis (mock runtime, incl. Lambda bundle build)", value: s(synthMs) },
      { metric: "`npm run review` end to end (process start to exit)", value: s(commandMs) },
    ],
  };
};
