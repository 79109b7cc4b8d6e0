/**
 * The URL routes through the handler: what a presigned URL allows (exactly the file, method,
 * headers and size asked for), how long it lives (≤ the configured bound, ≤ the credentials'
 * expiry), and multipart uploads driven by the upload id alone. URLs are used against the S3
 * stand-in's HTTP side, which checks their signatures and asks IAM.
 */
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";

const MiB = 1024 * 1024;
let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture();
});
afterEach(() => f.close());

const json = <T = Record<string, unknown>>(result: { body?: string }) => JSON.parse(result.body ?? "null") as T;
const folder = (sub = "alice") => `private/${f.cognito.identityIdFor(sub)}/`;
const expiresIn = (url: string) => Number(new URL(url).searchParams.get("X-Amz-Expires"));

describe("URL lifetime", () => {
  it("is the configured bound (900 s) while the credentials last longer", async () => {
    const token = f.tokenFor("alice");
    const { url, expiresAt } = json<{ url: string; expiresAt: string }>(await f.call(ROUTES.downloadUrl, { token, json: { key: "a.txt" } }));
    expect(expiresIn(url)).toBe(900);
    expect(Date.parse(expiresAt)).toBe(f.clock.now() + 900_000);
  });

  it("never outlives the credentials that signed it", async () => {
    const g = await createFilesApiFixture({ env: { credentialsCacheSeconds: 3600 } });
    try {
      const token = g.tokenFor("alice");
      await g.call(ROUTES.list, { token });
      g.clock.advance(50 * 60_000); // the cached credentials expire in 10 minutes
      const { url } = json<{ url: string }>(await g.call(ROUTES.downloadUrl, { token, json: { key: "a.txt" } }));
      expect(expiresIn(url)).toBe(600);
    } finally {
      await g.close();
    }
  });

  it("costs no AWS call once the caller's credentials are cached (presigning is local)", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token });
    const before = f.awsCalls();
    for (const route of [ROUTES.downloadUrl, ROUTES.uploadUrl]) {
      expect((await f.call(route, { token, json: { key: "a.txt", ...(route === ROUTES.uploadUrl ? { size: 1 } : {}) } })).statusCode).toBe(200);
    }
    expect(f.awsCalls() - before).toBe(0);
  });
});

describe("upload URLs bind what was asked for", () => {
  it("stores the type, disposition, cache control and metadata asked for; other headers or another size are refused by S3", async () => {
    const token = f.tokenFor("alice");
    const ask = { key: "doc.txt", size: 5, contentType: "text/plain", contentDisposition: "attachment", cacheControl: "no-cache", metadata: { origin: "scanner" } };
    const target = json<{ url: string; headers: Record<string, string> }>(await f.call(ROUTES.uploadUrl, { token, json: ask }));
    expect(target.headers).toEqual({ "content-type": "text/plain", "content-disposition": "attachment", "cache-control": "no-cache" });
    const wrongType = await fetch(target.url, { method: "PUT", headers: { ...target.headers, "content-type": "text/html" }, body: "hello" });
    expect(wrongType.status).toBe(403);
    const wrongSize = await fetch(target.url, { method: "PUT", headers: target.headers, body: "hello, world" });
    expect(wrongSize.status).toBe(403);
    expect(f.s3.objects.size).toBe(0);
    const ok = await fetch(target.url, { method: "PUT", headers: target.headers, body: "hello" });
    expect(ok.status).toBe(200);
    expect(f.s3.objects.get(`${folder()}doc.txt`)).toMatchObject({ contentType: "text/plain", contentDisposition: "attachment", cacheControl: "no-cache", metadata: { origin: "scanner" } });
  });

  it("carries If-None-Match: * as a header the PUT must send; S3 then refuses to overwrite", async () => {
    const token = f.tokenFor("alice");
    f.s3.seed(`${folder()}exists.txt`, "old");
    const target = json<{ url: string; headers: Record<string, string> }>(await f.call(ROUTES.uploadUrl, { token, json: { key: "exists.txt", size: 3, ifNoneMatch: "*" } }));
    expect(target.headers["if-none-match"]).toBe("*");
    expect((await fetch(target.url, { method: "PUT", headers: target.headers, body: "new" })).status).toBe(412);
    expect(f.s3.objects.get(`${folder()}exists.txt`)!.body.toString()).toBe("old");
  });
});

