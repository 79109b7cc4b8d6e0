/**
 * The handler end to end, wired as in production, against the stand-ins: what each route
 * answers, that a user reaches only their own folder (because the role's policy says so), and
 * that a warm request makes exactly one AWS call.
 */
import { ROUTES, createHandler } from "./create-handler";
import { productionDeps } from "./production-deps";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";

let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture();
});
afterEach(() => f.close());

const json = (result: { body?: string }) => JSON.parse(result.body ?? "null") as Record<string, unknown>;

describe("PUT then GET, LIST and DELETE as one user", () => {
  it("stores the object under <prefix>/<identityId>/ with its content type, and returns it intact", async () => {
    const token = f.tokenFor("alice");
    const put = await f.call(ROUTES.put, { token, key: "docs/report.txt", body: "hello, world", headers: { "content-type": "text/plain; charset=utf-8" } });
    expect(put.statusCode).toBe(200);
    expect(json(put)).toMatchObject({ key: "docs/report.txt", size: 12, contentType: "text/plain; charset=utf-8" });

    const folder = `private/${f.cognito.identityIdFor("alice")}/`;
    expect([...f.s3.objects.keys()]).toEqual([`${folder}docs/report.txt`]);

    const get = await f.call(ROUTES.get, { token, key: "docs/report.txt" });
    expect(get.statusCode).toBe(200);
    expect(get.headers?.["content-type"]).toBe("text/plain; charset=utf-8");
    expect(get.isBase64Encoded).toBe(true);
    expect(Buffer.from(get.body!, "base64").toString("utf8")).toBe("hello, world");
  });

  it("round-trips binary bodies sent base64-encoded, byte for byte", async () => {
    const token = f.tokenFor("alice");
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const put = await f.call(ROUTES.put, { token, key: "bin/all-bytes", body: bytes.toString("base64"), isBase64Encoded: true, headers: { "content-type": "application/octet-stream" } });
    expect(json(put).size).toBe(256);
    const get = await f.call(ROUTES.get, { token, key: "bin/all-bytes" });
    expect(Buffer.from(get.body!, "base64").equals(bytes)).toBe(true);
  });

  it("lists only the caller's own files, relative to their folder, page by page", async () => {
    const alice = f.tokenFor("alice");
    for (const key of ["a.txt", "b.txt", "c/d.txt"]) await f.call(ROUTES.put, { token: alice, key, body: key });
    await f.call(ROUTES.put, { token: f.tokenFor("bob"), key: "bobs.txt", body: "bob" });

    const first = await f.call(ROUTES.list, { token: alice, query: { limit: "2" } });
    expect(first.statusCode).toBe(200);
    const page1 = json(first) as { items: { key: string; size: number }[]; nextContinuationToken: string | null };
    expect(page1.items.map((i) => i.key)).toEqual(["a.txt", "b.txt"]);
    expect(page1.nextContinuationToken).toEqual(expect.any(String));

    const second = await f.call(ROUTES.list, { token: alice, query: { limit: "2", continuationToken: page1.nextContinuationToken! } });
    const page2 = json(second) as typeof page1;
    expect(page2.items.map((i) => i.key)).toEqual(["c/d.txt"]);
    expect(page2.items[0]!.size).toBe("c/d.txt".length);
    expect(page2.nextContinuationToken).toBeNull();
  });

  it("deletes the object, after which GET answers 404 with a JSON error", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.put, { token, key: "tmp.txt", body: "x" });
    const del = await f.call(ROUTES.delete, { token, key: "tmp.txt" });
    expect(del.statusCode).toBe(200);
    expect(f.s3.objects.size).toBe(0);
    const get = await f.call(ROUTES.get, { token, key: "tmp.txt" });
    expect(get.statusCode).toBe(404);
    expect(json(get)).toMatchObject({ error: "not_found" });
  });
});

describe("users are kept apart by the credentials they act with", () => {
  it("the same key names different objects for different users", async () => {
    await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "notes.txt", body: "alice's" });
    await f.call(ROUTES.put, { token: f.tokenFor("bob"), key: "notes.txt", body: "bob's" });
    const asBob = await f.call(ROUTES.get, { token: f.tokenFor("bob"), key: "notes.txt" });
    expect(Buffer.from(asBob.body!, "base64").toString()).toBe("bob's");
    expect(f.s3.objects.size).toBe(2);
  });

  it("every S3 request carries the caller's own identity's credentials", async () => {
    await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "x", body: "1" });
    await f.call(ROUTES.list, { token: f.tokenFor("bob") });
    await f.call(ROUTES.get, { token: f.tokenFor("alice"), key: "x" });
    expect(f.s3.callers).toEqual([f.cognito.identityIdFor("alice"), f.cognito.identityIdFor("bob"), f.cognito.identityIdFor("alice")]);
  });

  it("another user's file is not found in the caller's folder (the key never leaves it)", async () => {
    await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "secret.txt", body: "alice only" });
    const get = await f.call(ROUTES.get, { token: f.tokenFor("bob"), key: "secret.txt" });
    expect(get.statusCode).toBe(404);
    // Control: the same request by the owner finds it.
    expect((await f.call(ROUTES.get, { token: f.tokenFor("alice"), key: "secret.txt" })).statusCode).toBe(200);
  });
});

