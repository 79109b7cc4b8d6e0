/**
 * Progress: the reviewer reports the matrix and the proof as they run on stderr when asked
 * (--progress) or on a terminal, and says nothing there when piped or in CI, where stderr is for
 * errors only.
 */
import { brokenPolicy, FILES_ARGS, runReviewCli as cli } from "./test-support/review-inputs";

const GOOD = ["--identity-policy", brokenPolicy("good-identity.json"), "--trust-policy", brokenPolicy("good-trust.json"), "--bucket-policy", brokenPolicy("good-bucket.json"), ...FILES_ARGS, "--format", "json"];

describe("npm run review -- --progress", () => {
  it("--progress: the simulations and then the proof's queries count up to their totals on stderr, not stdout", async () => {
    const r = await cli(...GOOD, "--progress");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const lines = r.stderr.trim().split("\n");
    const counts = (verb: string) => lines.filter((l) => l.startsWith(`${verb} `)).map((l) => l.match(/^\w+ (\d+)\/(\d+)$/)!.slice(1).map(Number) as [number, number]);
    const simulating = counts("simulating");
    const proving = counts("proving");
    expect(simulating.length).toBeGreaterThan(0);
    expect(proving.length).toBeGreaterThan(0);
    // Every line is progress, the matrix's before the proof's.
    expect(lines).toEqual([...simulating.map(([d, t]) => `simulating ${d}/${t}`), ...proving.map(([d, t]) => `proving ${d}/${t}`)]);
    // The proof counts up to the queries it asked (a sound policy: every query is asked).
    const [done, total] = proving[proving.length - 1]!;
    expect(done).toBe(total);
    expect(total).toBe(report.proof.queries);
    expect(proving.map(([d]) => d)).toEqual([...proving.map(([d]) => d)].sort((a, b) => a - b));
  });

  it("piped, without --progress: nothing on stderr, the same report on stdout", async () => {
    const r = await cli(...GOOD);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).proof.queries).toBeGreaterThan(0);
  });
});
