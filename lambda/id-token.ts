/**
 * The caller's Cognito IdToken: taken from the request and verified here even though the API's
 * JWT authorizer already checked it, because the function must not trust whatever invokes it and
 * the authorizer does not check `token_use` (it would accept an access token for the same client).
 */
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { FetchError, JwtBaseError, JwtExpiredError, JwtInvalidIssuerError, JwtNotBeforeError, CognitoJwtInvalidClientIdError, CognitoJwtInvalidTokenUseError } from "aws-jwt-verify/error";
import type { JwksCache } from "aws-jwt-verify/jwk";
import { HttpError, serviceBusy, unauthorized } from "./http-errors";
import { SigningKeysUnavailableError } from "./jwks";

/** A Cognito IdToken is a few KB; anything far larger is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** What the rest of the function may rely on once a token is verified. */
export interface VerifiedIdToken {
  /** The raw token, needed as the identity pool login. Never log it. */
  token: string;
  /** The user pool's subject (not the identity pool's IdentityId). */
  sub: string;
  /** The claims role mapping reads; different values can map to a different role. */
  roleClaims: { groups: string[]; preferredRole: string | null; roles: string[] };
  /** `exp`, in milliseconds since the epoch. */
  expiresAtMs: number;
}

export type IdTokenVerifier = (token: string) => Promise<VerifiedIdToken>;

type Headers = Record<string, string | undefined>;

function header(headers: Headers | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  // API Gateway HTTP APIs lower-case header names; direct invocations might not.
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The IdToken from `Authorization: Bearer <token>`, or from the `idToken` header the original
 * web app sent. When both are present they must be the same token: the authorizer checked the
 * Authorization header, so acting on a different one would bypass it.
 */
export function idTokenFromHeaders(headers: Headers | undefined): string {
  const authorization = header(headers, "authorization");
  const idTokenHeader = header(headers, "idtoken");
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw unauthorized("malformed_authorization", "The Authorization header must be 'Bearer <IdToken>'.");
    bearer = match[1];
  }
  const token = bearer ?? idTokenHeader?.trim();
  if (!token) throw unauthorized("missing_token", "Send the Cognito IdToken as 'Authorization: Bearer <IdToken>'.");
  if (bearer !== undefined && idTokenHeader !== undefined && idTokenHeader.trim() !== bearer) {
    throw unauthorized("conflicting_tokens", "The Authorization and idToken headers carry different tokens.");
  }
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized("malformed_token", "The token is too long to be a Cognito IdToken.");
  return token;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Maps a verification failure to its answer; the library's message never reaches the caller. */
export function tokenError(error: unknown): HttpError {
  const name = error instanceof Error ? error.name : typeof error;
  if (error instanceof JwtExpiredError) return unauthorized("token_expired", "The IdToken has expired; sign in again.", name);
  if (error instanceof JwtNotBeforeError) return unauthorized("token_not_yet_valid", "The IdToken is not valid yet.", name);
  if (error instanceof CognitoJwtInvalidTokenUseError) {
    return unauthorized("wrong_token_use", "This API needs the IdToken (token_use 'id'), not an access token.", name);
  }
  if (error instanceof CognitoJwtInvalidClientIdError) return unauthorized("wrong_audience", "The IdToken was issued to another app client.", name);
  if (error instanceof JwtInvalidIssuerError) return unauthorized("wrong_issuer", "The IdToken was issued by another user pool.", name);
  // Checked before JwtBaseError: the signing keys could not be fetched, which is not the caller's fault.
  if (error instanceof FetchError) {
    const cause = error instanceof SigningKeysUnavailableError ? `${name}(${error.reason})` : name;
    return serviceBusy("signing_keys_unavailable", "The user pool's signing keys could not be fetched; try again.", cause);
  }
  if (error instanceof JwtBaseError) return unauthorized("invalid_token", "The IdToken is malformed or its signature does not verify.", name);
  throw error;
}

/**
 * A verifier for IdTokens of one user pool and app client: RS256 signature against the pool's
 * JWKS (fetched from `<issuer>/.well-known/jwks.json` through `jwksCache`, see jwks.ts),
 * issuer, audience (`aud` = client id), `token_use` = id, `exp` and `nbf`.
 */
export function createIdTokenVerifier(pool: { userPoolId: string; clientId: string }, jwksCache: JwksCache): IdTokenVerifier {
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, clientId: pool.clientId, tokenUse: "id" }, { jwksCache });
  return async (token) => {
    let payload: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      throw tokenError(error);
    }
    return {
      token,
      sub: payload.sub,
      roleClaims: {
        groups: stringArray(payload["cognito:groups"]),
        preferredRole: typeof payload["cognito:preferred_role"] === "string" ? payload["cognito:preferred_role"] : null,
        roles: stringArray(payload["cognito:roles"]),
      },
      expiresAtMs: payload.exp * 1000,
    };
  };
}
