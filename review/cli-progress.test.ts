/**
 * Progress: the reviewer reports the matrix and the proof as they run on stderr when asked
 * (--progress) or on a terminal, and says nothing there when piped or in CI, where stderr is for
 * errors only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { brokenPolicy, FILES_ARGS, runReviewCli as cli } from "./test-support/review-inputs";

const reviewOf = (identityPolicy: string) => ["--identity-policy", identityPolicy, "--trust-policy", brokenPolicy("good-trust.json"), "--bucket-policy", brokenPolicy("good-bucket.json"), ...FILES_ARGS, "--format", "json"];
const GOOD = reviewOf(brokenPolicy("good-identity.json"));

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

  it("piped, without --progress: nothing on stderr, the report on stdout", async () => {
    // The same policy under another file name: another target, so the matrix and the proof are
    // computed again rather than shared from the test above (review-memo.ts), and stay quiet.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "progress-"));
    const copy = path.join(dir, "quiet-identity.json");
    fs.copyFileSync(brokenPolicy("good-identity.json"), copy);
    const r = await cli(...reviewOf(copy)).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).proof.queries).toBeGreaterThan(0);
  });
});
