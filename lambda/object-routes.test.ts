/**
 * The object routes through the handler, against the S3 stand-in: HEAD, conditional and ranged
 * GET, metadata and properties on PUT, conditional PUT, folders in LIST, the `?key=` forms for
 * keys that cannot travel in a path, and copy. Expected answers follow HTTP (RFC 9110) and the
 * S3 API reference, written here independently of the code.
 */
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";

let f: FilesApiFixture;
let token: string;
beforeEach(async () => {
  f = await createFilesApiFixture();
  token = f.tokenFor("alice");
});
afterEach(() => f.close());

const json = (result: { body?: string }) => JSON.parse(result.body ?? "null") as Record<string, unknown>;
const folder = () => `private/${f.cognito.identityIdFor("alice")}/`;
const put = (key: string, body: string, headers: Record<string, string> = {}) => f.call(ROUTES.put, { token, key, body, headers });

describe("HEAD", () => {
  it("answers size, type, ETag, last modified, the stored Cache-Control and Content-Disposition, and metadata, without a body", async () => {
    await put("report.txt", "twelve bytes", {
      "content-type": "text/plain",
      "cache-control": "max-age=300, private",
      "content-disposition": 'inline; filename="r.txt"',
      "x-amz-meta-owner": "alice",
    });
    const head = await f.call(ROUTES.head, { token, key: "report.txt" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBeUndefined();
    expect(head.headers).toMatchObject({
      "content-length": "12",
      "content-type": "text/plain",
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      "last-modified": expect.stringMatching(/GMT$/),
      "x-object-cache-control": "max-age=300, private",
      "x-object-content-disposition": 'inline; filename="r.txt"',
      "x-amz-meta-owner": "alice",
      // The API's own answer is never cached by shared caches, and never rendered.
      "cache-control": "private, no-store",
      "content-disposition": "attachment",
    });
    expect(f.s3.calls.HeadObject).toBe(1);
    expect(f.s3.calls.GetObject).toBe(0);
  });

  it("is 404 for a missing file and 304 when If-None-Match matches", async () => {
    expect((await f.call(ROUTES.head, { token, key: "missing.txt" })).statusCode).toBe(404);
    const { etag } = json(await put("a.txt", "a"));
    const notModified = await f.call(ROUTES.head, { token, key: "a.txt", headers: { "if-none-match": etag as string } });
    expect(notModified).toMatchObject({ statusCode: 304, headers: { etag } });
  });
});

describe("GET with conditions and ranges", () => {
  beforeEach(() => put("digits.txt", "0123456789"));

  it("If-None-Match with the current ETag → 304 without a body; with another ETag → 200", async () => {
    const etag = f.s3.objects.get(`${folder()}digits.txt`)!.etag;
    const same = await f.call(ROUTES.get, { token, key: "digits.txt", headers: { "if-none-match": etag } });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBeUndefined();
    expect((await f.call(ROUTES.get, { token, key: "digits.txt", headers: { "if-none-match": '"0123"' } })).statusCode).toBe(200);
    expect((await f.call(ROUTES.get, { token, key: "digits.txt", headers: { "if-none-match": `"x", W/${etag}` } })).statusCode).toBe(304);
  });

  it.each([
    ["bytes=2-5", "2345", "bytes 2-5/10"],
    ["bytes=7-", "789", "bytes 7-9/10"],
    ["bytes=-3", "789", "bytes 7-9/10"],
    ["bytes=8-100", "89", "bytes 8-9/10"],
  ])("Range %s → 206 with %j and Content-Range %s", async (range, body, contentRange) => {
    const result = await f.call(ROUTES.get, { token, key: "digits.txt", headers: { range } });
    expect(result.statusCode).toBe(206);
    expect(Buffer.from(result.body!, "base64").toString()).toBe(body);
    expect(result.headers?.["content-range"]).toBe(contentRange);
  });

  it("a range starting past the end → 416", async () => {
    const result = await f.call(ROUTES.get, { token, key: "digits.txt", headers: { range: "bytes=10-20" } });
    expect(result.statusCode).toBe(416);
    expect(json(result)).toMatchObject({ error: "range_not_satisfiable" });
  });

  it("a range of a file too large to return whole is served inline when the range itself fits", async () => {
    const g = await createFilesApiFixture({ maxInlineBytes: 1024 });
    try {
      g.s3.seed(`private/${g.cognito.identityIdFor("alice")}/big.bin`, Buffer.alloc(4096, 7));
      const t = g.tokenFor("alice");
      expect((await g.call(ROUTES.get, { token: t, key: "big.bin" })).statusCode).toBe(413);
      const part = await g.call(ROUTES.get, { token: t, key: "big.bin", headers: { range: "bytes=0-1023" } });
      expect(part.statusCode).toBe(206);
      expect(Buffer.from(part.body!, "base64").byteLength).toBe(1024);
    } finally {
      await g.close();
    }
  });
});

describe("conditional PUT", () => {
  it("If-None-Match: * creates once; the second is 412 and the first content stays", async () => {
    expect((await put("once.txt", "first", { "if-none-match": "*" })).statusCode).toBe(200);
    const second = await put("once.txt", "second", { "if-none-match": "*" });
    expect(second.statusCode).toBe(412);
    expect(json(second)).toMatchObject({ error: "precondition_failed" });
    expect(f.s3.objects.get(`${folder()}once.txt`)!.body.toString()).toBe("first");
  });

  it("If-Match: only the current ETag may overwrite; a missing file is 404", async () => {
    const { etag } = json(await put("doc.txt", "v1"));
    expect((await put("doc.txt", "v2", { "if-match": '"00000000000000000000000000000000"' })).statusCode).toBe(412);
    expect((await put("doc.txt", "v2", { "if-match": etag as string })).statusCode).toBe(200);
    expect(f.s3.objects.get(`${folder()}doc.txt`)!.body.toString()).toBe("v2");
    expect((await put("nothing.txt", "x", { "if-match": etag as string })).statusCode).toBe(404);
  });
});

describe("folders", () => {
  it("LIST with prefix and delimiter=/ answers the level's files and its sub-folders, relative to the caller's folder", async () => {
    for (const key of ["a/1.txt", "a/b/2.txt", "a/c/3.txt", "a/c/4.txt", "z.txt"]) await put(key, key);
    const result = json(await f.call(ROUTES.list, { token, query: { prefix: "a/", delimiter: "/" } }));
    expect(result).toEqual({ items: [expect.objectContaining({ key: "a/1.txt", size: 7 })], folders: ["a/b/", "a/c/"], nextContinuationToken: null });
    const firstPage = json(await f.call(ROUTES.list, { token, query: { prefix: "a/", delimiter: "/", limit: "2" } }));
    expect(firstPage).toMatchObject({ items: [expect.objectContaining({ key: "a/1.txt" })], folders: ["a/b/"], nextContinuationToken: expect.any(String) });
  });
});

describe("list prefixes stay inside the caller's folder", () => {
  it("a prefix written to climb out (.., another id, /, encodings, wildcards, policy variables) is matched literally inside the folder", async () => {
    const bobs = f.tokenFor("bob");
    const bobId = f.cognito.identityIdFor("bob");
    await f.call(ROUTES.put, { token: bobs, key: "bobs.txt", body: "bob's" });
    f.s3.seed(`${folder()}../${bobId}/bobs.txt`, "alice's own file, oddly named"); // what another tool could write
    const climbs = [`../${bobId}/`, `../../private/${bobId}/`, "../", "/", `/${bobId}/`, "%2e%2e/", "..%2F", "*", "?", "${cognito-identity.amazonaws.com:sub}/", "\\..\\"];
    for (const prefix of climbs) {
      const result = await f.call(ROUTES.list, { token, query: { prefix } });
      // A denial would mean S3 was asked outside the folder (IAM's s3:prefix condition refuses it).
      expect({ prefix, status: result.statusCode }).toEqual({ prefix, status: 200 });
      const keys = (json(result).items as { key: string }[]).map((i) => i.key);
      const expected = [`../${bobId}/bobs.txt`].filter((k) => k.startsWith(prefix));
      expect({ prefix, keys }).toEqual({ prefix, keys: expected });
    }
    // Control: Bob lists his own file, and Alice's listing shows it nowhere.
    expect((json(await f.call(ROUTES.list, { token: bobs })).items as { key: string }[]).map((i) => i.key)).toEqual(["bobs.txt"]);
    expect((json(await f.call(ROUTES.list, { token })).items as { key: string }[]).map((i) => i.key)).toEqual([`../${bobId}/bobs.txt`]);
  });

  it.each([
    ["a prefix that is not valid Unicode", { prefix: "a\ud800" }, "invalid_prefix"],
    ["a prefix longer than any key", { prefix: "p".repeat(1025) }, "invalid_prefix"],
    ["a delimiter other than '/'", { delimiter: "," }, "invalid_delimiter"],
  ])("%s → 400, with no S3 call", async (_name, query, error) => {
    const before = f.s3.totalCalls;
    const result = await f.call(ROUTES.list, { token, query });
    expect({ status: result.statusCode, error: json(result).error }).toEqual({ status: 400, error });
    expect(f.s3.totalCalls).toBe(before);
  });
});

describe("keys that cannot travel in a path: the ?key= forms", () => {
  const foreign = "../escape/./x//y\u0007.txt";

  it("HEAD, GET and DELETE /files?key= reach exactly that key in the caller's folder", async () => {
    f.s3.seed(folder() + foreign, "written by another tool");
    const listed = json(await f.call(ROUTES.list, { token })) as { items: { key: string }[] };
    expect(listed.items.map((i) => i.key)).toEqual([foreign]);
    expect((await f.call(ROUTES.headByQuery, { token, query: { key: foreign } })).headers?.["content-length"]).toBe("23");
    const get = await f.call(ROUTES.list, { token, query: { key: foreign } });
    expect(Buffer.from(get.body!, "base64").toString()).toBe("written by another tool");
    expect((await f.call(ROUTES.deleteByQuery, { token, query: { key: foreign } })).statusCode).toBe(200);
    expect(f.s3.objects.size).toBe(0);
  });

  it("GET /files?key= refuses list parameters beside it", async () => {
    const result = await f.call(ROUTES.list, { token, query: { key: "a.txt", limit: "5" } });
    expect(result.statusCode).toBe(400);
  });
});

describe("copy", () => {
  it("copies inside the folder keeping type and metadata; the source may be any stored key, the destination a path-safe one", async () => {
    await put("src.txt", "copy me", { "content-type": "text/plain", "x-amz-meta-tag": "t1" });
    const result = await f.call(ROUTES.copy, { token, json: { source: "src.txt", destination: "dst/copy.txt" } });
    expect(result.statusCode).toBe(200);
    const copied = f.s3.objects.get(`${folder()}dst/copy.txt`)!;
    expect(copied).toMatchObject({ contentType: "text/plain", metadata: { tag: "t1" } });
    expect(copied.body.toString()).toBe("copy me");
    expect((await f.call(ROUTES.copy, { token, json: { source: "src.txt", destination: "../out.txt" } })).statusCode).toBe(400);
    expect((await f.call(ROUTES.copy, { token, json: { source: "nope.txt", destination: "x.txt" } })).statusCode).toBe(404);
  });
});
