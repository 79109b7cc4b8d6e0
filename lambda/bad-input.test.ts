/**
 * The bad-input corpus: every case must get its 4xx as JSON with a stable error code, none a 5xx
 * or a stack trace. Across the whole corpus (and successful calls too) no token, token part or
 * issued credential may appear in anything the function logged or printed.
 */
import { createHmac, createPrivateKey } from "node:crypto";
import fc from "fast-check";
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type EventOptions, type FilesApiFixture } from "../stand-ins/files-api-fixture";
import { createTestUserPool, encodeJwt } from "../stand-ins/test-user-pool";
import { TEST_ONLY_STRANGER_KEY_PEM } from "../stand-ins/test-only-rsa-keys";

let f: FilesApiFixture;
const printed: string[] = [];
const secrets = new Set<string>();

beforeAll(async () => {
  f = await createFilesApiFixture({ maxUploadBytes: 1024 });
  // Everything written to stdout, stderr or the console, not only to the injected log sink.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
  }
});
afterAll(async () => {
  jest.restoreAllMocks();
  await f.close();
});

/** Remembers a token so the redaction check can look for any piece of it. */
function secret(token: string): string {
  secrets.add(token);
  return token;
}

/** Secrets of which some 20-character piece appears in `output` (so prefixes and parts count too). */
function leaked(output: string, candidates: Iterable<string>, piece = 20): string[] {
  const seen = new Set<string>();
  for (let i = 0; i + piece <= output.length; i++) seen.add(output.slice(i, i + piece));
  return [...candidates].filter((s) => {
    for (let i = 0; i + piece <= s.length; i++) if (seen.has(s.slice(i, i + piece))) return true;
    return false;
  });
}

