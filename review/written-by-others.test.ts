/**
 * An allowed request outside the caller's folder is a finding when another identity can write the
 * key (what lies there may be its object), and a warning (excess) when nobody else can: judged on
 * policies written for each case, beside their controls (a read-only area; the layout declared).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyStatement } from "../iam/document";
import { parseSharedFolder } from "./design-intent";
import { createLocalEngine } from "./engines/local-engine";
import { runMatrix, type Finding } from "./matrix";
import { targetFromFiles } from "./targets";
import { brokenPolicy, FILES_REVIEW } from "./test-support/review-inputs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "written-by-others-"));
const BUCKET = `arn:aws:s3:::${FILES_REVIEW.bucket}`;
const SUB = "${cognito-identity.amazonaws.com:sub}";
const OWN: PolicyStatement[] = [
  { Sid: "Own", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: `${BUCKET}/cognito-test/${SUB}/*` },
  { Sid: "OwnList", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": [`cognito-test/${SUB}/`, `cognito-test/${SUB}/*`] } } },
];
const area = (name: string, actions: string[]): PolicyStatement[] => [
  { Sid: `${name}Objects`, Effect: "Allow", Action: actions, Resource: `${BUCKET}/${name}/*` },
  { Sid: `${name}List`, Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": [`${name}/`, `${name}/*`] } } },
];

async function review(name: string, extra: PolicyStatement[], shared: string[] = []) {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ Version: "2012-10-17", Statement: [...OWN, ...extra] }));
  const target = targetFromFiles({ identityPolicies: [file], bucketPolicy: brokenPolicy("good-bucket.json"), ...FILES_REVIEW, sharedFolders: shared.map(parseSharedFolder) });
  return runMatrix(target, { engine: createLocalEngine() });
}
const about = (list: Finding[], folder: string) => list.filter((f) => f.request.includes(`key ${folder}/`) || f.request.includes(`prefix ${folder}/`));

describe("keys another identity can write", () => {
  it("public/ that every identity reads, writes and deletes: reading, replacing or listing there reaches other identities' objects", async () => {
    const r = await review("public", area("public", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]));
    const findings = about(r.findings, "public");
    expect(findings.map((f) => f.category)).toEqual(expect.arrayContaining(["object-outside-folder", "list-reveals-names"]));
    expect(findings.find((f) => f.request.includes("s3:GetObject"))!.detail).toMatch(/identity B can write public\/.*, so it may hold B's object$/);
    expect(findings.find((f) => f.category === "list-reveals-names")!.detail).toMatch(/it returns keys identity B can write/);
    expect(about(r.warnings, "public").filter((f) => f.category === "excess")).toEqual([]);
  });

  it("control: a read-only assets/ that no identity writes stays excess, a warning", async () => {
    const r = await review("assets", area("assets", ["s3:GetObject"]));
    expect(about(r.findings, "assets")).toEqual([]);
    const warnings = about(r.warnings, "assets");
    expect(warnings.map((f) => f.category)).toEqual(expect.arrayContaining(["excess", "list-reveals-names"]));
    expect(r.findings).toEqual([]);
  });

  it("control: declared shared (--shared-folder public/=read,write,delete,list), the same policy is intended", async () => {
    const r = await review("public-declared", area("public", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]), ["public/=read,write,delete,list"]);
    expect(r.findings).toEqual([]);
    expect(about(r.warnings, "public").filter((f) => f.category === "excess" || f.category === "list-reveals-names")).toEqual([]);
  });

  it("Amplify's protected/ undeclared: what A writes in protected/<A>/ every identity reads (a finding); declared, intended", async () => {
    const protectedArea: PolicyStatement[] = [
      { Sid: "WriteOwnProtected", Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET}/protected/${SUB}/*` },
      { Sid: "ReadAllProtected", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/protected/*` },
    ];
    const r = await review("protected", protectedArea);
    const write = about(r.findings, "protected").find((f) => f.request.includes("s3:PutObject on key protected/<A>/"));
    expect(write?.detail).toMatch(/identity B can read or delete protected\/.*, so it reaches what A writes there$/);
    const declared = await review("protected-declared", protectedArea, ["protected/{id}/=read"]);
    expect(about(declared.findings, "protected")).toEqual([]);
  });

  it("write-only uploads/: a caller's write may replace another identity's upload (a finding until declared)", async () => {
    const r = await review("uploads", [{ Sid: "Uploads", Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET}/uploads/*` }]);
    expect(about(r.findings, "uploads").map((f) => f.request)).toEqual(expect.arrayContaining([expect.stringContaining("s3:PutObject on key uploads/")]));
    const declared = await review("uploads-declared", [{ Sid: "Uploads", Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET}/uploads/*` }], ["uploads/=write"]);
    expect(about(declared.findings, "uploads")).toEqual([]);
  });
});
