/**
 * Hand-made adversarial cases for every class of issue 11 (review/fixtures/adversarial/): each
 * policy is reviewed once (matrix and proof) and judged as the command would, by default, with
 * --no-prove (the matrix alone) and with --strict. The expected exits are argued from IAM
 * semantics beside each case, not read off the tool.
 */
import * as path from "node:path";
import { createLocalEngine } from "./engines/local-engine";
import { runMatrix } from "./matrix";
import { proveTarget } from "./prover/prove";
import { renderJunit } from "./report";
import { scopeOf } from "./scope";
import { parseSharedFolder } from "./design-intent";
import { targetFromFiles } from "./targets";
import { verdictOf } from "./verdict";
import { brokenPolicy, FILES_REVIEW } from "./test-support/review-inputs";
import { DEFAULT_OWNER_ACTIONS } from "./intent";

const fixture = (name: string) => path.join(__dirname, "fixtures", "adversarial", name);
const engine = createLocalEngine();

interface Case {
  identity: string;
  bucket?: string;
  trust?: string;
  prefix?: string;
  shared?: string[];
  /** [default, --no-prove, --strict] */
  exits: [number, number, number];
  /** A finding category the default run must report. */
  finding?: string;
}

async function review(c: Case) {
  const target = targetFromFiles({
    identityPolicies: [fixture(c.identity)],
    ...(c.bucket ? { bucketPolicy: c.bucket.includes("/") ? c.bucket : fixture(c.bucket) } : {}),
    ...(c.trust ? { trustPolicy: fixture(c.trust) } : {}),
    bucket: FILES_REVIEW.bucket,
    prefix: c.prefix ?? FILES_REVIEW.prefix,
    identityPoolId: FILES_REVIEW.identityPoolId,
    ownerActions: DEFAULT_OWNER_ACTIONS,
    sharedFolders: (c.shared ?? []).map(parseSharedFolder),
  });
  const matrix = await runMatrix(target, { engine });
  const proof = await proveTarget(target);
  const exit = (v: { pass: boolean }) => (v.pass ? 0 : 1);
  return { target, matrix, proof, verdict: verdictOf(matrix, proof, false), exits: [exit(verdictOf(matrix, proof, false)), exit(verdictOf(matrix, undefined, false)), exit(verdictOf(matrix, proof, true))] };
}

const GOOD_BUCKET = brokenPolicy("good-bucket.json");

