/**
 * The written intent, row by row, with every expected decision typed in literally:
 *   own folder `<prefix>/<id>/`: Get, Put, Delete, AbortMultipartUpload, ListMultipartUploadParts;
 *   listing only with an s3:prefix inside that folder (the folder without its slash is not inside);
 *   a read-all group may also GetObject under `<prefix>/` and list under `<prefix>/`;
 *   nothing without TLS; no other bucket-level action; nothing on other S3 resources.
 */
import { intendedDecision, type IntendedRequest, type IntendedTarget } from "./intent";

const P = "private";
const A = "ap-northeast-1:aaaa0001-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "ap-northeast-1:bbbb0002-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const C = `${A}x`;

const object = (key: string): IntendedTarget => ({ kind: "object", key });
const BUCKET: IntendedTarget = { kind: "bucket" };
const OTHER: IntendedTarget = { kind: "other" };

const decide = (action: string, target: IntendedTarget, extra: Partial<IntendedRequest> = {}) =>
  intendedDecision(P, { action, target, callerId: A, readAllFolders: false, secureTransport: true, ...extra });

describe("intendedDecision: objects, caller A without read-all", () => {
  it.each<[string, string, boolean]>([
    ["s3:GetObject", `private/${A}/report.pdf`, true],
    ["s3:PutObject", `private/${A}/report.pdf`, true],
    ["s3:DeleteObject", `private/${A}/report.pdf`, true],
    ["s3:AbortMultipartUpload", `private/${A}/big.bin`, true],
    ["s3:ListMultipartUploadParts", `private/${A}/big.bin`, true],
    ["s3:GetObject", `private/${A}/deep/er/file.txt`, true],
    ["S3:getobject", `private/${A}/report.pdf`, true], // IAM action names are case-insensitive
    ["s3:PutObjectAcl", `private/${A}/report.pdf`, false],
    ["s3:GetObjectAcl", `private/${A}/report.pdf`, false],
    ["s3:GetObjectVersion", `private/${A}/report.pdf`, false],
    ["s3:DeleteObjectVersion", `private/${A}/report.pdf`, false],
    ["s3:PutObjectTagging", `private/${A}/report.pdf`, false],
    ["s3:RestoreObject", `private/${A}/report.pdf`, false],
    ["s3:GetObject", `private/${B}/report.pdf`, false],
    ["s3:PutObject", `private/${B}/report.pdf`, false],
    ["s3:DeleteObject", `private/${B}/report.pdf`, false],
    ["s3:GetObject", `private/${C}/report.pdf`, false], // C's id starts with A's: not A's folder
    ["s3:PutObject", `private/${C}/report.pdf`, false],
    ["s3:GetObject", `private/${A}`, false], // the folder name itself is not inside the folder
    ["s3:GetObject", "private/report.pdf", false],
    ["s3:GetObject", "report.pdf", false],
    ["s3:GetObject", `other/${A}/report.pdf`, false],
    ["s3:GetObject", `${A}/report.pdf`, false],
  ])("%s on %s → allow %s", (action, key, allow) => {
    expect(decide(action, object(key)).allow).toBe(allow);
  });
});

describe("intendedDecision: objects, caller A in a read-all group", () => {
  it.each<[string, string, boolean]>([
    ["s3:GetObject", `private/${B}/report.pdf`, true],
    ["s3:GetObject", `private/${C}/report.pdf`, true],
    ["s3:GetObject", "private/report.pdf", true],
    ["s3:PutObject", `private/${B}/report.pdf`, false],
    ["s3:DeleteObject", `private/${B}/report.pdf`, false],
    ["s3:AbortMultipartUpload", `private/${B}/big.bin`, false],
    ["s3:ListMultipartUploadParts", `private/${B}/big.bin`, false],
    ["s3:GetObjectVersion", `private/${B}/report.pdf`, false],
    ["s3:GetObjectAcl", `private/${B}/report.pdf`, false],
    ["s3:GetObject", "report.pdf", false],
    ["s3:GetObject", `other/${B}/report.pdf`, false],
    ["s3:PutObject", `private/${A}/report.pdf`, true], // still the owner of its own folder
  ])("%s on %s → allow %s", (action, key, allow) => {
    expect(decide(action, object(key), { readAllFolders: true }).allow).toBe(allow);
  });
});

