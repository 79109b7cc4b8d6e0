/**
 * The bad-input classes of the new routes and headers: each gets a 4xx JSON answer with a stable
 * error code, never a 500, and changes nothing (the bucket and its uploads are as before, and no
 * S3 write was attempted). Values that would break a header are refused before the SDK, which
 * throws on them, ever sees them.
 */
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type EventOptions, type FilesApiFixture } from "../stand-ins/files-api-fixture";

const MiB = 1024 * 1024;
let f: FilesApiFixture;
let token: string;
let uploadId: string;
beforeAll(async () => {
  f = await createFilesApiFixture();
  token = f.tokenFor("alice");
  await f.call(ROUTES.put, { token, key: "existing.txt", body: "0123456789" });
  uploadId = (JSON.parse((await f.call(ROUTES.multipartCreate, { token, json: { key: "big.bin", size: 12 * MiB, partSize: 5 * MiB } })).body!) as { uploadId: string }).uploadId;
});
afterAll(() => f.close());

const WRITES = ["PutObject", "DeleteObject", "CopyObject", "CreateMultipartUpload", "CompleteMultipartUpload", "AbortMultipartUpload"] as const;
const snapshot = () => ({
  objects: [...f.s3.objects.entries()].map(([k, o]) => [k, o.etag]),
  uploads: [...f.s3.store.uploads.keys()],
  writes: WRITES.map((op) => f.s3.calls[op]),
});

/** Sends a request that must be refused with `status` and `error`, and leave everything as it was. */
async function refused(route: string, options: EventOptions | Record<string, unknown>, status: number, error: string, raw = false) {
  const before = snapshot();
  const result = raw ? await f.handler({ ...f.event(route, { token }), ...(options as object) } as never) : await f.call(route, { token, ...(options as EventOptions) });
  expect({ route, status: result.statusCode }).toEqual({ route, status });
  expect(result.headers?.["content-type"]).toMatch(/^application\/json/);
  expect(JSON.parse(result.body!)).toMatchObject({ error, message: expect.any(String) });
  expect(snapshot()).toEqual(before);
}

describe("Content-Type that would break a header (RFC 9110 grammar: no CR, LF, VT, NUL, U+2028, non-ASCII)", () => {
  const values = ["text/plain\r\nx-evil: 1", "text/plain\n", "text/plain;\u000bcharset=utf-8", "text/plain;\u2028charset=utf-8", "text/pl\u0000ain", "text/plain; charset=\"a\u000bb\"", "tëxt/plain", "text/plain;\u0085charset=x"];
  it.each(values.map((v) => [JSON.stringify(v), v]))("%s → 400 on PUT and on every route that stores it", async (_name, value) => {
    await refused(ROUTES.put, { key: "a.txt", body: "x", headers: { "content-type": value } }, 400, "invalid_content_type");
    await refused(ROUTES.uploadUrl, { json: { key: "a.txt", size: 1, contentType: value } }, 400, "invalid_content_type");
    await refused(ROUTES.multipartCreate, { json: { key: "a.bin", size: 6 * MiB, contentType: value } }, 400, "invalid_content_type");
  });
});

describe("bodies marked base64 that are not canonical base64", () => {
  it.each([["no padding", "QQ"], ["wrong padding", "QQ="], ["too much padding", "Q==="], ["non-zero unused bits", "QR=="], ["a line break", "QUJD\n"], ["URL-safe alphabet", "-_8="], ["padding inside", "QQ==QUJD"]])(
    "%s (%j) → 400",
    async (_name, body) => {
      await refused(ROUTES.put, { key: "a.bin", body, isBase64Encoded: true }, 400, "invalid_body_encoding");
    },
  );

  it("canonical base64 is accepted (control)", async () => {
    expect((await f.call(ROUTES.put, { token, key: "ok.bin", body: "QUJD", isBase64Encoded: true })).statusCode).toBe(200);
    expect(f.s3.objects.get(`private/${f.cognito.identityIdFor("alice")}/ok.bin`)!.body.toString()).toBe("ABC");
  });
});

