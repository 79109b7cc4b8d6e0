/**
 * `npm run review -- --prove`: the proof joins the review in every format, and the exit code
 * is 0 only when the matrix passes and every property is PROVED (1 on a violation or an
 * unknown, 2 on input errors, as for the matrix).
 */
import { brokenPolicy, FILES_ARGS, runReviewCli as cli } from "./test-support/review-inputs";

const set = (identity: string) => ["--identity-policy", brokenPolicy(identity), "--trust-policy", brokenPolicy("good-trust.json"), "--bucket-policy", brokenPolicy("good-bucket.json"), ...FILES_ARGS];

describe("npm run review -- --prove", () => {
  it("the dev stack: a PROVED line per property and role, exit 0", async () => {
    const r = await cli("--prove");
    expect(r.code).toBe(0);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(r.stdout).toMatch(new RegExp(`│ ${n}\\. [^│]+│ PROVED +│ PROVED +│`));
    expect(r.stdout).toMatch(/│ 7\. no principal other than [^│]+│ PROVED +│/);
    expect(r.stdout).toMatch(/^PROVED: 13\/13 property verdicts proved/m);
    expect(r.stdout.trim().split("\n").pop()).toMatch(/^PASS: 0 finding\(s\), 0 warning\(s\); .*; proof: 13\/13 proved\.$/);
  });

  it("the article's list policy: VIOLATED with the counterexample and both verdicts, exit 1", async () => {
    const r = await cli(...set("article-list.json"), "--prove");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VIOLATED 2\. list-isolation, role reviewed-role: .*s3:ListBucket .*s3:prefix="cognito-test".*returns key "cognito-test\/ap-northeast-1:[0-9a-f-]{36}\/report\.pdf"/);
    expect(r.stdout).toMatch(/prover: allowed; simulator: Allowed by .*article-list\.json › ArticleList \(Allow\); intent: deny .* — confirmed/);
  });

  it("an unresolvable variable: UNKNOWN — not proved, naming it, exit 1", async () => {
    const r = await cli(...set("unresolved-variable.json"), "--prove");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/UNKNOWN — not proved: 1\. object-isolation, role reviewed-role: not encoded: policy variable \$\{aws:username\} in .*› ByUserName/);
  });

  it("json carries the verdicts and counterexamples", async () => {
    const r = await cli(...set("list-without-slash.json"), "--prove", "--format", "json", "--strict");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.pass).toBe(false);
    expect(report.proof.proved).toBe(false);
    const violated = report.proof.verdicts.filter((v: { status: string }) => v.status === "VIOLATED");
    expect(violated).toHaveLength(1);
    expect(violated[0]).toMatchObject({ property: 5, id: "least-privilege", counterexample: { action: "s3:ListBucket", confirmed: true, simulator: { decision: "Allowed" } } });
  });

  it("junit: one testcase per property and role; failures for what is not proved", async () => {
    const r = await cli(...set("object-whole-prefix.json"), "--prove", "--format", "junit");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/<testsuite name="policy files \/ proof \/ role reviewed-role" tests="6" failures="1">/);
    expect(r.stdout).toMatch(/<testcase classname="policy files \/ proof \/ role reviewed-role" name="1\. no object action[^"]*"><failure message="VIOLATED: /);
    expect(r.stdout).toMatch(/name="4\. no token from another identity pool[^"]*"><\/testcase>/);
  });

  it("--solver-timeout and --solver-rlimit must be positive whole numbers (exit 2)", async () => {
    for (const [flag, unit] of [["--solver-timeout", "milliseconds"], ["--solver-rlimit", "resource units"]]) {
      const r = await cli("--prove", flag!, "0");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flag}.*must be a positive whole number of ${unit}`));
    }
  });
});
