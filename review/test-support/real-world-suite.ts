/**
 * The real-world corpus's test (review/fixtures/real-world/), shared by the two files that split
 * it so that jest's two workers share the work: each case runs three times, in-process — default
 * (proof on), `--no-prove` (matrix only) and `--strict` — and must exit as its case.json says. The
 * expected exits come from a ground truth argued from IAM semantics in case.json, written without
 * running the reviewer; both modes must agree on it.
 */
import { loadRealWorldCases, resolvedArgs, type RealWorldCase } from "./real-world-cases";
import { runReviewCli } from "./review-inputs";

const MODES = [
  { mode: "default (proof on)", flags: [] as string[], expected: (c: RealWorldCase) => c.expectedExit.default },
  { mode: "--no-prove", flags: ["--no-prove"], expected: (c: RealWorldCase) => c.expectedExit.default },
  { mode: "--strict", flags: ["--strict"], expected: (c: RealWorldCase) => c.expectedExit.strict },
];

// A run simulates and proves several documents: allow for a slow, shared machine.
const RUN_TIMEOUT_MS = 120_000;

/** The cases whose names `pick` accepts; fails when it accepts none (a split that lost its cases). */
export function describeRealWorldCases(pick: (name: string) => boolean): void {
  const cases = loadRealWorldCases().filter((c) => pick(c.name));
  if (cases.length === 0) throw new Error("no real-world case selected");
  describe.each(cases.map((c) => [c.name, c] as const))("real-world case %s", (_name, c) => {
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
}

/** Amplify's cases go to one file, every other source's to the other. */
export const isAmplifyCase = (name: string) => name.startsWith("amplify-");