describe("a direct invocation with fields of the wrong JSON type", () => {
  it.each([
    ["isBase64Encoded as a string", { isBase64Encoded: "true", body: "QUJD" }],
    ["isBase64Encoded as a number", { isBase64Encoded: 1 }],
    ["a header value that is a number", { headers: { authorization: `Bearer x`, "content-type": 5 } }],
    ["headers as a string", { headers: "authorization: Bearer x" }],
    ["headers as an array", { headers: ["authorization"] }],
    ["a query value that is a number", { queryStringParameters: { limit: 5 } }],
    ["a path key that is an object", { pathParameters: { key: { evil: true } } }],
    ["a body that is an object", { body: { key: "a" } }],
    ["cookies that are not strings", { cookies: [1] }],
  ])("%s → 400 invalid_event", async (_name, fields) => {
    const route = "queryStringParameters" in fields ? ROUTES.list : ROUTES.put;
    await refused(route, { pathParameters: { key: "a.txt" }, ...fields }, 400, "invalid_event", true);
  });
});

describe("JSON bodies of the URL routes", () => {
  it.each([
    ["not JSON", ROUTES.downloadUrl, { body: "{key:" }, "invalid_json"],
    ["a JSON array", ROUTES.downloadUrl, { json: ["a.txt"] }, "invalid_json"],
    ["a key that is a number", ROUTES.downloadUrl, { json: { key: 5 } }, "invalid_key"],
    ["an unknown field", ROUTES.uploadUrl, { json: { key: "a", size: 1, contentype: "text/plain" } }, "unknown_field"],
    ["a size that is a string", ROUTES.uploadUrl, { json: { key: "a", size: "10" } }, "invalid_size"],
    ["a size over 5 GiB for one PUT", ROUTES.uploadUrl, { json: { key: "a", size: 5 * 1024 * MiB + 1 } }, "invalid_size"],
    ["a new key that cannot travel in a path", ROUTES.uploadUrl, { json: { key: "../a", size: 1 } }, "invalid_key"],
    ["metadata as an array", ROUTES.uploadUrl, { json: { key: "a", size: 1, metadata: ["x"] } }, "invalid_metadata"],
    ["11 metadata entries", ROUTES.uploadUrl, { json: { key: "a", size: 1, metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, "v"])) } }, "invalid_metadata"],
    ["a metadata name in upper case", ROUTES.uploadUrl, { json: { key: "a", size: 1, metadata: { Owner: "x" } } }, "invalid_metadata"],
    ["a metadata value with a line break", ROUTES.uploadUrl, { json: { key: "a", size: 1, metadata: { owner: "a\r\nb" } } }, "invalid_metadata"],
    ["metadata over 2 KB", ROUTES.uploadUrl, { json: { key: "a", size: 1, metadata: { owner: "x".repeat(2100) } } }, "invalid_metadata"],
    ["If-None-Match other than *", ROUTES.uploadUrl, { json: { key: "a", size: 1, ifNoneMatch: '"abc"' } }, "invalid_condition"],
    ["If-Match and If-None-Match together", ROUTES.uploadUrl, { json: { key: "a", size: 1, ifNoneMatch: "*", ifMatch: '"abc"' } }, "invalid_condition"],
    ["Cache-Control with a line break", ROUTES.uploadUrl, { json: { key: "a", size: 1, cacheControl: "no-cache\r\nx: y" } }, "invalid_cache_control"],
    ["Content-Disposition that does not parse", ROUTES.uploadUrl, { json: { key: "a", size: 1, contentDisposition: "attachment; filename=" } }, "invalid_content_disposition"],
    ["a download filename with a '/'", ROUTES.downloadUrl, { json: { key: "a", filename: "../../etc/passwd" } }, "invalid_filename"],
    ["a download filename with a control character", ROUTES.downloadUrl, { json: { key: "a", filename: "a\u0000b.txt" } }, "invalid_filename"],
    ["a disposition other than attachment or inline", ROUTES.downloadUrl, { json: { key: "a", disposition: "render" } }, "invalid_disposition"],
    ["copy without a destination", ROUTES.copy, { json: { source: "existing.txt" } }, "invalid_key"],
  ])("%s → 400", async (_name, route, options, error) => {
    await refused(route, options, 400, error);
  });
});

