/**
 * The credentials cache against the Cognito Identity stand-in behind the real client.
 */
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import { Deadline } from "./deadline";
import type { VerifiedIdToken } from "./id-token";
import { IdentitySessions, cognitoError } from "./identity-credentials";
import type { RetryPolicy } from "../aws-retry/retry";
import { CognitoIdentityStandIn, cognitoErrors } from "../stand-ins/cognito-identity-stand-in";
import { createTestUserPool } from "../stand-ins/test-user-pool";

const pool = createTestUserPool({ region: "ap-northeast-1" });
const IDENTITY_POOL_ID = "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b";
const ROLE = "arn:aws:iam::123456789012:role/user";
const NO_RETRIES: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined, random: () => 0 };

let now = 1_700_000_000_000;
let cognito: CognitoIdentityStandIn;
let destroyed: number;

function caller(sub: string, groups = ["user"], preferredRole: string | null = ROLE): VerifiedIdToken {
  return {
    token: pool.idToken({ sub, groups, ...(preferredRole ? { preferredRole, roles: [preferredRole] } : {}) }),
    sub,
    roleClaims: { groups, preferredRole, roles: preferredRole ? [preferredRole] : [] },
    expiresAtMs: now + 3_600_000,
  };
}

const deadline = () => Deadline.after(5000);

function sessions(options: { maxEntries?: number; lifetimeMs?: number; maxReuseMs?: number } = {}) {
  cognito.restore();
  cognito = new CognitoIdentityStandIn({ identityPoolId: IDENTITY_POOL_ID, pool, now: () => now, credentialLifetimeMs: options.lifetimeMs ?? 3_600_000 }).install();
  return new IdentitySessions({
    cognito: new CognitoIdentityClient({ region: "ap-northeast-1", maxAttempts: 1 }),
    identityPoolId: IDENTITY_POOL_ID,
    providerName: pool.providerName,
    createS3Client: (credentials) => {
      const client = new S3Client({ region: "ap-northeast-1", credentials, maxAttempts: 1 });
      const destroy = client.destroy.bind(client);
      client.destroy = () => {
        destroyed++;
        destroy();
      };
      return client;
    },
    retry: NO_RETRIES,
    now: () => now,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
    ...(options.maxReuseMs !== undefined ? { maxReuseMs: options.maxReuseMs } : {}),
  });
}

beforeEach(() => {
  destroyed = 0;
  cognito = new CognitoIdentityStandIn({ identityPoolId: IDENTITY_POOL_ID, pool, now: () => now }).install();
});
afterEach(() => cognito.restore());

it("hands out the identity's credentials, signing with exactly what Cognito issued", async () => {
  const s = sessions();
  const session = await s.sessionFor(caller("alice"), deadline());
  expect(session.identityId).toBe(cognito.identityIdFor("alice"));
  const credentials = await session.s3.config.credentials();
  const issued = cognito.issued.get(credentials.accessKeyId)!;
  expect(issued).toMatchObject({ identityId: session.identityId, roleArn: ROLE, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken });
});