describe("AWS calls", () => {
  it("a cold request makes GetId, GetCredentialsForIdentity and the S3 call; a warm one only the S3 call", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.put, { token, key: "k", body: "v" });
    expect(f.cognito.calls).toEqual({ GetId: 1, GetCredentialsForIdentity: 1 });
    expect(f.awsCalls()).toBe(3);

    for (const [route, key] of [[ROUTES.get, "k"], [ROUTES.list, undefined], [ROUTES.put, "k"], [ROUTES.delete, "k"]] as const) {
      const before = f.awsCalls();
      const result = await f.call(route, { token, key, ...(route === ROUTES.put ? { body: "v2" } : {}) });
      expect(result.statusCode).toBe(200);
      expect(f.awsCalls() - before).toBe(1);
    }
  });

  it("a new token of the same user (after a refresh) asks the identity pool for credentials again; the identity id stays cached", async () => {
    await f.call(ROUTES.list, { token: f.tokenFor("alice") });
    const before = f.awsCalls();
    await f.call(ROUTES.list, { token: f.tokenFor("alice") });
    expect(f.awsCalls() - before).toBe(2);
    expect(f.cognito.calls).toEqual({ GetId: 1, GetCredentialsForIdentity: 2 });
  });

  it("a token with other group claims gets credentials of its own (not the old role's)", async () => {
    await f.call(ROUTES.list, { token: f.tokenFor("alice", "user") });
    await f.call(ROUTES.list, { token: f.tokenFor("alice", "admin") });
    const roles = [...f.cognito.issued.values()].map((c) => c.roleArn);
    expect(roles).toEqual([expect.stringContaining("user-role"), expect.stringContaining("admin-role")]);
    // The identity id is the user's, whatever the role: GetId ran once.
    expect(f.cognito.calls.GetId).toBe(1);
  });

  it("reuses one token's credentials for at most credentialsCacheSeconds (300 s here), then asks again", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token });
    f.clock.advance(299_000);
    await f.call(ROUTES.list, { token });
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(1);
    f.clock.advance(1000);
    const result = await f.call(ROUTES.list, { token });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(2);
  });

  it("a user who signed out loses access within the bound: served from the cache until then, 401 after", async () => {
    const token = f.tokenFor("dave");
    expect((await f.call(ROUTES.list, { token })).statusCode).toBe(200);
    f.cognito.signedOut.add("dave"); // the identity pool's server-side token check now refuses the token
    f.clock.advance(299_000);
    expect((await f.call(ROUTES.list, { token })).statusCode).toBe(200);
    f.clock.advance(1000);
    const refused = await f.call(ROUTES.list, { token });
    expect(refused.statusCode).toBe(401);
    expect(json(refused)).toMatchObject({ error: "token_rejected" });
  });
});

describe("large objects", () => {
  it("GET of an object larger than the inline limit answers 413 naming the limit, without returning it", async () => {
    const g = await createFilesApiFixture({ maxInlineBytes: 1024 });
    try {
      const token = g.tokenFor("alice");
      g.s3.seed(`private/${g.cognito.identityIdFor("alice")}/big.bin`, Buffer.alloc(1025, 7));
      const result = await g.call(ROUTES.get, { token, key: "big.bin" });
      expect(result.statusCode).toBe(413);
      expect(JSON.parse(result.body!)).toMatchObject({ error: "object_too_large_to_return", size: 1025, limit: 1024 });
    } finally {
      await g.close();
    }
  });
});

describe("the request log", () => {
  it("writes exactly one JSON line per request with request id, route, status and latency", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.put, { token, key: "a", body: "1" });
    await f.call(ROUTES.get, { token, key: "missing" });
    expect(f.logs).toHaveLength(2);
    const [ok, notFound] = f.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ok).toMatchObject({ route: ROUTES.put, status: 200, requestId: expect.stringMatching(/^req-/), identityId: f.cognito.identityIdFor("alice") });
    expect(ok!.latencyMs).toEqual(expect.any(Number));
    expect(notFound).toMatchObject({ route: ROUTES.get, status: 404, error: "not_found", cause: "NoSuchKey", level: "WARN" });
  });
});

describe("unexpected failures", () => {
  it("answer a bare JSON 500 with the request id; the log keeps the error's name and frames, never its message", async () => {
    const logs: string[] = [];
    const deps = productionDeps(f.env, { jwksFetcher: f.jwks.fetcher, log: (line) => logs.push(line) });
    const handler = createHandler({
      ...deps,
      verifyIdToken: async () => {
        throw new TypeError("cannot read 'x' of undefined while holding s3cr3t-value");
      },
    });
    const result = await handler(f.event(ROUTES.list, { token: f.tokenFor("alice") }));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body!)).toEqual({ error: "internal_error", message: expect.any(String), requestId: expect.stringMatching(/^req-/) });
    expect(result.body).not.toMatch(/s3cr3t|TypeError|\.ts:/);
    const entry = JSON.parse(logs[0]!) as { cause: string; frames: string[]; level: string };
    expect(entry).toMatchObject({ level: "ERROR", status: 500, error: "internal_error", cause: "TypeError" });
    expect(entry.frames.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain("s3cr3t");
  });
});