describe("multipart numbers and ids", () => {
  // The upload id is known only once beforeAll ran: "<upload>" stands for it in the table.
  const partUrls = (json: Record<string, unknown>) => ({ json: { key: "big.bin", uploadId: "<upload>", size: 12 * MiB, partSize: 5 * MiB, ...json } });
  const withUpload = (options: { json: Record<string, unknown> }) => ({ json: { ...options.json, uploadId: options.json.uploadId === "<upload>" ? uploadId : options.json.uploadId } });
  it.each([
    ["part number 0", partUrls({ partNumbers: [0] }), "invalid_part_number"],
    ["part number 10,001", partUrls({ partNumbers: [10_001] }), "invalid_part_number"],
    ["a fractional part number", partUrls({ partNumbers: [1.5] }), "invalid_part_number"],
    ["a part number as a string", partUrls({ partNumbers: ["1"] }), "invalid_part_number"],
    ["a part beyond the upload's parts", partUrls({ partNumbers: [4] }), "invalid_part_number"],
    ["the same part twice", partUrls({ partNumbers: [1, 1] }), "invalid_part_number"],
    ["no part numbers", partUrls({ partNumbers: [] }), "invalid_part_numbers"],
    ["parts below 5 MiB (other than the last)", partUrls({ partSize: 5 * MiB - 1, partNumbers: [1] }), "invalid_part_size"],
    ["an empty upload id", partUrls({ uploadId: "", partNumbers: [1] }), "invalid_upload_id"],
    ["an upload id with a space", partUrls({ uploadId: "a b", partNumbers: [1] }), "invalid_upload_id"],
  ])("%s → 400", async (_name, options, error) => {
    await refused(ROUTES.multipartPartUrls, withUpload(options), 400, error);
  });

  it.each([
    ["a part size below 5 MiB", { key: "a.bin", size: 20 * MiB, partSize: MiB }, "invalid_part_size"],
    ["a part size over 5 GiB", { key: "a.bin", size: 20 * MiB, partSize: 5 * 1024 * MiB + 1 }, "invalid_part_size"],
    ["more than 10,000 parts", { key: "a.bin", size: 100 * 1024 * MiB, partSize: 5 * MiB }, "too_many_parts"],
    ["a size of 0", { key: "a.bin", size: 0 }, "invalid_size"],
  ])("create with %s → 400", async (_name, json, error) => {
    await refused(ROUTES.multipartCreate, { json }, 400, error);
  });

  it.each([
    ["parts out of order", [{ partNumber: 2, etag: '"a"' }, { partNumber: 1, etag: '"b"' }], "invalid_part_order"],
    ["a part number 0", [{ partNumber: 0, etag: '"a"' }], "invalid_part_number"],
    ["an ETag that is not a string", [{ partNumber: 1, etag: 5 }], "invalid_parts"],
    ["no parts", [], "invalid_parts"],
  ])("complete with %s → 400", async (_name, parts, error) => {
    await refused(ROUTES.multipartComplete, { json: { key: "big.bin", uploadId, parts } }, 400, error);
  });
});

describe("ranges", () => {
  it.each([["bytes=a-b"], ["items=0-1"], ["bytes=5-2"], ["bytes=0-1,3-4"], ["bytes=--1"], ["bytes="]])("malformed %j → 416", async (range) => {
    const result = await f.call(ROUTES.get, { token, key: "existing.txt", headers: { range } });
    expect(result.statusCode).toBe(416);
    expect(JSON.parse(result.body!)).toMatchObject({ error: expect.stringMatching(/range/) });
  });

  it.each([["bytes=10-"], ["bytes=-0"]])("unsatisfiable %j → 416", async (range) => {
    const result = await f.call(ROUTES.get, { token, key: "existing.txt", headers: { range } });
    expect(result.statusCode).toBe(416);
  });
});