describe("how long credentials are reused (the revocation bound)", () => {
  it("reuses one session, S3 client included, for the same token up to the bound, then asks the identity pool again", async () => {
    const s = sessions({ maxReuseMs: 5 * 60_000 });
    const alice = caller("alice");
    const first = await s.sessionFor(alice, deadline());
    now += 4 * 60_000 + 59_000;
    expect(await s.sessionFor(alice, deadline())).toBe(first);
    now += 1000; // exactly 5 minutes after issue
    const second = await s.sessionFor(alice, deadline());
    expect(second).not.toBe(first);
    expect(second.identityId).toBe(first.identityId);
    expect(cognito.calls).toEqual({ GetId: 1, GetCredentialsForIdentity: 2 });
    expect(destroyed).toBe(1); // the old client is released
  });

  it("a signed-out user's token stops working at the next identity-pool call, so within the bound", async () => {
    const s = sessions({ maxReuseMs: 5 * 60_000 });
    const alice = caller("alice");
    await s.sessionFor(alice, deadline());
    cognito.signedOut.add("alice");
    now += 4 * 60_000;
    await expect(s.sessionFor(alice, deadline())).resolves.toBeDefined(); // still inside the bound
    now += 60_000;
    await expect(s.sessionFor(alice, deadline())).rejects.toMatchObject({ status: 401, code: "token_rejected" });
  });

  it("never reuses credentials past the token's own expiry", async () => {
    const s = sessions({ maxReuseMs: 60 * 60_000 });
    const alice = { ...caller("alice"), expiresAtMs: now + 2 * 60_000 };
    const first = await s.sessionFor(alice, deadline());
    now += 119_000;
    expect(await s.sessionFor(alice, deadline())).toBe(first);
    now += 1000;
    expect(await s.sessionFor(alice, deadline())).not.toBe(first);
  });

  it("stops five minutes before the credentials expire when the bound is longer", async () => {
    const s = sessions({ maxReuseMs: 60 * 60_000 });
    const alice = caller("alice");
    const first = await s.sessionFor(alice, deadline());
    now += 54 * 60_000;
    expect(await s.sessionFor(alice, deadline())).toBe(first);
    now += 2 * 60_000;
    expect(await s.sessionFor(alice, deadline())).not.toBe(first);
  });

  it("uses short-lived credentials for half their life rather than refreshing on every request", async () => {
    const s = sessions({ lifetimeMs: 4 * 60_000, maxReuseMs: 60 * 60_000 });
    const alice = caller("alice");
    const first = await s.sessionFor(alice, deadline());
    now += 60_000;
    expect(await s.sessionFor(alice, deadline())).toBe(first);
    now += 61_000;
    expect(await s.sessionFor(alice, deadline())).not.toBe(first);
  });

  it("with a bound of 0 asks the identity pool on every request, and releases each client after use", async () => {
    const s = sessions({ maxReuseMs: 0 });
    const alice = caller("alice");
    for (let i = 0; i < 3; i++) await s.withSession(alice, deadline(), async () => "done");
    expect(cognito.calls.GetCredentialsForIdentity).toBe(3);
    expect(destroyed).toBe(3);
  });
});

it("keys sessions by token: another token (a refresh, other groups, another role) never shares one", async () => {
  const alice = caller("alice");
  const keys = new Set([
    IdentitySessions.cacheKey(alice),
    IdentitySessions.cacheKey(caller("alice")),
    IdentitySessions.cacheKey(caller("alice", ["user", "admin"])),
    IdentitySessions.cacheKey(caller("alice", ["user"], "arn:aws:iam::123456789012:role/admin")),
    IdentitySessions.cacheKey(caller("bob")),
  ]);
  expect(keys.size).toBe(5);
  expect(IdentitySessions.cacheKey(alice)).toBe(IdentitySessions.cacheKey({ ...alice }));
  // The key is a digest: the cache holds no bearer token.
  expect(IdentitySessions.cacheKey(alice)).not.toContain(alice.token.slice(0, 20));
});

it("keeps at most maxEntries sessions and releases the S3 client of each one dropped", async () => {
  const s = sessions({ maxEntries: 2 });
  const [alice, bob, carol] = [caller("alice"), caller("bob"), caller("carol")];
  const first = await s.sessionFor(alice, deadline());
  await s.sessionFor(bob, deadline());
  await s.sessionFor(carol, deadline());
  expect(destroyed).toBe(1);
  expect(await s.sessionFor(alice, deadline())).not.toBe(first); // alice was the least recently used
});

describe("cognitoError", () => {
  it("maps the role-mapping denial to 403 and any other NotAuthorizedException to 401", () => {
    expect(cognitoError(cognitoErrors.notAuthorized(`The ambiguous role mapping rules for: ${pool.providerName} denied this request.`))).toMatchObject({ status: 403, code: "no_role" });
    expect(cognitoError(cognitoErrors.notAuthorized("Invalid login token. Token expired: 1700000000 >= 1699999999"))).toMatchObject({ status: 401, code: "token_rejected" });
  });

  it("answers quotas and conflicts of the identity service with 503, not 500", () => {
    const limit = Object.assign(new Error("Too many identities"), { name: "LimitExceededException", $metadata: { httpStatusCode: 400 } });
    expect(cognitoError(limit)).toMatchObject({ status: 503, code: "identity_service_limit", headers: { "retry-after": "1" } });
  });

  it("rethrows what it does not recognise (a 500 at the top, with no details)", () => {
    const bug = new TypeError("x");
    expect(() => cognitoError(bug)).toThrow(bug);
  });
});
