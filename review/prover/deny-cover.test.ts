/**
 * Allows a Deny always overrides (deny-cover.ts): the inclusion of wildcard patterns against
 * matching on sample strings, and the prover settling the pair Z3 could not (a sound policy that
 * was UNKNOWN after minutes), beside its control without the Deny, which is VIOLATED.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { matchesConcrete, tokenize } from "./pattern";
import { patternIncluded, withoutOverriddenAllows, type Item } from "./deny-cover";
import { proveTarget } from "./prove";
import { brokenPolicy, FILES_REVIEW } from "../test-support/review-inputs";
import { targetFromFiles } from "../targets";
import type { IamDocument } from "../../iam/document";

const items = (p: string): Item[] => tokenize(p, { wildcards: true, variables: false }).flatMap((t): Item[] => (t.kind === "literal" ? [...t.text].map((c) => ({ kind: "char" as const, c })) : t.kind === "star" || t.kind === "one" ? [t] : []));
const includes = (narrow: string, wide: string) => patternIncluded(items(narrow), items(wide));

describe("wildcard pattern inclusion", () => {
  it.each([
    ["a/b/*", "a/*", true],
    ["a/*", "a/b/*", false],
    ["b*/p/x/*", "b/*/x/*", false],
    ["a?c", "a*", true],
    ["a*", "a?*", false],
    ["*", "*", true],
    ["abc", "abc", true],
    ["abc", "abd", false],
  ])("%s within %s: %s", (narrow, wide, expected) => {
    expect(includes(narrow, wide)).toBe(expected);
  });

  it("restricted to the strings a third pattern matches (the bucket's objects)", () => {
    expect(patternIncluded(items("b*/x/*"), items("b/*/*"), items("b/*"))).toBe(true);
    // Control: unrestricted, b*/x/* also matches bx/x/y, which b/*/* does not.
    expect(includes("b*/x/*", "b/*/*")).toBe(false);
  });

  // Every string of up to 6 letters over the patterns' letters and one other (c).
  const strings = (() => {
    const out = [""];
    for (let n = 0, level = [""]; n < 6; n++) out.push(...(level = level.flatMap((s) => ["a", "b", "/", "c"].map((l) => s + l))));
    return out;
  })();
  const m = (p: string, s: string) => matchesConcrete(tokenize(p, { wildcards: true, variables: false }), s);

  it("agrees with matching: included, every string the narrow pattern matches, the wide one matches; not included (short patterns), a string separates them", () => {
    const pattern = fc.stringMatching(/^[ab*?/]{0,4}$/);
    fc.assert(
      fc.property(pattern, pattern, fc.option(pattern), (narrow, wide, within) => {
        const separating = strings.find((s) => m(narrow, s) && (within === null || m(within, s)) && !m(wide, s));
        if (within === null ? includes(narrow, wide) : patternIncluded(items(narrow), items(wide), items(within))) expect(separating).toBeUndefined();
        else if (narrow.length + wide.length + (within?.length ?? 0) <= 6) expect(separating).toBeDefined();
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});

const SUB = "${cognito-identity.amazonaws.com:sub}";
const allow = { Sid: "WildBucket", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::files-bucket*/cognito-test/${SUB}/*` };
const deny = { Sid: "DenyNested", Effect: "Deny", Action: "s3:GetObject", Resource: `arn:aws:s3:::files-bucket/*/${SUB}/*` };

function targetWith(statements: object[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deny-cover-"));
  const file = path.join(dir, "identity.json");
  fs.writeFileSync(file, JSON.stringify({ Version: "2012-10-17", Statement: statements }));
  try {
    return targetFromFiles({ identityPolicies: [file], trustPolicy: brokenPolicy("good-trust.json"), bucketPolicy: brokenPolicy("good-bucket.json"), ...FILES_REVIEW });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("an Allow a Deny always overrides", () => {
  it("is inert for the encoder, keeping its place; a Deny with a condition overrides nothing", () => {
    const policies = (statements: object[]) => withoutOverriddenAllows([{ policy: { name: "p", document: { Version: "2012-10-17", Statement: statements } as IamDocument }, kind: "identity" as const }], "files-bucket");
    expect(policies([allow, deny])[0]!.policy.document.Statement).toEqual([{ Sid: "WildBucket", Effect: "Allow", Action: [], Resource: [] }, deny]);
    const conditional = { ...deny, Condition: { Bool: { "aws:SecureTransport": "false" } } };
    expect(policies([allow, conditional])[0]!.policy.document.Statement).toEqual([allow, conditional]);
    // A Deny on another action leaves the Allow.
    expect(policies([allow, { ...deny, Action: "s3:PutObject" }])[0]!.policy.document.Statement[0]).toEqual(allow);
    // ARN segments match ignoring case, as the encoder reads them: an Allow written `S3` applies,
    // so a Deny for another service leaves it; a Deny written `S3` covers it.
    const upper = { ...allow, Resource: allow.Resource.replace("arn:aws:s3", "arn:aws:S3") };
    expect(policies([upper, { ...deny, Resource: deny.Resource.replace("arn:aws:s3", "arn:aws:sqs") }])[0]!.policy.document.Statement[0]).toEqual(upper);
    expect(policies([allow, { ...deny, Resource: deny.Resource.replace("arn:aws:s3", "arn:aws:S3") }])[0]!.policy.document.Statement[0]!.Action).toEqual([]);
  });

  it("the prover settles the pair Z3 could not: nothing allowed reaches another folder (the owner lacks access: a warning)", async () => {
    const r = await proveTarget(targetWith([allow, deny]));
    expect(r.verdicts.filter((v) => v.status === "UNKNOWN")).toEqual([]);
    expect(r.verdicts.find((v) => v.property === 1)!.status).toBe("PROVED");
    expect(r.verdicts.find((v) => v.property === 3)!.status).toBe("VIOLATED");
  }, 30_000);

  it("control: without the Deny, the wildcard in the bucket name reaches another identity's folder", async () => {
    const r = await proveTarget(targetWith([allow]));
    const p1 = r.verdicts.find((v) => v.property === 1)!;
    expect(p1.status).toBe("VIOLATED");
    expect(p1.counterexample!.confirmed).toBe(true);
  }, 30_000);
});
