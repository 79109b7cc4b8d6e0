/**
 * A user pool for tests: an RS256 key pair (a committed test-only key, test-only-rsa-keys.ts), its
 * JWKS, and tokens signed with it in Cognito's claim layout. Nothing here verifies: the code under test does that, against this
 * JWKS, exactly as it would against Cognito's.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from "node:crypto";
import { TEST_ONLY_POOL_KEY_PEM } from "./test-only-rsa-keys";

export interface TokenOptions {
  sub: string;
  groups?: string[];
  /** `cognito:preferred_role`; Cognito sets it from the lowest-precedence group with a role. */
  preferredRole?: string;
  roles?: string[];
  /** Seconds from now until `exp` (negative: already expired). @default 3600 */
  expiresInSeconds?: number;
  /** Overrides, e.g. another `aud` or `iss`. */
  claims?: Record<string, unknown>;
  /** Header overrides, e.g. another `kid` or `alg`. */
  header?: Record<string, unknown>;
}

export interface TestUserPool {
  region: string;
  userPoolId: string;
  clientId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  issuer: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  providerName: string;
  jwksUri: string;
  jwks: { keys: Record<string, unknown>[] };
  publicKey: KeyObject;
  kid: string;
  idToken(options: TokenOptions): string;
  accessToken(options: TokenOptions): string;
  /** Signs any header and payload with this pool's key. */
  signJwt(header: Record<string, unknown>, payload: Record<string, unknown>): string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export function encodeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject | null): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = privateKey ? sign("sha256", Buffer.from(signingInput), privateKey) : Buffer.alloc(0);
  return `${signingInput}.${b64url(signature)}`;
}

/** A pool in `region` signing with a 2048-bit RSA key: TEST_ONLY_POOL_KEY_PEM unless `signingKeyPem` names another. */
export function createTestUserPool(options: { region: string; poolSuffix?: string; clientId?: string; signingKeyPem?: string }): TestUserPool {
  const { region } = options;
  const userPoolId = `${region}_${options.poolSuffix ?? "TestPool1"}`;
  const clientId = options.clientId ?? "testclient0123456789abcdef";
  const providerName = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const issuer = `https://${providerName}`;
  const privateKey = createPrivateKey(options.signingKeyPem ?? TEST_ONLY_POOL_KEY_PEM);
  const publicKey = createPublicKey(privateKey);
  const kid = createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest("base64url").slice(0, 24);
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const now = () => Math.floor(Date.now() / 1000);

  const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>) => encodeJwt(header, payload, privateKey);
  const common = (o: TokenOptions) => {
    const iat = now();
    return {
      sub: o.sub,
      iss: issuer,
      iat,
      auth_time: iat,
      exp: iat + (o.expiresInSeconds ?? 3600),
      jti: randomUUID(),
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      ...(o.groups ? { "cognito:groups": o.groups } : {}),
      ...(o.preferredRole ? { "cognito:preferred_role": o.preferredRole } : {}),
      ...(o.roles ? { "cognito:roles": o.roles } : {}),
    };
  };

  return {
    region,
    userPoolId,
    clientId,
    issuer,
    providerName,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks: { keys: [jwk] },
    publicKey,
    kid,
    signJwt,
    idToken: (o) =>
      signJwt(
        { kid, alg: "RS256", ...o.header },
        { ...common(o), aud: clientId, token_use: "id", "cognito:username": o.sub, email: `${o.sub}@example.com`, email_verified: true, ...o.claims },
      ),
    accessToken: (o) =>
      signJwt({ kid, alg: "RS256", ...o.header }, { ...common(o), client_id: clientId, token_use: "access", scope: "openid email", username: o.sub, ...o.claims }),
  };
}
