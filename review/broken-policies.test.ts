/**
 * Deliberately broken policies (review/fixtures/broken-policies/) through the reviewer command:
 * each must be reported, naming the request, the decisions and the statement that decided. The
 * correct set beside them passes, so the command is not simply failing everything.
 */
import { brokenPolicy as file, FILES_ARGS, runReviewCli } from "./test-support/review-inputs";

interface Finding { category: string; request: string; actual: string; decidedBy: string; detail: string }

async function review(files: { identity?: string; trust?: string; bucket?: string }, ...extra: string[]) {
  const { code, stdout, stderr } = await runReviewCli(
    "--identity-policy", file(files.identity ?? "good-identity.json"),
    "--trust-policy", file(files.trust ?? "good-trust.json"),
    "--bucket-policy", file(files.bucket ?? "good-bucket.json"),
    ...FILES_ARGS, "--format", "json", "--no-prove", ...extra,
  );
  const report = code === 2 ? { findings: [], warnings: [] } : (JSON.parse(stdout) as { findings: Finding[]; warnings: Finding[] });
  return { code, stderr, findings: report.findings, warnings: report.warnings };
}

describe("broken policies", () => {
  it("control: the correct policies pass with exit 0", async () => {
    const r = await review({});
    expect(r).toEqual({ code: 0, stderr: "", findings: [], warnings: [] });
  });

  it.each([
    // [file, which document, category the simulation must report, finding or warning, the statement it names, inspection rule, request]
    ["article-list.json", "identity", "list-reveals-names", "finding", "ArticleList", "list-not-confined", /s3:prefix bare prefix/],
    ["object-whole-prefix.json", "identity", "object-outside-folder", "finding", "WholePrefix", "object-not-confined", /B's object/],
    // `<prefix>/<id>*` reaches only C's folder, whose id Cognito never issues: excess, a warning.
    ["list-without-slash.json", "identity", "list-reveals-names", "warning", "ListNoSlash", "list-not-confined", /own folder without \//],
    ["list-if-exists.json", "identity", "list-reveals-names", "finding", "ListIfExists", "list-not-confined", /s3:prefix absent/],
    // s3:* includes ACL writes, which the files cannot show to be harmless.
    ["wildcard-actions.json", "identity", "access-control-write", "finding", "WildcardActions", "wildcard-action", /s3:PutObjectAcl on own object/],
    ["version-deletion.json", "identity", "excess", "warning", "DeleteVersions", "version-deletion-action", /s3:DeleteObjectVersion on own object/],
    ["acl-action.json", "identity", "access-control-write", "finding", "ObjectAcl", "acl-action", /s3:PutObjectAcl on own object/],
    ["not-resource.json", "identity", "object-outside-folder", "finding", "EverythingButOthers", "not-action-or-resource", /B's object/],
    ["trust-without-aud.json", "trust", "trust", "finding", "ArticleTrust", "trust-missing-aud", /another pool, authenticated/],
    ["trust-without-amr.json", "trust", "trust", "finding", "NoAmr", "trust-missing-amr", /this pool, unauthenticated/],
    ["bucket-without-tls-deny.json", "bucket", "insecure-transport", "warning", "OwnFolderObjects", "bucket-missing-tls-deny", /aws:SecureTransport=false/],
  ] as const)("%s is reported with the request and the deciding statement", async (name, doc, category, severity, statement, rule, request) => {
    const r = await review({ [doc]: name });
    expect(r.code).toBe(severity === "finding" ? 1 : 0);
    const simulated = (severity === "finding" ? r.findings : r.warnings).filter((f) => f.category === category);
    expect(simulated.length).toBeGreaterThan(0);
    expect(simulated.some((f) => request.test(f.request) && f.decidedBy.includes(` › ${statement} (Allow)`))).toBe(true);
    // The structural inspection names the same document and the rule it breaks, as a warning.
    expect(r.warnings.some((f) => f.category === "inspection" && f.actual === rule && f.decidedBy.includes(name))).toBe(true);
    expect(r.findings.some((f) => f.category === "inspection")).toBe(false);
    if (severity === "warning") expect((await review({ [doc]: name }, "--strict")).code).toBe(1);
  });

  it("a policy variable the scenarios cannot supply makes every verdict unreliable, never a pass", async () => {
    const r = await review({ identity: "unresolved-variable.json" });
    expect(r.code).toBe(1);
    expect(r.findings.some((f) => f.category === "unreliable-verdict" && /\$\{aws:username\}, which no scenario supplies/.test(f.detail))).toBe(true);
  });
});
