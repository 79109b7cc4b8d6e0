/**
 * The review of the synthesized dev stack, with the admin group's read-all option off and on.
 * Beyond "it passes", specific rows are checked against intent written here, with their controls.
 */
import { synthesizeStack } from "../synth/synthesize";
import { createLocalEngine } from "../review/engines/local-engine";
import { runMatrix, type MatrixResult, type Row } from "../review/matrix";
import type { S3Scenario } from "../review/scenarios";
import { targetFromStack } from "../review/targets";
import { ADMIN_READS_ALL } from "../review/test-support/review-inputs";

type S3Row = Row & { scenario: S3Scenario };

function find(r: MatrixResult, role: string, caller: string, action: string, resource: string, context = ""): S3Row {
  const rows = r.rows.filter(
    (row): row is S3Row =>
      row.scenario.kind === "s3" && !row.scenario.foreign && row.scenario.role.group === role && row.scenario.caller === caller &&
      row.scenario.action === action && row.scenario.resource.label === resource && row.scenario.contextLabel === context,
  );
  if (rows.length !== 1) throw new Error(`expected one row for ${role}/${caller}/${action}/${resource}/${context}, found ${rows.length}`);
  return rows[0]!;
}
const allowed = (row: Row) => row.verdict.decision === "Allowed" && row.verdict.problems.length === 0;

describe.each([
  ["admin read off", {}],
  ["admin read on", ADMIN_READS_ALL],
])("dev stack, %s", (_label, overrides) => {
  let r: MatrixResult;
  beforeAll(async () => {
    r = await runMatrix(targetFromStack(await synthesizeStack({ stack: "dev", overrides })), { engine: createLocalEngine() });
  });
  const adminReads = Object.keys(overrides).length > 0;

  it("decides every request as intended, with no finding", () => {
    expect(r.findings).toEqual([]);
    expect(r.pass).toBe(true);
    // Every S3 action of the reference data, for each role, on six object resources or the bucket.
    expect(r.rows.length).toBeGreaterThan(1000);
  });

  it.each(["admin", "user"])("role %s: A may use its own folder (the control for every cross-user denial)", (role) => {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]) {
      expect(allowed(find(r, role, "A", action, "own object"))).toBe(true);
    }
    expect(allowed(find(r, role, "A", "s3:ListBucket", "bucket", "s3:prefix own folder/"))).toBe(true);
    expect(allowed(find(r, role, "A", "s3:ListBucket", "bucket", "s3:prefix own subfolder, delimiter /"))).toBe(true);
  });

  it.each(["admin", "user"])("role %s: A cannot write B's or C's object, and B and C can (owner controls)", (role) => {
    for (const victim of ["B", "C"]) {
      const attack = find(r, role, "A", "s3:PutObject", `${victim}'s object`);
      expect(attack.verdict.decision).not.toBe("Allowed");
      expect(attack.control).toEqual({ kind: "owner", allowed: true, detail: expect.stringContaining("owner's same request") });
      expect(allowed(find(r, role, victim, "s3:PutObject", `${victim}'s object`))).toBe(true);
    }
  });

  it("reads of B's and C's objects follow the read-all option (user role never)", () => {
    for (const victim of ["B", "C"]) {
      expect(allowed(find(r, "admin", "A", "s3:GetObject", `${victim}'s object`))).toBe(adminReads);
      expect(find(r, "user", "A", "s3:GetObject", `${victim}'s object`).verdict.decision).not.toBe("Allowed");
    }
    // Read-all is read-only.
    expect(find(r, "admin", "A", "s3:DeleteObject", "B's object").verdict.decision).not.toBe("Allowed");
  });

  it.each(["user", "admin"])("role %s: listing cannot reach C's folder through A's name without its slash", (role) => {
    const readsAll = role === "admin" && adminReads;
    // `<prefix>/<A>` lies inside `<prefix>/`, which a read-all group may list by design.
    const noSlash = find(r, role, "A", "s3:ListBucket", "bucket", "s3:prefix own folder without /");
    expect(allowed(noSlash)).toBe(readsAll);
    if (!readsAll) expect(noSlash.control).toMatchObject({ kind: "reachability", allowed: true });
    const cFolder = find(r, role, "A", "s3:ListBucket", "bucket", "s3:prefix C's folder");
    expect(allowed(cFolder)).toBe(readsAll);
    if (!allowed(cFolder)) expect(cFolder.control).toMatchObject({ kind: "owner", allowed: true });
    for (const context of ["s3:prefix bare prefix", "s3:prefix empty", "s3:prefix absent", "s3:prefix absent, delimiter /"]) {
      expect(find(r, role, "A", "s3:ListBucket", "bucket", context).verdict.decision).not.toBe("Allowed");
    }
  });

  it("refuses the owner without TLS, by the bucket policy's explicit deny", () => {
    const http = find(r, "user", "A", "s3:GetObject", "own object", "aws:SecureTransport=false");
    expect(http.verdict.decision).toBe("ExplicitlyDenied");
    expect(http.verdict.decidedBy).toEqual([expect.objectContaining({ statement: "DenyInsecureTransport", effect: "Deny" })]);
    expect(http.control).toMatchObject({ kind: "owner", allowed: true });
  });

  it("denies dangerous actions even on the own folder, each with an evaluable control", () => {
    for (const action of ["s3:PutObjectAcl", "s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:PutObjectTagging", "s3:GetObjectAcl"]) {
      const row = find(r, "user", "A", action, "own object");
      expect(row.verdict.decision).toBe("ImplicitlyDenied");
      expect(row.control).toMatchObject({ kind: "reachability", allowed: true });
    }
    for (const action of ["s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:PutBucketPolicy", "s3:DeleteBucket"]) {
      const rows = r.rows.filter((row) => row.scenario.kind === "s3" && row.scenario.role.group === "user" && row.scenario.caller === "A" && row.scenario.action === action);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.verdict.decision).toBe("ImplicitlyDenied");
        expect(row.control?.allowed).toBe(true);
      }
    }
  });

  it("trusts only this pool's authenticated identities, and maps a user in no group to no role", () => {
    const trust = r.rows.filter((row) => row.scenario.kind === "trust" && row.scenario.role.group === "user");
    const byLabel = Object.fromEntries(trust.map((row) => [row.scenario.kind === "trust" ? row.scenario.label : "", row.verdict.decision]));
    expect(byLabel).toEqual({
      "this pool, authenticated": "Allowed",
      "another pool, authenticated": "ImplicitlyDenied",
      "this pool, unauthenticated": "ImplicitlyDenied",
      "this pool, no amr": "ImplicitlyDenied",
      "no aud, authenticated": "ImplicitlyDenied",
    });
    expect(r.mapping.find((m) => m.label === "signed-in user in no group")).toMatchObject({ actual: expect.stringMatching(/^no role/), pass: true });
    expect(r.mapping.find((m) => m.label === "user in user")).toMatchObject({ actual: "role user", pass: true });
  });
});