async function expect4xx(route: string, options: EventOptions, status: number, error: string) {
  const result = await f.call(route, options);
  expect({ route, status: result.statusCode }).toEqual({ route, status });
  expect(result.headers?.["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(result.body!) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.message).toBe("string");
  expect(result.body).not.toMatch(/\bat .+\.(ts|js):\d+|Error:/);
  return Object.assign(body, { headers: result.headers ?? {} });
}

describe("tokens", () => {
  const valid = () => secret(f.tokenFor("alice"));
  // Not the pool's key (the fixture's pool signs with TEST_ONLY_POOL_KEY_PEM).
  const otherKey = createPrivateKey(TEST_ONLY_STRANGER_KEY_PEM);
  const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

  const cases: Array<[string, () => EventOptions, string]> = [
    ["no token at all", () => ({}), "missing_token"],
    ["an empty Bearer", () => ({ headers: { authorization: "Bearer " } }), "malformed_authorization"],
    ["another scheme", () => ({ headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } }), "malformed_authorization"],
    ["not a JWT", () => ({ token: "definitely-not-a-jwt" }), "invalid_token"],
    ["two segments", () => ({ token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0" }), "invalid_token"],
    ["garbage segments", () => ({ token: "a.b.c" }), "invalid_token"],
    ["alg none, no signature", () => ({ token: secret(encodeJwt({ alg: "none", kid: f.pool.kid }, payloadOf(valid()), null)) }), "invalid_token"],
    ["HS256 keyed with the public key (algorithm confusion)", () => {
      const token = valid();
      const [h, p] = token.split(".");
      const header = Buffer.from(JSON.stringify({ alg: "HS256", kid: f.pool.kid })).toString("base64url");
      const mac = createHmac("sha256", f.pool.publicKey.export({ format: "pem", type: "spki" })).update(`${header}.${p}`).digest("base64url");
      void h;
      return { token: secret(`${header}.${p}.${mac}`) };
    }, "invalid_token"],
    ["forged signature (another key, our kid)", () => ({ token: secret(encodeJwt({ alg: "RS256", kid: f.pool.kid }, payloadOf(valid()), otherKey)) }), "invalid_token"],
    ["payload changed after signing", () => {
      const [h, , s] = valid().split(".");
      const p = Buffer.from(JSON.stringify({ ...payloadOf(valid()), sub: "mallory" })).toString("base64url");
      return { token: secret(`${h}.${p}.${s}`) };
    }, "invalid_token"],
    ["an unknown kid", () => ({ token: secret(f.pool.idToken({ sub: "alice", header: { kid: "not-a-known-kid" } })) }), "invalid_token"],
    ["expired", () => ({ token: secret(f.tokenFor("alice", "user", { expiresInSeconds: -60 })) }), "token_expired"],
    ["not yet valid (nbf)", () => ({ token: secret(f.tokenFor("alice", "user", { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })) }), "token_not_yet_valid"],
    ["another app client's token", () => ({ token: secret(f.tokenFor("alice", "user", { claims: { aud: "someotherclient123" } })) }), "wrong_audience"],
    ["an access token instead of an IdToken", () => ({ token: secret(f.pool.accessToken({ sub: "alice", groups: ["user"] })) }), "wrong_token_use"],
    ["another pool's token, signed with its own key", () => {
      const other = createTestUserPool({ region: "ap-northeast-1", poolSuffix: "OtherPool9", clientId: f.pool.clientId, signingKeyPem: TEST_ONLY_STRANGER_KEY_PEM });
      return { token: secret(other.idToken({ sub: "alice", groups: ["user"] })) };
    }, "invalid_token"],
    // aws-jwt-verify picks its configuration by `iss`: an unknown issuer fails before the signature is looked at.
    ["another pool's issuer, signed with this pool's key", () => ({ token: secret(f.tokenFor("alice", "user", { claims: { iss: "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_OtherPool9" } })) }), "invalid_token"],
    ["a token far too long to be an IdToken", () => ({ token: secret(`${valid()}${"A".repeat(20_000)}`) }), "malformed_token"],
    ["idToken header disagreeing with Authorization", () => ({ token: valid(), headers: { idtoken: secret(f.tokenFor("bob")) } }), "conflicting_tokens"],
  ];

  it.each(cases)("%s → 401", async (_name, options, error) => {
    for (const route of [ROUTES.list, ROUTES.get, ROUTES.put, ROUTES.delete]) {
      const answer = await expect4xx(route, { key: "a.txt", body: "x", ...options() }, 401, error);
      expect(answer.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });

  it("an IdToken without a role mapping is refused by the identity pool: 403, not 5xx", async () => {
    await expect4xx(ROUTES.list, { token: secret(f.tokenFor("carol", null)) }, 403, "no_role");
  });

  it("any Authorization header that is not a valid token gets a 401", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (value) => {
        const result = await f.call(ROUTES.list, { headers: { authorization: value } });
        expect(result.statusCode).toBe(401);
      }),
      { numRuns: 150 },
    );
  });
});

describe("object keys", () => {
  const cases: Array<[string, string]> = [
    ["a '..' segment", "../escape.txt"],
    ["a '..' segment in the middle", "a/../../b"],
    ["a '.' segment", "./a"],
    ["a '.' segment in the middle", "a/./b"],
    ["a leading '/'", "/etc/passwd"],
    ["an empty segment", "a//b"],
    ["a trailing '/'", "folder/"],
    ["a NUL", "a\u0000b"],
    ["a newline", "a\nb"],
    ["DEL", "a\u007fb"],
    ["a C1 control", "a\u0085b"],
    ["double-encoded dots", "%2e%2e/escape"],
    ["a double-encoded slash", "a%2Fb"],
    ["a double-encoded percent", "a%252Fb"],
    ["a backslash (a separator to URL parsers)", "..\\escape"],
    ["a double-encoded backslash", "a%5cb"],
    ["a double-encoded control character", "a%0Ab"],
    ["1025 ASCII bytes", "k".repeat(1025)],
    ["1026 UTF-8 bytes in 513 characters", "é".repeat(513)],
    ["a lone surrogate", "a\ud800b"],
    ["an empty key", ""],
  ];

  it.each(cases)("%s → 400 naming the problem, on GET, PUT and DELETE", async (_name, key) => {
    const token = secret(f.tokenFor("alice"));
    for (const route of [ROUTES.get, ROUTES.put, ROUTES.delete]) {
      const body = await expect4xx(route, { token, key, body: "x" }, 400, "invalid_key");
      expect(body.problems).toEqual(expect.arrayContaining([expect.any(String)]));
    }
  });

  it("a key that fits alone but not inside the caller's folder → 400", async () => {
    const body = await expect4xx(ROUTES.put, { token: secret(f.tokenFor("alice")), key: "k".repeat(1000), body: "x" }, 400, "invalid_key");
    expect(String(body.message)).toMatch(/folder/);
  });

  it("no key whatever answers 5xx", async () => {
    const token = secret(f.tokenFor("alice"));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom(ROUTES.get, ROUTES.put, ROUTES.delete), async (key, route) => {
        const result = await f.call(route, { token, key, body: "x" });
        expect(result.statusCode).toBeLessThan(500);
      }),
      { numRuns: 120 },
    );
  });
});

describe("list parameters", () => {
  it.each([["0"], ["1001"], ["ten"], ["-1"], ["1.5"], [""]])("limit=%j → 400", async (limit) => {
    await expect4xx(ROUTES.list, { token: secret(f.tokenFor("alice")), query: { limit } }, 400, "invalid_limit");
  });

  it.each([["has spaces"], ["<script>"], ["x".repeat(5000)]])("a malformed continuationToken → 400", async (continuationToken) => {
    await expect4xx(ROUTES.list, { token: secret(f.tokenFor("alice")), query: { continuationToken } }, 400, "invalid_continuation_token");
  });

  it("a well-formed continuationToken S3 does not recognise → 400", async () => {
    await expect4xx(ROUTES.list, { token: secret(f.tokenFor("alice")), query: { continuationToken: "bm90LWEtdG9rZW4=" } }, 400, "invalid_request");
  });
});

describe("upload bodies", () => {
  it("a text body over the limit → 413 naming the limit", async () => {
    const body = await expect4xx(ROUTES.put, { token: secret(f.tokenFor("alice")), key: "big.txt", body: "x".repeat(1025) }, 413, "body_too_large");
    expect(body.limit).toBe(1024);
  });

  it("multi-byte text whose UTF-8 size is over the limit → 413", async () => {
    await expect4xx(ROUTES.put, { token: secret(f.tokenFor("alice")), key: "big.txt", body: "é".repeat(600) }, 413, "body_too_large");
  });

  it("a base64 body whose decoded size is over the limit → 413; exactly the limit is accepted", async () => {
    const token = secret(f.tokenFor("alice"));
    await expect4xx(ROUTES.put, { token, key: "big.bin", body: Buffer.alloc(1025).toString("base64"), isBase64Encoded: true }, 413, "body_too_large");
    const ok = await f.call(ROUTES.put, { token, key: "ok.bin", body: Buffer.alloc(1024).toString("base64"), isBase64Encoded: true });
    expect(ok.statusCode).toBe(200);
  });

  it("a body marked base64 that is not → 400", async () => {
    await expect4xx(ROUTES.put, { token: secret(f.tokenFor("alice")), key: "a", body: "not base64!!", isBase64Encoded: true }, 400, "invalid_body_encoding");
  });

  it.each([["text"], ["text/plain\r\nx-injected: 1"], ["a/b; =c"], ["x".repeat(300) + "/y"]])("Content-Type %j → 400", async (contentType) => {
    await expect4xx(ROUTES.put, { token: secret(f.tokenFor("alice")), key: "a", body: "x", headers: { "content-type": contentType } }, 400, "invalid_content_type");
  });
});

it("an unknown route → 404 JSON", async () => {
  await expect4xx("POST /files", { token: secret(f.tokenFor("alice")) }, 404, "route_not_found");
});

describe("nothing secret reaches the logs", () => {
  it("the leak check finds a logged prefix of a secret (it can fail)", () => {
    const token = f.tokenFor("probe");
    expect(leaked(`rejected ${token.slice(0, 30)}…`, [token])).toEqual([token]);
    expect(leaked("nothing to see", [token])).toEqual([]);
  });

  it("after the whole corpus and successful calls, no token, token part or credential appears in any output", async () => {
    const token = secret(f.tokenFor("alice"));
    await f.call(ROUTES.put, { token, key: "ok.txt", body: "fine" });
    await f.call(ROUTES.get, { token, key: "ok.txt" });
    await f.call(ROUTES.list, { token, headers: { idtoken: token } });
    for (const credentials of f.cognito.issued.values()) {
      secrets.add(credentials.accessKeyId);
      secrets.add(credentials.secretAccessKey);
      secrets.add(credentials.sessionToken);
    }
    expect(f.cognito.issued.size).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(30);
    expect(f.logs.length).toBeGreaterThan(100);

    expect(leaked([...f.logs, ...printed].join("\n"), secrets)).toEqual([]);
  });

  it("every log line is one JSON object with request id, route, status and latency", () => {
    for (const line of f.logs) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toEqual(expect.objectContaining({ requestId: expect.any(String), route: expect.any(String), status: expect.any(Number), latencyMs: expect.any(Number) }));
    }
  });
});
