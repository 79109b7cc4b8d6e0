/**
 * Verification with real RS256 tokens against a JWKS served on loopback: no verifier is mocked.
 */
import { createIdTokenVerifier, idTokenFromHeaders, type IdTokenVerifier } from "./id-token";
import { HttpError } from "./http-errors";
import { serveJwks, type LoopbackJwks } from "../stand-ins/jwks-server";
import { createTestUserPool, type TestUserPool } from "../stand-ins/test-user-pool";

let pool: TestUserPool;
let jwks: LoopbackJwks;
let verify: IdTokenVerifier;

beforeAll(async () => {
  pool = createTestUserPool({ region: "ap-northeast-1" });
  jwks = await serveJwks([pool]);
});
beforeEach(() => {
  verify = createIdTokenVerifier({ userPoolId: pool.userPoolId, clientId: pool.clientId }, jwks.jwksCache);
});
afterAll(() => jwks.close());

const failure = async (token: string) => {
  const error = await verify(token).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
};

describe("idTokenFromHeaders", () => {
  it("takes the token from 'Authorization: Bearer', in any case of header name and scheme", () => {
    expect(idTokenFromHeaders({ authorization: "Bearer abc.def.ghi" })).toBe("abc.def.ghi");
    expect(idTokenFromHeaders({ Authorization: "bearer abc.def.ghi" })).toBe("abc.def.ghi");
  });

  it("takes the token from the original web app's idToken header when there is no Authorization", () => {
    expect(idTokenFromHeaders({ idtoken: "abc.def.ghi" })).toBe("abc.def.ghi");
  });

  it("accepts both headers when they carry the same token", () => {
    expect(idTokenFromHeaders({ authorization: "Bearer abc.def.ghi", idtoken: "abc.def.ghi" })).toBe("abc.def.ghi");
  });

  it.each([
    [{}, "missing_token"],
    [{ authorization: "Token abc" }, "malformed_authorization"],
    [{ authorization: "Bearer a b" }, "malformed_authorization"],
    [{ authorization: "Bearer a.b.c", idtoken: "x.y.z" }, "conflicting_tokens"],
  ])("%j → 401 %s", (headers, code) => {
    let error: unknown;
    try {
      idTokenFromHeaders(headers as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 401, code });
  });
});

describe("createIdTokenVerifier", () => {
  it("accepts this pool's IdToken for this client and returns the claims role mapping reads", async () => {
    const role = "arn:aws:iam::123456789012:role/user";
    const verified = await verify(pool.idToken({ sub: "alice-sub", groups: ["user"], preferredRole: role, roles: [role] }));
    expect(verified).toMatchObject({ sub: "alice-sub", roleClaims: { groups: ["user"], preferredRole: role, roles: [role] } });
    expect(verified.expiresAtMs).toBeGreaterThan(Date.now());
  });

  it("fetches the JWKS once from the pool's well-known URL, then verifies from cache", async () => {
    const before = jwks.requests.length;
    await verify(pool.idToken({ sub: "a" }));
    await verify(pool.idToken({ sub: "b" }));
    expect(jwks.requests.slice(before).every((path) => path === `/${pool.userPoolId}/.well-known/jwks.json`)).toBe(true);
    expect(jwks.requests.length - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ["expired", () => pool.idToken({ sub: "a", expiresInSeconds: -1 }), "token_expired"],
    ["issued to another client", () => pool.idToken({ sub: "a", claims: { aud: "anotherclient" } }), "wrong_audience"],
    ["an access token", () => pool.accessToken({ sub: "a" }), "wrong_token_use"],
    ["without token_use", () => pool.idToken({ sub: "a", claims: { token_use: undefined } }), "wrong_token_use"],
  ])("refuses a token %s with 401 %s", async (_name, make, code) => {
    expect(await failure(make())).toMatchObject({ status: 401, code });
  });

  it.each([
    ["answers 503", "503"],
    ["answers 200 with an HTML error page", "html"],
    ["never answers (timeout)", "silent"],
    ["makes the fetcher throw", "throw"],
  ] as const)("answers 503, not 401 or 500, when the key endpoint %s", async (_name, answer) => {
    const cold = await serveJwks([pool]);
    cold.answer = answer;
    try {
      const coldVerify = createIdTokenVerifier({ userPoolId: pool.userPoolId, clientId: pool.clientId }, cold.jwksCache);
      const error = await coldVerify(pool.idToken({ sub: "a" })).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ status: 503, code: "signing_keys_unavailable", headers: { "retry-after": "1" } });
      // Control: the same token verifies once the endpoint answers with the keys.
      cold.answer = "keys";
      await expect(coldVerify(pool.idToken({ sub: "a" }))).resolves.toMatchObject({ sub: "a" });
    } finally {
      await cold.close();
    }
  });
});