describe("multipart uploads", () => {
  async function start(sub = "alice", size = 12 * MiB, partSize = 5 * MiB) {
    const token = f.tokenFor(sub);
    const created = json<{ uploadId: string; partSize: number; partCount: number }>(await f.call(ROUTES.multipartCreate, { token, json: { key: "big.bin", size, partSize } }));
    return { token, size, ...created };
  }

  it("create → part URLs signed for each part's exact size → complete with the ETags", async () => {
    const { token, uploadId, partSize, partCount, size } = await start();
    expect({ partSize, partCount }).toEqual({ partSize: 5 * MiB, partCount: 3 });
    const { parts } = json<{ parts: { partNumber: number; url: string }[] }>(
      await f.call(ROUTES.multipartPartUrls, { token, json: { key: "big.bin", uploadId, size, partSize, partNumbers: [1, 2, 3] } }),
    );
    const lengths = parts.map((p) => new URL(p.url).searchParams.get("X-Amz-SignedHeaders"));
    expect(lengths.every((h) => h?.split(";").includes("content-length"))).toBe(true);
    const data = Buffer.alloc(size, 1);
    // A part of the wrong length is refused: the length is signed.
    expect((await fetch(parts[2]!.url, { method: "PUT", body: data.subarray(0, partSize) })).status).toBe(403);
    const etags: string[] = [];
    for (const part of parts) {
      const start = (part.partNumber - 1) * partSize;
      const response = await fetch(part.url, { method: "PUT", body: data.subarray(start, Math.min(size, start + partSize)) });
      expect(response.status).toBe(200);
      etags.push(response.headers.get("etag")!);
    }
    const done = await f.call(ROUTES.multipartComplete, { token, json: { key: "big.bin", uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) } });
    expect(done.statusCode).toBe(200);
    expect(f.s3.objects.get(`${folder()}big.bin`)!.body.equals(data)).toBe(true);
    expect(f.s3.store.uploads.size).toBe(0);
  });

  it("completing with a part's wrong ETag is 400 invalid_part, and nothing is stored", async () => {
    const { token, uploadId } = await start("alice", 3 * MiB, 5 * MiB);
    const { parts } = json<{ parts: { url: string }[] }>(await f.call(ROUTES.multipartPartUrls, { token, json: { key: "big.bin", uploadId, size: 3 * MiB, partSize: 5 * MiB, partNumbers: [1] } }));
    await fetch(parts[0]!.url, { method: "PUT", body: Buffer.alloc(3 * MiB) });
    const result = await f.call(ROUTES.multipartComplete, { token, json: { key: "big.bin", uploadId, parts: [{ partNumber: 1, etag: '"0000"' }] } });
    expect(result.statusCode).toBe(400);
    expect(json(result)).toMatchObject({ error: "invalid_part" });
    expect(f.s3.objects.size).toBe(0);
  });

  it("someone else's upload id, or an unknown one, is 404 upload_not_found: the id is looked up under the caller's own key", async () => {
    const alices = await start("alice");
    const bob = f.tokenFor("bob");
    for (const route of [ROUTES.multipartComplete, ROUTES.multipartAbort]) {
      const body = { key: "big.bin", uploadId: alices.uploadId, ...(route === ROUTES.multipartComplete ? { parts: [{ partNumber: 1, etag: '"x"' }] } : {}) };
      const result = await f.call(route, { token: bob, json: body });
      expect({ route, status: result.statusCode, error: json(result).error }).toEqual({ route, status: 404, error: "upload_not_found" });
      const unknown = await f.call(route, { token: alices.token, json: { ...body, uploadId: "not-an-upload" } });
      expect(unknown.statusCode).toBe(404);
    }
    expect(f.s3.store.uploads.size).toBe(1); // Alice's upload is untouched
    expect((await f.call(ROUTES.multipartAbort, { token: alices.token, json: { key: "big.bin", uploadId: alices.uploadId } })).statusCode).toBe(200);
    expect(f.s3.store.uploads.size).toBe(0);
  });

  it("proposes a part size when none is given: 8 MiB, more when 10,000 parts would not hold the file", async () => {
    const token = f.tokenFor("alice");
    const small = json(await f.call(ROUTES.multipartCreate, { token, json: { key: "a.bin", size: 64 * MiB } }));
    expect(small).toMatchObject({ partSize: 8 * MiB, partCount: 8 });
    const huge = json(await f.call(ROUTES.multipartCreate, { token, json: { key: "b.bin", size: 200 * 1024 * MiB } }));
    expect(huge).toMatchObject({ partSize: 21 * MiB, partCount: 9753 });
  });
});
