/**
 * The reviewer on policies nobody here wrote (review/fixtures/real-world/): each case runs three
 * times, in-process — default (proof on), `--no-prove` (matrix only) and `--strict` — and must
 * exit as its case.json says. The expected exits come from a ground truth argued from IAM
 * semantics in case.json, written without running the reviewer; both modes must agree on it.
 */
import { loadRealWorldCases, resolvedArgs, type RealWorldCase } from "./test-support/real-world-cases";
import { runReviewCli } from "./test-support/review-inputs";

const MODES = [
  { mode: "default (proof on)", flags: [] as string[], expected: (c: RealWorldCase) => c.expectedExit.default },
  { mode: "--no-prove", flags: ["--no-prove"], expected: (c: RealWorldCase) => c.expectedExit.default },
  { mode: "--strict", flags: ["--strict"], expected: (c: RealWorldCase) => c.expectedExit.strict },
];

// A run simulates and proves several documents: allow for a slow, shared machine.
const RUN_TIMEOUT_MS = 120_000;

describe.each(loadRealWorldCases().map((c) => [c.name, c] as const))("real-world case %s", (_name, c) => {
  it.each(MODES)(
    "$mode exits as the ground truth says",
    async ({ flags, expected }) => {
      const r = await runReviewCli(...resolvedArgs(c), ...flags);
      // Matched as one line so a failure also shows stderr's first line (exit 2 names the bad flag).
      expect(`exit ${r.code}; stderr: ${r.stderr.split("\n")[0]}`).toMatch(new RegExp(`^exit ${expected(c)};`));
      if (flags.length === 0) for (const mention of c.expectMentions ?? []) expect(r.stdout).toContain(mention);
    },
    RUN_TIMEOUT_MS,
  );
});
