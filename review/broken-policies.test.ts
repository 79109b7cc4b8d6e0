/**
 * Deliberately broken policies (review/fixtures/broken-policies/) through the reviewer command:
 * each must be reported, naming the request, the decisions and the statement that decided. The
 * correct set beside them passes, so the command is not simply failing everything.
 */
import { brokenPolicy as file, FILES_ARGS, runReviewCli } from "./test-support/review-inputs";

interface Finding { category: string; request: string; actual: string; decidedBy: string; detail: string }

async function review(files: { identity?: string; trust?: string; bucket?: string }) {
  const { code, stdout, stderr } = await runReviewCli(
    "--identity-policy", file(files.identity ?? "good-identity.json"),
    "--trust-policy", file(files.trust ?? "good-trust.json"),
    "--bucket-policy", file(files.bucket ?? "good-bucket.json"),
    ...FILES_ARGS, "--format", "json",
  );
  return { code, stderr, findings: code === 2 ? [] : (JSON.parse(stdout).findings as Finding[]) };
}

describe("broken policies", () => {
  it("control: the correct policies pass with exit 0", async () => {
    const r = await review({});
    expect(r).toEqual({ code: 0, stderr: "", findings: [] });
  });

  it.each([
    // [file, which document, category the simulation must report, the statement it names, inspection rule]
    ["article-list.json", "identity", "list-reveals-names", "ArticleList", "list-not-confined", /s3:prefix bare prefix/],
    ["object-whole-prefix.json", "identity", "object-outside-folder", "WholePrefix", "object-not-confined", /B's object/],
    ["list-without-slash.json", "identity", "list-reveals-names", "ListNoSlash", "list-not-confined", /own folder without \//],
    ["list-if-exists.json", "identity", "list-reveals-names", "ListIfExists", "list-not-confined", /s3:prefix absent/],
    ["wildcard-actions.json", "identity", "dangerous-action", "WildcardActions", "wildcard-action", /s3:PutObjectAcl on own object/],
    ["version-deletion.json", "identity", "dangerous-action", "DeleteVersions", "version-deletion-action", /s3:DeleteObjectVersion on own object/],
    ["acl-action.json", "identity", "dangerous-action", "ObjectAcl", "acl-action", /s3:PutObjectAcl on own object/],
    ["not-resource.json", "identity", "object-outside-folder", "EverythingButOthers", "not-action-or-resource", /C's object/],
    ["trust-without-aud.json", "trust", "trust", "ArticleTrust", "trust-missing-aud", /another pool, authenticated/],
    ["trust-without-amr.json", "trust", "trust", "NoAmr", "trust-missing-amr", /this pool, unauthenticated/],
    ["bucket-without-tls-deny.json", "bucket", "insecure-transport", "OwnFolderObjects", "bucket-missing-tls-deny", /aws:SecureTransport=false/],
  ] as const)("%s is reported (exit 1) with the request and the deciding statement", async (name, doc, category, statement, rule, request) => {
    const r = await review({ [doc]: name });
    expect(r.code).toBe(1);
    const simulated = r.findings.filter((f) => f.category === category);
    expect(simulated.length).toBeGreaterThan(0);
    expect(simulated.some((f) => request.test(f.request) && f.decidedBy.includes(` › ${statement} (Allow)`))).toBe(true);
    // The structural inspection names the same document and the rule it breaks.
    expect(r.findings.some((f) => f.category === "inspection" && f.actual === rule && f.decidedBy.includes(name))).toBe(true);
  });

  it("a policy variable the scenarios cannot supply makes every verdict unreliable, never a pass", async () => {
    const r = await review({ identity: "unresolved-variable.json" });
    expect(r.code).toBe(1);
    expect(r.findings.some((f) => f.category === "unreliable-verdict" && /\$\{aws:username\}, which no scenario supplies/.test(f.detail))).toBe(true);
  });
});
