/**
 * Child process for the scale curve: one configuration — the dev stack with N groups (each its
 * own role), or a one-role file review whose identity policy has N statements — reviewed as
 * `npm run review` does (matrix, then proof), in a fresh process so that peak memory is its own.
 * Prints one JSON line.
 */
import { proveTarget } from "../review/prover/prove";
import { createLocalEngine } from "../review/engines/local-engine";
import { SharedSimulations } from "../review/engines/shared-simulations";
import { runMatrix } from "../review/matrix";
import { targetFromStack } from "../review/targets";
import { synthesizeStack } from "../synth/synthesize";
import { percentile } from "./harness";
import { statementsTarget } from "./scale-inputs";

/** Warm matrix runs after the first (their median is the steady-state figure). */
const WARM_RUNS = 3;

export interface ScaleRun {
  /** The first matrix in the process (loads the IAM reference data). */
  matrixMs: number;
  /** Median of the warm runs. */
  matrixWarmMs: number;
  requests: number;
  simulations: number;
  proofMs: number;
  solverStartMs: number;
  queries: number;
  unknown: number;
  matrixPass: boolean;
  proofPass: boolean;
  peakRssMiB: number;
}

async function main(kind: string, n: number, prove: boolean) {
  const target =
    kind === "roles"
      ? targetFromStack(await synthesizeStack({ stack: "dev", overrides: { groups: Array.from({ length: n }, (_, i) => ({ name: `group${i}`, precedence: i })) } }))
      : statementsTarget(n);
  let t = performance.now();
  const matrix = await runMatrix(target, { engine: createLocalEngine({ simulations: new SharedSimulations() }) });
  const matrixMs = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    t = performance.now();
    await runMatrix(target, { engine: createLocalEngine({ simulations: new SharedSimulations() }) });
    warm.push(performance.now() - t);
  }
  t = performance.now();
  const proof = prove ? await proveTarget(target) : undefined;
  const proofMs = performance.now() - t;
  const run: ScaleRun = {
    matrixMs,
    matrixWarmMs: percentile(warm, 50),
    requests: matrix.requests,
    simulations: matrix.simulations,
    proofMs: proof ? proofMs : 0,
    solverStartMs: proof?.solverStartMs ?? 0,
    queries: proof?.queries ?? 0,
    unknown: proof?.verdicts.filter((v) => v.status === "UNKNOWN").length ?? 0,
    matrixPass: matrix.pass,
    proofPass: proof?.pass ?? true,
    // maxRSS is in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(run) + "\n");
}

// Only when run as the child process (the bench imports its types and constants).
if (require.main === module) {
  main(process.argv[2] ?? "roles", Number(process.argv[3] ?? "1"), process.argv[4] !== "--no-prove").then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