describe("intendedDecision: listing the bucket", () => {
  it.each<[string, string | undefined, boolean, boolean]>([
    ["s3:ListBucket", `private/${A}/`, false, true],
    ["s3:ListBucket", `private/${A}/docs/`, false, true],
    ["s3:ListBucket", `private/${A}/report`, false, true],
    ["s3:listbucket", `private/${A}/`, false, true],
    ["s3:ListBucket", `private/${A}`, false, false], // would also return private/<A>x/… (C's folder)
    ["s3:ListBucket", `private/${B}/`, false, false],
    ["s3:ListBucket", `private/${C}/`, false, false],
    ["s3:ListBucket", "private", false, false],
    ["s3:ListBucket", "private/", false, false],
    ["s3:ListBucket", "", false, false],
    ["s3:ListBucket", undefined, false, false],
    ["s3:ListBucket", "private/", true, true],
    ["s3:ListBucket", `private/${B}/`, true, true],
    ["s3:ListBucket", `private/${A}`, true, true], // inside private/, which a read-all group may list
    ["s3:ListBucket", "private", true, false], // would also return private-archive/…
    ["s3:ListBucket", "", true, false],
    ["s3:ListBucket", undefined, true, false],
    ["s3:ListBucket", "other/", true, false],
    ["s3:ListBucketVersions", `private/${A}/`, false, false],
    ["s3:ListBucketVersions", "private/", true, false],
    ["s3:ListBucketMultipartUploads", `private/${A}/`, false, false],
  ])("%s with s3:prefix %p (read-all %s) → allow %s", (action, listPrefix, readAllFolders, allow) => {
    expect(decide(action, BUCKET, { listPrefix, readAllFolders }).allow).toBe(allow);
  });
});

describe("intendedDecision: other bucket-level actions and other resources", () => {
  it.each<[string, IntendedTarget, boolean]>([
    ["s3:GetBucketPolicy", BUCKET, false],
    ["s3:PutBucketPolicy", BUCKET, false],
    ["s3:PutBucketAcl", BUCKET, false],
    ["s3:GetBucketLocation", BUCKET, false],
    ["s3:DeleteBucket", BUCKET, false],
    ["s3:PutLifecycleConfiguration", BUCKET, false],
    ["s3:ListAllMyBuckets", OTHER, false],
    ["s3:GetAccessPoint", OTHER, false],
    ["s3:GetObject", OTHER, false],
    ["s3:ListBucket", OTHER, false],
  ])("%s on %j → allow %s, also for a read-all group", (action, target, allow) => {
    expect(decide(action, target, { listPrefix: `private/${A}/` }).allow).toBe(allow);
    expect(decide(action, target, { listPrefix: "private/", readAllFolders: true }).allow).toBe(allow);
  });
});

describe("intendedDecision: TLS", () => {
  it.each<[string, IntendedTarget, boolean, string | undefined]>([
    ["s3:GetObject", object(`private/${A}/report.pdf`), false, undefined],
    ["s3:PutObject", object(`private/${A}/report.pdf`), false, undefined],
    ["s3:ListBucket", BUCKET, false, `private/${A}/`],
    ["s3:GetObject", object(`private/${B}/report.pdf`), true, undefined],
    ["s3:ListBucket", BUCKET, true, "private/"],
  ])("%s on %j (read-all %s) is refused without TLS and allowed with it", (action, target, readAllFolders, listPrefix) => {
    const insecure = decide(action, target, { readAllFolders, listPrefix, secureTransport: false });
    expect(insecure.allow).toBe(false);
    expect(insecure.reason).toMatch(/TLS/);
    // Control: the same request over TLS is allowed.
    expect(decide(action, target, { readAllFolders, listPrefix, secureTransport: true }).allow).toBe(true);
  });
});

describe("intendedDecision: other prefixes", () => {
  it("uses the prefix it is given: nested prefix, own folder allowed, sibling prefix refused", () => {
    const nested = (key: string) => intendedDecision("app/users", { action: "s3:GetObject", target: object(key), callerId: A, readAllFolders: true, secureTransport: true }).allow;
    expect(nested(`app/users/${A}/f`)).toBe(true);
    expect(nested(`app/users/${B}/f`)).toBe(true);
    expect(nested(`app/users-archive/${B}/f`)).toBe(false);
    expect(nested(`app/${A}/f`)).toBe(false);
  });
});
