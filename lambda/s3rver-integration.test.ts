/**
 * The Files API against an S3 protocol server nobody in this project wrote (s3rver 3.7, npm),
 * started by this test on 127.0.0.1, driven end to end through FilesClient → API Gateway
 * stand-in → the real handler (production wiring, real SDK clients, real presigner) → s3rver,
 * and through the presigned URLs straight to s3rver.
 *
 * What s3rver checks, and what it cannot:
 * - Its authentication stays on (no `allowMismatchedSignatures`), but for SigV4 it checks only
 *   that the access key is registered and the URL has not expired: s3rver 3.7 does not compute
 *   V4 signatures at all (its source says "Signature version 4 calculation is unimplemented";
 *   jamhall/s3rver#659). Only the credentials the Cognito stand-in issued are registered, so every
 *   request must carry the caller's own access key. Signatures, and IAM's folder isolation, are
 *   checked by the policy-enforcing stand-in (isolation.test.ts, client/files-client.test.ts).
 * - It predates S3's conditional writes (If-Match / If-None-Match on PUT), has no
 *   AbortMultipartUpload, and does not enforce the 5 MiB minimum part size; those are tested
 *   against the stand-in. Conditional reads (304), ranges, multipart, copy and listing with
 *   folders and continuation tokens are s3rver's own.
 */
import { createHash } from "node:crypto";
import { createS3rverFixture, type S3rverFixture } from "../stand-ins/s3rver-fixture";
import type { FilesClient } from "../client/files-client";
import { offsetPattern as pattern } from "../stand-ins/byte-pattern";

const MiB = 1024 * 1024;
let s: S3rverFixture;
let alice: FilesClient;
beforeAll(async () => {
  s = await createS3rverFixture();
  alice = s.client("alice");
}, 30_000);
afterAll(() => s?.close());

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

it("moves a 64 MiB file in (multipart through presigned part URLs) and out (download URL), byte for byte, and serves ranges", async () => {
  const data = pattern(64 * MiB);
  const dataMd5 = md5(data);
  const progress: number[] = [];
  const started = performance.now();
  const upload = await alice.upload("video/big.bin", data, { contentType: "application/octet-stream", onProgress: (p) => progress.push(p.transferredBytes) });
  const uploadMs = performance.now() - started;
  // 8 parts of 8 MiB. (s3rver's ETag for a multipart object is the whole file's MD5, not S3's `<md5 of part md5s>-8`.)
  expect(upload.etag).toBe(`"${dataMd5}"`);
  expect(Math.max(...progress)).toBe(64 * MiB);
  expect(progress).toHaveLength(8);

  const properties = await alice.getProperties("video/big.bin");
  expect(properties).toMatchObject({ size: 64 * MiB, contentType: "application/octet-stream", etag: upload.etag });

  const whole = await alice.download("video/big.bin"); // too large for the API: through a download URL
  expect(whole.body.byteLength).toBe(64 * MiB);
  expect(md5(whole.body)).toBe(dataMd5);

  const inline = await alice.download("video/big.bin", { range: { first: 10 * MiB, last: 10 * MiB + 99 } }); // small: through the API
  expect(inline.range).toEqual({ first: 10 * MiB, last: 10 * MiB + 99, size: 64 * MiB });
  expect(Buffer.from(inline.body).equals(Buffer.from(data.subarray(10 * MiB, 10 * MiB + 100)))).toBe(true);

  const big = await alice.download("video/big.bin", { range: { first: 30 * MiB, last: 36 * MiB - 1 } }); // 6 MiB: from S3
  expect(Buffer.from(big.body).equals(Buffer.from(data.subarray(30 * MiB, 36 * MiB)))).toBe(true);
  // Throughput is measured by bench/ (npm run bench); here only a generous bound, so a hang shows.
  expect(uploadMs).toBeLessThan(30_000);
}, 60_000);

it("uploads, lists folders page by page, reads, copies and deletes small files", async () => {
  for (const key of ["docs/a.txt", "docs/b.txt", "docs/sub/c.txt", "top.txt"]) await alice.upload(key, new TextEncoder().encode(`content of ${key}`), { contentType: "text/plain" });
  await s.client("bob").upload("docs/bobs.txt", new TextEncoder().encode("bob's"));

  const docs = await alice.list({ prefix: "docs/", delimiter: "/" });
  expect(docs.items.map((i) => i.key)).toEqual(["docs/a.txt", "docs/b.txt"]);
  expect(docs.folders).toEqual(["docs/sub/"]);
  const pages: string[][] = [];
  for await (const page of alice.listAll({ prefix: "docs/", limit: 2 })) pages.push(page.items.map((i) => i.key));
  expect(pages).toEqual([["docs/a.txt", "docs/b.txt"], ["docs/sub/c.txt"]]);

  expect(Buffer.from((await alice.download("docs/a.txt")).body).toString()).toBe("content of docs/a.txt");
  await alice.copy("docs/a.txt", "copies/a.txt");
  expect((await alice.getProperties("copies/a.txt")).size).toBe("content of docs/a.txt".length);
  await alice.remove("docs/a.txt");
  await expect(alice.getProperties("docs/a.txt")).rejects.toMatchObject({ status: 404 });
  // Bob's file is in Bob's folder, not Alice's.
  expect((await alice.list({ prefix: "docs/" })).items.map((i) => i.key)).not.toContain("docs/bobs.txt");
});

it("answers a conditional GET whose ETag still matches with 304 (the real SDK's 304 handling)", async () => {
  const { etag } = await alice.upload("etag.txt", new TextEncoder().encode("same"));
  const token = (alice as unknown as { options: { idToken: string } }).options.idToken;
  const response = await fetch(`${s.api.url}/files/etag.txt`, { headers: { authorization: `Bearer ${token}`, "if-none-match": etag! } });
  expect(response.status).toBe(304);
  const changed = await fetch(`${s.api.url}/files/etag.txt`, { headers: { authorization: `Bearer ${token}`, "if-none-match": '"0000"' } });
  expect(changed.status).toBe(200);
});

it("refuses a presigned URL whose access key was never issued (s3rver's own key check is on)", async () => {
  await alice.upload("k.txt", new TextEncoder().encode("x"));
  const { url } = await alice.getUrl("k.txt");
  expect((await fetch(url)).status).toBe(200);
  const forged = url.replace(/X-Amz-Credential=[A-Z0-9]+/, "X-Amz-Credential=ASIANOTISSUED0000");
  const response = await fetch(forged);
  expect(response.status).toBe(403);
  expect(await response.text()).toContain("InvalidAccessKeyId");
});
