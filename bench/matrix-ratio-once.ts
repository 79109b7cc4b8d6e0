/**
 * Child process for the matrix growth ratio: the dev stack with 1 role and with 25, each run once
 * to warm up, then warm runs alternating between the two, so that both see the same machine load
 * (the machine is shared; separate processes a minute apart saw different loads). Prints one JSON
 * line with the medians.
 */
import { createLocalEngine } from "../review/engines/local-engine";
import { SharedSimulations } from "../review/engines/shared-simulations";
import { runMatrix } from "../review/matrix";
import type { ReviewTarget } from "../review/review-target";
import { targetFromStack } from "../review/targets";
import { synthesizeStack } from "../synth/synthesize";
import { percentile } from "./harness";

export const ALTERNATING_RUNS = 9;

export interface MatrixRatioRun {
  /** Median wall time, 1 role. */
  oneMs: number;
  manyMs: number;
  /** Median CPU time of the process (user and system), which other work on the machine disturbs less. */
  oneCpuMs: number;
  manyCpuMs: number;
  many: number;
}

const devWith = async (n: number) => targetFromStack(await synthesizeStack({ stack: "dev", overrides: { groups: Array.from({ length: n }, (_, i) => ({ name: `group${i}`, precedence: i })) } }));

async function timed(target: ReviewTarget): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const matrix = await runMatrix(target, { engine: createLocalEngine({ simulations: new SharedSimulations() }) });
  if (!matrix.pass) throw new Error(`${target.roles.length} roles: the matrix did not pass`);
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

async function main(many: number) {
  const one = await devWith(1);
  const more = await devWith(many);
  await timed(one);
  await timed(more);
  const ones: { wall: number; cpu: number }[] = [];
  const manys: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < ALTERNATING_RUNS; i++) {
    ones.push(await timed(one));
    manys.push(await timed(more));
  }
  const median = (runs: { wall: number; cpu: number }[], pick: "wall" | "cpu") => percentile(runs.map((r) => r[pick]), 50);
  const run: MatrixRatioRun = { oneMs: median(ones, "wall"), manyMs: median(manys, "wall"), oneCpuMs: median(ones, "cpu"), manyCpuMs: median(manys, "cpu"), many };
  process.stdout.write(JSON.stringify(run) + "\n");
}

// Only when run as the child process (the bench imports its types and constants).
if (require.main === module) {
  main(Number(process.argv[2] ?? "25")).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
