/**
 * Child process for the proof bench: synthesizes a dev-stack variant (or reads the article's list
 * policy), then proves it, timing the proof from before Z3 starts. Prints one JSON line.
 */
import * as path from "node:path";
import { proveTarget } from "../policy-tests/prover/prove";
import { targetFromFiles, targetFromStack } from "../policy-tests/targets";
import { synthesizeStack } from "../synth/synthesize";

const ADMIN_READS = { groups: [{ name: "admin", precedence: 0, readAllFolders: true }, { name: "user", precedence: 100 }] };
const BROKEN = path.join(__dirname, "..", "policy-tests", "broken-policies");

async function main(variant: string) {
  const target =
    variant === "article-list"
      ? targetFromFiles({
          identityPolicies: [path.join(BROKEN, "article-list.json")],
          trustPolicy: path.join(BROKEN, "good-trust.json"),
          bucketPolicy: path.join(BROKEN, "good-bucket.json"),
          bucket: "files-bucket",
          prefix: "cognito-test",
          identityPoolId: "ap-northeast-1:11111111-2222-4333-8444-555555555555",
        })
      : targetFromStack(await synthesizeStack({ stack: "dev", overrides: variant === "admin-reads" ? ADMIN_READS : {} }));
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
