import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BROKEN_POLICIES_DIR as DIR, FILES_ARGS as FILES, runReviewCli as cli } from "./test-support/review-inputs";

describe("npm run review: bad input gets one clear line and exit 2", () => {
  it.each([
    [["--identity-policy", path.join(DIR, "missing.json"), ...FILES], /missing\.json: no such file/],
    [["--identity-policy", path.join(DIR, "invalid.json"), ...FILES], /invalid\.json: not valid JSON/],
    [["--identity-policy", path.join(DIR, "not-a-policy.json"), ...FILES], /not-a-policy\.json: not an IAM policy document/],
    [["--identity-policy", path.join(DIR, "good-trust.json"), ...FILES], /has a Principal, which an identity policy cannot have/],
    [["--identity-policy", path.join(DIR, "good-identity.json"), "--bucket", "files-bucket"], /needs --bucket and --prefix/],
    [["--identity-policy", path.join(DIR, "good-identity.json"), ...FILES.slice(0, 2), "--prefix", "/x/"], /--prefix "\/x\/" starts with '\/'/],
    [["--identity-policy", path.join(DIR, "good-identity.json"), "--trust-policy", path.join(DIR, "good-trust.json"), "--bucket", "files-bucket", "--prefix", "p"], /--trust-policy needs --identity-pool-id/],
    [["--bucket-policy", path.join(DIR, "good-bucket.json")], /--bucket-policy only applies with --identity-policy/],
    [["--stack", "nope"], /unknown stack 'nope': no Pulumi\.nope\.yaml \(stacks here: dev, prod\)/],
    [["--no-such-option"], /unknown option '--no-such-option'/],
    [["--format", "xml"], /argument 'xml' is invalid/],
    [["--role-arn", "user=arn:aws:iam::123456789012:role/x"], /--role-arn only applies with --engine aws/],
  ])("%j", async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("--help exits 0 and lists the options", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--engine <engine>[\s\S]*--identity-policy <file>[\s\S]*--prefix <prefix>/);
  });
});

describe("npm run review: formats", () => {
  const good = ["--identity-policy", path.join(DIR, "good-identity.json"), "--bucket-policy", path.join(DIR, "good-bucket.json"), ...FILES];

  it("table: the matrix and a PASS line, exit 0", async () => {
    const r = await cli(...good);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/object action by A[\s\S]*s3:GetObject +│ allow ✓ +│ deny ✓/);
    expect(r.stdout).toMatch(/Note: No trust policy given for: reviewed-role/);
    expect(r.stdout.trim().split("\n").pop()).toMatch(/^PASS: 0 finding\(s\), 0 warning\(s\); (\d+)\/\1 requests as intended/);
  });

  it("junit: one testcase per request, failures for findings", async () => {
    const r = await cli("--identity-policy", path.join(DIR, "acl-action.json"), ...FILES, "--format", "junit");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="isolation review" tests="\d+" failures="[1-9]\d*">/);
    expect(r.stdout).toMatch(/<testcase classname="[^"]*" name="role reviewed-role, identity A: s3:PutObjectAcl on own object"><failure message="ALLOW where intent says DENY/);
  });

  it("--out writes the report and prints a one-line summary", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sim-")), "report.json");
    const r = await cli(...good, "--format", "json", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`PASS: 0 finding(s), 0 warning(s), proof: PROVED; report written to ${out}\n`);
    const report = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(report).toMatchObject({ engine: "local", pass: true, findings: [] });
    expect(report.rows.find((row: { id: string }) => row.id === "reviewed-role | A | s3:GetObject | own object")).toMatchObject({ expected: "allow", actual: "Allowed", pass: true });
  });
});