describe("issue 11's classes, judged in both modes", () => {
  it.each<[string, Case]>([
    // Another account reads every folder through the bucket policy: unsound before (PASS, PROVED 5/5).
    ["a bucket policy granting another account read of every folder", { identity: "own-objects-list.json", bucket: "bucket-cross-account.json", exits: [1, 1, 1], finding: "other-principal" }],
    // The nested-key case (a wildcard bucket segment) has its own test below.
    // A correct policy passes --strict. The Deny (s3:* on everything but the own folder's objects
    // and the bucket) confines the broad Allow on cognito-test/* to the own folder; ForAnyValue: on
    // the single-valued s3:prefix fails when the key is absent, so it confines as StringLike does,
    // and `<own folder>/*` also matches the folder itself (* matches the empty string); the
    // default of ${sub, 'nobody'} never applies (every Cognito session has an identity id); the
    // trust names Google beside Cognito, but Google's tokens carry no cognito-identity.amazonaws.com
    // keys, so the aud condition (StringLike without a wildcard: an exact match) and the amr
    // condition (ForAnyValue: over no values is false) refuse them. The owner has exactly the
    // default owner actions and the bucket policy denies plain HTTP: no warning is left.
    ["a correct policy (narrowed by a Deny, ForAnyValue on s3:prefix, a default, two federated providers with exact aud)", { identity: "broad-allow-narrowed-by-deny.json", bucket: GOOD_BUCKET, trust: "trust-two-providers.json", exits: [0, 0, 0] }],
    // Its controls: without the Deny, cognito-test/* is every identity's folder.
    ["control: the same broad Allow without the Deny", { identity: "broad-allow-without-deny.json", bucket: GOOD_BUCKET, trust: "trust-two-providers.json", exits: [1, 1, 1], finding: "object-outside-folder" }],
    // …and with aud StringLike "ap-northeast-1:*", every pool of the region gets the role.
    ["control: the two-provider trust with a wildcard aud", { identity: "broad-allow-narrowed-by-deny.json", bucket: GOOD_BUCKET, trust: "trust-two-providers-any-pool.json", exits: [1, 1, 1], finding: "trust" }],
    // Fewer actions than intended (no delete, no multipart, no listing): narrower, a warning.
    ["an owner lacking intended actions", { identity: "narrower-than-intended.json", bucket: GOOD_BUCKET, exits: [0, 0, 1] }],
    // Folders at the bucket root.
    ["folders at the bucket root (--prefix \"\")", { identity: "root-folders.json", bucket: GOOD_BUCKET, prefix: "", exits: [0, 0, 0] }],
    // Cognito Sync on every dataset and identity-pool administration reach every identity.
    ["cognito-sync:* on * and identity-pool admin APIs", { identity: "cognito-admin.json", bucket: GOOD_BUCKET, exits: [1, 1, 1], finding: "non-s3-grant" }],
    // Principal * reads every object: anyone, and the role's own sessions (same account), reach B's folder.
    ["a bucket policy letting * read every object", { identity: "own-objects-list.json", bucket: "bucket-public-read.json", exits: [1, 1, 1], finding: "other-principal" }],
    // Amplify's layout declared: public read-write, protected readable by all, uploads write-only. No TLS deny: a warning.
    ["Amplify-style shared folders", { identity: "amplify-like.json", prefix: "private", shared: ["public/=read,write,delete,list", "protected/{id}/=read,list", "uploads/=write"], exits: [0, 0, 1] }],
  ])("%s", async (_label, c) => {
    const r = await review(c);
    expect(r.exits).toEqual(c.exits);
    if (c.finding) expect(r.verdict.findings.map((f) => f.category)).toContain(c.finding);
    // Never UNKNOWN on these documents.
    expect(r.proof.verdicts.filter((v) => v.status === "UNKNOWN").map((v) => v.reason)).toEqual([]);
  });

  it("the nested-key violation is found quickly, not after minutes, and confirmed by the simulator", async () => {
    const started = performance.now();
    const { proof } = await review({ identity: "nested-wildcard-bucket.json", bucket: GOOD_BUCKET, exits: [1, 1, 1] });
    const v = proof.verdicts.find((x) => x.property === 1)!;
    expect(v.status).toBe("VIOLATED");
    expect(v.counterexample!.confirmed).toBe(true);
    expect(v.counterexample!.resourceArn).toMatch(/cognito-test\/ap-northeast-1:bbbb[^/]+\/cognito-test\/ap-northeast-1:aaaa[^/]+\//);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("JUnit stays well-formed XML 1.0 for any Sid or message (control characters dropped, line breaks escaped)", async () => {
    const r = await review({ identity: "narrower-than-intended.json", bucket: GOOD_BUCKET, exits: [0, 0, 1] });
    const nasty = "\u0000\u0001\u0008\u000b\u000c\u001f\ud800 <&>\"' \t\r\n\uffff end";
    r.matrix.warnings[0]!.detail = nasty;
    const row = r.matrix.rows.find((x) => !x.pass)!;
    row.failure = nasty;
    const xml = renderJunit({ matrix: r.matrix, proof: r.proof, verdict: verdictOf(r.matrix, r.proof, true), scope: scopeOf(r.target, []) });
    // A strict reading: only characters XML 1.0 allows, every & starts an entity, every attribute quoted.
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(xml).not.toMatch(/&(?!(lt|gt|amp|quot|apos|#\d+);)/);
    const tags = xml.replace(/^<\?xml[^>]*\?>\n/, "").match(/<[^>]*>/g)!;
    const stack: string[] = [];
    for (const tag of tags) {
      expect(tag).toMatch(/^<\/?[a-z]+(\s+[a-z]+="[^"<]*")*\s*\/?>$/);
      if (tag.startsWith("</")) expect(stack.pop()).toBe(tag.slice(2, -1));
      else if (!tag.endsWith("/>")) stack.push(tag.slice(1).split(/[\s>]/)[0]!);
    }
    expect(stack).toEqual([]);
    expect(xml).toContain("&#9;&#13;&#10;");
  });
});
