/**
 * The same input gives the same proof: the same verdicts, counterexamples, query counts and
 * statuses, twice in one process and while other threads burn the CPU. Z3's work is bounded by
 * its resource limit (rlimit: counted work), not by wall-clock time, so load can slow a proof down
 * but must not change what it answers (issue 11: a query near a 10 s wall-clock limit once gave
 * NOT PROVED on one run and PROVED on the next).
 *
 * The input is non-trivial: a broad Allow that only a Deny narrows, a ForAnyValue: listing with a
 * variable default, a trust policy, and a bucket policy that grants another account every folder
 * (so the answer mixes PROVED and VIOLATED, and property 7 has principals to cover).
 */
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { DEFAULT_OWNER_ACTIONS } from "../intent";
import { targetFromFiles } from "../targets";
import { brokenPolicy, FILES_REVIEW } from "../test-support/review-inputs";
import { proveTarget } from "./prove";
import type { ProofResult } from "./verdicts";

const adversarial = (name: string) => path.join(__dirname, "..", "fixtures", "adversarial", name);
const target = () =>
  targetFromFiles({
    identityPolicies: [adversarial("broad-allow-narrowed-by-deny.json")],
    trustPolicy: brokenPolicy("good-trust.json"),
    bucketPolicy: adversarial("bucket-cross-account.json"),
    bucket: FILES_REVIEW.bucket,
    prefix: FILES_REVIEW.prefix,
    identityPoolId: FILES_REVIEW.identityPoolId,
    ownerActions: DEFAULT_OWNER_ACTIONS,
    sharedFolders: [],
  });

/** Everything a proof answers, without its timings. */
const answers = (r: ProofResult) => ({
  queries: r.queries,
  pass: r.pass,
  proved: r.proved,
  otherPrincipals: r.otherPrincipals,
  verdicts: r.verdicts.map((v) => ({ role: v.role, property: v.property, status: v.status, queries: v.queries, reason: v.reason, counterexample: v.counterexample?.request, confirmed: v.counterexample?.confirmed, intended: v.intended })),
});

/** Threads that spin until stopped, counting their iterations (proof that they ran). */
function burnCpu(threads: number) {
  const counter = new Int32Array(new SharedArrayBuffer(4 * threads));
  const workers = Array.from({ length: threads }, (_, i) => new Worker(`const { workerData: { counter, i } } = require("node:worker_threads"); for (;;) Atomics.add(counter, i, 1);`, { eval: true, workerData: { counter, i } }));
  return {
    iterations: () => counter.reduce((sum, n) => sum + n, 0),
    stop: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

describe("the proof is deterministic", () => {
  it("gives the same verdicts, counterexamples and query counts twice, and under CPU contention", async () => {
    const first = await proveTarget(target());
    const second = await proveTarget(target());
    // A spinning thread per core, besides Z3's worker and the main thread: more runnable threads than cores.
    const burner = burnCpu(Math.max(2, os.availableParallelism()));
    let loaded: ProofResult;
    try {
      loaded = await proveTarget(target());
    } finally {
      const spun = burner.iterations();
      await burner.stop();
      // The contention was real: the spinning threads ran while the proof did.
      expect(spun).toBeGreaterThan(1_000_000);
    }
    // Not vacuous: the input has both outcomes and takes many queries.
    const statuses = new Set(first.verdicts.map((v) => v.status));
    expect([...statuses].sort()).toEqual(["PROVED", "VIOLATED"]);
    expect(first.queries).toBeGreaterThan(20);
    expect(answers(second)).toEqual(answers(first));
    expect(answers(loaded)).toEqual(answers(first));
  }, 60_000);
});
