/**
 * Child process for the proof bench: synthesizes a dev-stack variant (or reads the article's list
 * policy), then proves it, timing the proof from before Z3 starts. Prints one JSON line.
 */
import { proveTarget } from "../review/prover/prove";
import { targetFromStack } from "../review/targets";
import { ADMIN_READS_ALL, filesTarget } from "../review/test-support/review-inputs";
import { synthesizeStack } from "../synth/synthesize";


async function main(variant: string) {
  const target =
    variant === "article-list"
      ? filesTarget({ identity: "article-list.json" })
      : targetFromStack(await synthesizeStack({ stack: "dev", overrides: variant === "admin-reads" ? ADMIN_READS_ALL : {} }));
  const t = performance.now();
  const r = await proveTarget(target);
  const totalMs = performance.now() - t;
  process.stdout.write(JSON.stringify({ totalMs, solverStartMs: r.solverStartMs, queries: r.queries, proved: r.proved, violated: r.verdicts.filter((v) => v.status === "VIOLATED").length }) + "\n");
}

main(process.argv[2] ?? "dev").then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
