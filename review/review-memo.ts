/**
 * Matrix and proof results, shared within one process by reviews of the same documents. Both
 * are pure functions of what they are given when the local engine decides: the target (every
 * document, fact and source location, compared as JSON), and for the proof its resource limit —
 * Z3 under an rlimit is deterministic, and `--strict`, `--format` and `--out` only change how a
 * result is judged and shown. So a command given the same target twice (an `Fn::If` whose
 * branches resolve alike, a template named twice) and an in-process caller running the command
 * repeatedly (the test suite: default, `--strict` and `--no-prove` runs of one fixture) compute
 * each result once. The AWS engine asks a live account, whose answers may change: never shared.
 */
import type { MatrixResult } from "./matrix";
import type { ProofResult } from "./prover/verdicts";
import type { ReviewTarget } from "./review-target";

const matrices = new Map<string, Promise<MatrixResult>>();
const proofs = new Map<string, Promise<ProofResult>>();

/** The key of a target: its JSON (key order as the readers build it, which is fixed for equal inputs). */
export const targetKey = (target: ReviewTarget): string => JSON.stringify(target);

function shared<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let result = cache.get(key);
  if (!result) {
    result = compute();
    cache.set(key, result);
    // A failure is not a result: the next caller computes again (and sees the error itself).
    result.catch(() => cache.delete(key));
  }
  return result;
}

/** The matrix of a target decided by the local engine, computed once per process. */
export const sharedMatrix = (target: ReviewTarget, compute: () => Promise<MatrixResult>) => shared(matrices, targetKey(target), compute);

/** The proof of a target under one resource limit and safety timeout, computed once per process. */
export const sharedProof = (target: ReviewTarget, limits: { rlimit: number; timeoutMs: number }, compute: () => Promise<ProofResult>) =>
  shared(proofs, `${limits.rlimit}/${limits.timeoutMs}/${targetKey(target)}`, compute);
