/**
 * FilesClient against the deployed shape, on loopback: an HTTP API stand-in in front of the real
 * handler (wired as in production), the S3 stand-in that enforces the stack's own IAM policy,
 * and its HTTP side checking every presigned URL's signature. What each method should do is
 * written here from the client's documentation, not read back from the implementation.
 */
import { createHash } from "node:crypto";
import { offsetPattern as pattern } from "../stand-ins/byte-pattern";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";
import { FilesApiError, type FilesClient } from "./files-client";

const MiB = 1024 * 1024;
let f: FilesApiFixture;
let alice: FilesClient;
beforeEach(async () => {
  f = await createFilesApiFixture({ maxUploadBytes: 4 * MiB });
  alice = f.client("alice");
});
afterEach(() => f.close());

const folderOf = (sub: string) => `private/${f.cognito.identityIdFor(sub)}/`;
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
/** Byte-for-byte equality (a compare, cheaper and stricter than comparing MD5s), without copying. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

describe("small files, through the API", () => {
  it("uploads with properties and metadata, and reads them back with getProperties and download", async () => {
    const body = new TextEncoder().encode("hello, world");
    const { etag } = await alice.upload("docs/hello.txt", body, {
      contentType: "text/plain; charset=utf-8",
      contentDisposition: 'attachment; filename="hello.txt"',
      cacheControl: "max-age=60",
      metadata: { project: "apollo", "reviewed-by": "bob" },
    });
    expect(etag).toBe(`"${md5(body)}"`);
    expect(f.s3.calls.PutObject).toBe(1); // one request through the function, no URL
    const properties = await alice.getProperties("docs/hello.txt");
    expect(properties).toEqual({
      size: 12,
      contentType: "text/plain; charset=utf-8",
      etag,
      lastModified: expect.stringMatching(/GMT$/),
      cacheControl: "max-age=60",
      contentDisposition: 'attachment; filename="hello.txt"',
      metadata: { project: "apollo", "reviewed-by": "bob" },
    });
    const download = await alice.download("docs/hello.txt");
    expect(Buffer.from(download.body).toString()).toBe("hello, world");
    expect(download.range).toBeNull();
  });

  it("reads one byte range (206 through the API)", async () => {
    await alice.upload("digits.txt", new TextEncoder().encode("0123456789"));
    const part = await alice.download("digits.txt", { range: { first: 2, last: 5 } });
    expect(Buffer.from(part.body).toString()).toBe("2345");
    expect(part.range).toEqual({ first: 2, last: 5, size: 10 });
  });

  it("copies and removes; a removed file is a 404 FilesApiError with the request id", async () => {
    await alice.upload("a.txt", new TextEncoder().encode("A"));
    await alice.copy("a.txt", "b.txt");
    await alice.remove("a.txt");
    expect(Buffer.from((await alice.download("b.txt")).body).toString()).toBe("A");
    const error = await alice.getProperties("a.txt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FilesApiError);
    expect(error).toMatchObject({ status: 404 });
    const missing = await alice.download("a.txt").catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: "not_found", requestId: expect.any(String) });
  });
});

describe("folders and paging", () => {
  it("lists one folder level with sub-folders apart, and every page of a prefix", async () => {
    for (const key of ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/cover.jpg", "notes.txt"]) {
      await alice.upload(key, new TextEncoder().encode(key));
    }
    await f.client("bob").upload("photos/bob.jpg", new TextEncoder().encode("bob's"));

    const top = await alice.list({ delimiter: "/" });
    expect(top.items.map((i) => i.key)).toEqual(["notes.txt"]);
    expect(top.folders).toEqual(["photos/"]);
    const photos = await alice.list({ prefix: "photos/", delimiter: "/" });
    expect(photos.items.map((i) => i.key)).toEqual(["photos/cover.jpg"]);
    expect(photos.folders).toEqual(["photos/2024/", "photos/2025/"]);

    const pages: string[][] = [];
    for await (const page of alice.listAll({ prefix: "photos/", limit: 2 })) pages.push(page.items.map((i) => i.key));
    expect(pages).toEqual([["photos/2024/a.jpg", "photos/2024/b.jpg"], ["photos/2025/c.jpg", "photos/cover.jpg"]]);
  });
});

describe("large files, straight to S3 through presigned URLs", () => {
  it("uploads 6 MiB with one presigned PUT and downloads it through a download URL, byte for byte", async () => {
    const data = pattern(6 * MiB);
    const progress: number[] = [];
    const { etag } = await alice.upload("big/six.bin", data, { contentType: "application/octet-stream", onProgress: (p) => progress.push(p.transferredBytes) });
    expect(etag).toBe(`"${md5(data)}"`);
    expect(progress).toEqual([6 * MiB]);
    expect(f.s3.calls.PutObject).toBe(0); // the bytes never went through the function
    expect(f.front.requests.filter((r) => r.method === "PUT")).toEqual([expect.objectContaining({ status: 200, identityId: f.cognito.identityIdFor("alice") })]);
    const download = await alice.download("big/six.bin");
    expect(sameBytes(download.body, data)).toBe(true);
    expect(Math.max(...f.api.payloadBytes)).toBeLessThan(6 * MiB);
  });

  it("uploads in parts (above multipartThresholdBytes) with progress per part, and reads a range beyond the inline limit from S3", async () => {
    const data = pattern(15 * MiB + 123);
    const progress: number[] = [];
    const client = f.client("alice", { multipartThresholdBytes: 8 * MiB });
    await client.upload("big/parts.bin", data, { onProgress: (p) => progress.push(p.transferredBytes), partSize: 5 * MiB });
    // One report per part as it lands (parts finish in any order), rising to the whole size.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(15 * MiB + 123);
    const increments = progress.map((p, i) => p - (progress[i - 1] ?? 0)).sort((a, b) => a - b);
    expect(increments).toEqual([123, 5 * MiB, 5 * MiB, 5 * MiB]);
    const stored = f.s3.objects.get(`${folderOf("alice")}big/parts.bin`)!;
    expect(sameBytes(stored.body, data)).toBe(true);
    expect(stored.etag).toMatch(/-4"$/); // S3's multipart ETag: four parts
    const range = await alice.download("big/parts.bin", { range: { first: 3 * MiB, last: 8 * MiB - 1 } });
    expect(range.range).toEqual({ first: 3 * MiB, last: 8 * MiB - 1, size: data.byteLength });
    expect(sameBytes(range.body, data.subarray(3 * MiB, 8 * MiB))).toBe(true);
  });

  it("gives a download URL that saves under the given file name (RFC 6266 / 5987)", async () => {
    await alice.upload("r.pdf", new TextEncoder().encode("%PDF"));
    const { url, expiresAt } = await alice.getUrl("r.pdf", { filename: "Résumé 2024.pdf" });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="R_sum_ 2024.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf`);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it("asks for a fresh URL for a part whose URL expired while earlier parts were uploading (a slow link), and completes", async () => {
    const data = pattern(11 * MiB);
    const client = f.client("alice", { multipartThresholdBytes: 8 * MiB, concurrency: 1 });
    // Only the date is faked, so that the SDK's signer (X-Amz-Date) and S3's clock move together.
    jest.useFakeTimers({ doNotFake: ["hrtime", "nextTick", "performance", "queueMicrotask", "requestAnimationFrame", "cancelAnimationFrame", "requestIdleCallback", "cancelIdleCallback", "setImmediate", "clearImmediate", "setInterval", "clearInterval", "setTimeout", "clearTimeout"], now: f.clock.now() });
    const later = () => {
      // After the first part lands, 901 s pass: the batch's other URLs (900 s) are now refused by S3.
      f.clock.advance(901_000);
      jest.setSystemTime(f.clock.now());
    };
    const upload = client.upload("big/slow.bin", data, { partSize: 5 * MiB, onProgress: (p) => (p.transferredBytes === 5 * MiB ? later() : undefined) });
    const { etag } = await upload.finally(() => jest.useRealTimers());
    const puts = f.front.requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.status)).toEqual([200, 403, 200, 200]);
    expect(puts[1]).toMatchObject({ error: "AccessDenied" });
    expect(sameBytes(f.s3.objects.get(`${folderOf("alice")}big/slow.bin`)!.body, data)).toBe(true);
    expect(etag).toMatch(/-3"$/);
  });

  it("aborts a multipart upload when its signal fires, leaving no upload behind", async () => {
    const controller = new AbortController();
    const attempt = f.client("alice", { multipartThresholdBytes: 8 * MiB }).upload("big/aborted.bin", pattern(11 * MiB), {
      partSize: 5 * MiB,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(attempt).rejects.toThrow();
    expect(f.s3.calls.CreateMultipartUpload).toBe(1);
    expect(f.s3.calls.AbortMultipartUpload).toBe(1);
    expect(f.s3.store.uploads.size).toBe(0);
    expect(f.s3.objects.has(`${folderOf("alice")}big/aborted.bin`)).toBe(false);
  });
});

describe("safe concurrency", () => {
  it("ifNoneMatch '*' creates once; a second create is a 412, and the first file stays", async () => {
    await alice.upload("once.txt", new TextEncoder().encode("first"), { ifNoneMatch: "*" });
    const second = await alice.upload("once.txt", new TextEncoder().encode("second"), { ifNoneMatch: "*" }).catch((e: unknown) => e);
    expect(second).toMatchObject({ status: 412, code: "precondition_failed" });
    expect(Buffer.from((await alice.download("once.txt")).body).toString()).toBe("first");
  });

  it("ifMatch overwrites only the version read: a stale ETag is a 412, the current one succeeds (also for presigned and multipart uploads)", async () => {
    const v1 = await alice.upload("doc.txt", new TextEncoder().encode("v1"));
    const v2 = await alice.upload("doc.txt", new TextEncoder().encode("v2"), { ifMatch: v1.etag! });
    const client = f.client("alice", { multipartThresholdBytes: 8 * MiB });
    for (const size of [1024, 6 * MiB, 11 * MiB]) {
      const stale = await client.upload("doc.txt", pattern(size), { ifMatch: v1.etag! }).catch((e: unknown) => e);
      expect({ size, stale }).toEqual({ size, stale: expect.objectContaining({ status: 412 }) });
    }
    await expect(alice.upload("doc.txt", pattern(6 * MiB), { ifMatch: v2.etag! })).resolves.toMatchObject({ size: 6 * MiB });
    expect(f.s3.store.uploads.size).toBe(0); // the refused multipart upload was aborted
  });
});

describe("files other tools wrote into the folder", () => {
  const foreign = ["a//b.txt", "folder-marker/", "../up.txt", "tab\there.txt", "%2e%2e/x", "./dot.txt"];

  it("appear in LIST, and each can be read (properties and bytes) and deleted", async () => {
    for (const key of foreign) f.s3.seed(folderOf("alice") + key, `content of ${key}`);
    const listed = (await alice.list()).items.map((i) => i.key).sort();
    expect(listed).toEqual([...foreign].sort());
    for (const key of listed) {
      expect({ key, size: (await alice.getProperties(key)).size }).toEqual({ key, size: `content of ${key}`.length });
      expect({ key, text: Buffer.from((await alice.download(key)).body).toString() }).toEqual({ key, text: `content of ${key}` });
      await alice.remove(key);
    }
    expect((await alice.list()).items).toEqual([]);
  });

  it("a file too large for one API answer whose key has '.' or '..' segments is read through the API in pieces (no URL can carry that key)", async () => {
    const key = "../big/./clip.bin";
    const data = pattern(9 * MiB + 5);
    f.s3.seed(folderOf("alice") + key, Buffer.from(data));
    // Why: fetch removes the dot segments before sending, so S3 is asked for another key than was signed.
    expect((await fetch((await alice.getUrl(key)).url)).status).toBe(403);
    const whole = await alice.download(key);
    expect({ size: whole.body.byteLength, same: sameBytes(whole.body, data), range: whole.range }).toEqual({ size: data.byteLength, same: true, range: null });
    const across = await alice.download(key, { range: { first: 4 * MiB - 10, last: 8 * MiB + 9 } });
    expect(sameBytes(across.body, data.subarray(4 * MiB - 10, 8 * MiB + 10))).toBe(true);
    expect(across.range).toEqual({ first: 4 * MiB - 10, last: 8 * MiB + 9, size: data.byteLength });
  });

  it("a download URL for a key with an empty segment works from fetch", async () => {
    f.s3.seed(`${folderOf("alice")}a//b.txt`, "double slash");
    const response = await fetch((await alice.getUrl("a//b.txt")).url);
    expect(await response.text()).toBe("double slash");
  });
});
