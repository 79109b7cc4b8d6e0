/**
 * The caller's identity-pool credentials: GetId, then GetCredentialsForIdentity with the verified
 * IdToken as the login. Both are public APIs (no IAM permission, unsigned), so the function's own
 * role is never involved.
 *
 * Credentials are cached per IdToken, each with the one S3 client that uses them, and reused at
 * most `maxReuseMs` (stage config `credentialsCacheSeconds`, default 5 minutes), never past the
 * token's expiry, nor closer than a few minutes to their own. That is the revocation bound: the
 * identity pool checks each token server-side (ServerSideTokenCheck) whenever credentials are
 * asked for, so a signed-out user's requests fail at most `maxReuseMs` after sign-out. A new
 * token (after a refresh) always asks the identity pool again.
 */
import { createHash } from "node:crypto";
import { GetCredentialsForIdentityCommand, GetIdCommand, type CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorName, isRetryable } from "../aws-retry/errors";
import { BoundedCache } from "./bounded-cache";
import { Deadline, UPSTREAM_TIMEOUT_MS, withTimeout } from "./deadline";
import { HttpError, serviceBusy, unauthorized } from "./http-errors";
import type { VerifiedIdToken } from "./id-token";
import { RetriesExhaustedError, withRetries, type RetryPolicy } from "../aws-retry/retry";

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** One identity's credentials and the S3 client signing with them. */
export interface IdentitySession {
  identityId: string;
  s3: S3Client;
  expiresAtMs: number;
  /**
   * After this the cached session is not used again: the earliest of the token's expiry, the
   * reuse bound, and a few minutes before the credentials expire.
   */
  refreshAtMs: number;
}

/** Thrown by work done with a session when AWS says its credentials are no longer valid. */
export class CredentialsRejectedError extends Error {
  constructor(public readonly awsName: string) {
    super(`credentials rejected: ${awsName}`);
    this.name = "CredentialsRejectedError";
  }
}

export interface IdentitySessionsOptions {
  cognito: CognitoIdentityClient;
  identityPoolId: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  providerName: string;
  /** Makes the S3 client for one identity's credentials (created once per cached session). */
  createS3Client: (credentials: TemporaryCredentials) => S3Client;
  retry: RetryPolicy;
  now?: () => number;
  /** Stop using credentials this long before they expire. @default 5 minutes */
  refreshBeforeExpiryMs?: number;
  /** Longest reuse of credentials obtained with one token, in ms; 0 never reuses them. @default 5 minutes */
  maxReuseMs?: number;
  /** Most sessions (and identity ids) kept. @default 500 */
  maxEntries?: number;
}

const NO_ROLE = /role mapping|preferred role|no role/i;

/**
 * Cognito's answer as ours. With ambiguous role resolution "Deny", a user the mapping places in
 * no role gets NotAuthorizedException "The ambiguous role mapping rules for: <provider> denied
 * this request." (a stack trace in aws-amplify/amplify-js#3621; #8644 quotes the same text). The
 * API reference does not document it, so the exception is told apart by its message: the same
 * exception for a token the pool rejects (signed out, deleted user) is a 401, this one a 403.
 */
export function cognitoError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof RetriesExhaustedError) {
    if (error.lastErrorName === "TimeoutError") return serviceBusy("identity_service_timeout", "Cognito did not answer in time; try again.", error.lastErrorName);
    return serviceBusy("identity_service_busy", "Cognito is throttling or failing; try again shortly.", error.lastErrorName);
  }
  const name = awsErrorName(error);
  const message = error instanceof Error ? error.message : "";
  if (name === "NotAuthorizedException") {
    if (NO_ROLE.test(message)) return new HttpError(403, "no_role", "Your account is in no group that grants storage access.", {}, {}, name);
    return unauthorized("token_rejected", "The identity pool refused the token (signed out or removed user); sign in again.", name);
  }
  if (name === "ExternalServiceException") return serviceBusy("identity_provider_unavailable", "The identity provider did not answer; try again.", name);
  // Quotas of the identity pool or the account, and conflicting concurrent changes: not the caller's doing.
  if (name === "LimitExceededException" || name === "ResourceConflictException") {
    return serviceBusy("identity_service_limit", "The identity service refused for now (a quota or a conflict); try again later.", name);
  }
  if (isRetryable(error)) return serviceBusy("identity_service_busy", "Cognito is failing; try again shortly.", name);
  throw error;
}

export class IdentitySessions {
  private readonly identityIds: BoundedCache<string, string>;
  private readonly sessions: BoundedCache<string, IdentitySession>;
  private readonly now: () => number;
  private readonly refreshBeforeExpiryMs: number;
  private readonly maxReuseMs: number;

  constructor(private readonly options: IdentitySessionsOptions) {
    this.now = options.now ?? Date.now;
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 5 * 60_000;
    this.maxReuseMs = options.maxReuseMs ?? 5 * 60_000;
    const capacity = options.maxEntries ?? 500;
    this.identityIds = new BoundedCache(capacity);
    this.sessions = new BoundedCache(capacity, (session) => session.s3.destroy());
  }

  /**
   * The cache key: the token itself (hashed, so the map holds no bearer token). Credentials
   * never outlive the token they were obtained with, and a token with other role claims can never
   * reuse the credentials of another.
   */
  static cacheKey(caller: VerifiedIdToken): string {
    return createHash("sha256").update(caller.token).digest("base64url");
  }

  /** A session for the caller: the cached one while it is fresh, otherwise new credentials. */
  async sessionFor(caller: VerifiedIdToken, deadline: Deadline): Promise<IdentitySession> {
    const key = IdentitySessions.cacheKey(caller);
    const cached = this.sessions.get(key);
    if (cached && this.now() < cached.refreshAtMs) return cached;
    if (cached) this.sessions.delete(key);
    try {
      const session = await this.newSession(caller, deadline);
      if (this.now() < session.refreshAtMs) this.sessions.set(key, session);
      return session;
    } catch (error) {
      throw cognitoError(error);
    }
  }

  /**
   * Runs `work` with the caller's session. If AWS rejects the credentials mid-use (expired or
   * invalidated early), drops them, fetches new ones and runs `work` once more; a second
   * rejection is answered with a 503.
   */
  async withSession<T>(caller: VerifiedIdToken, deadline: Deadline, work: (session: IdentitySession) => Promise<T>): Promise<T> {
    const session = await this.sessionFor(caller, deadline);
    try {
      return await work(session);
    } catch (error) {
      if (!(error instanceof CredentialsRejectedError)) throw error;
      this.invalidate(caller, session);
    } finally {
      this.releaseIfUncached(caller, session);
    }
    const fresh = await this.sessionFor(caller, deadline);
    try {
      return await work(fresh);
    } catch (error) {
      if (!(error instanceof CredentialsRejectedError)) throw error;
      this.invalidate(caller, fresh);
      throw serviceBusy("credentials_rejected", "AWS rejected freshly issued credentials; try again.", error.awsName);
    } finally {
      this.releaseIfUncached(caller, fresh);
    }
  }

  /** A session the cache does not hold (reuse off, or already expired) is used once: release its client. */
  private releaseIfUncached(caller: VerifiedIdToken, session: IdentitySession): void {
    if (this.sessions.peek(IdentitySessions.cacheKey(caller)) !== session) session.s3.destroy();
  }

  /** Forgets the caller's cached credentials (only if they are still `session`). */
  invalidate(caller: VerifiedIdToken, session: IdentitySession): void {
    const key = IdentitySessions.cacheKey(caller);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }

  private logins(caller: VerifiedIdToken): Record<string, string> {
    return { [this.options.providerName]: caller.token };
  }

  /** One Cognito call: each attempt bounded in time, retried within the request's budget. */
  private call<T>(deadline: Deadline, operation: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetries(this.options.retry, operation, () => withTimeout(deadline, operation, UPSTREAM_TIMEOUT_MS.cognito, send), isRetryable, () => deadline.remainingMs());
  }

  private async identityId(caller: VerifiedIdToken, deadline: Deadline): Promise<{ identityId: string; fromCache: boolean }> {
    // An identity id is fixed for (pool, provider, sub): it outlives any credentials.
    const cached = this.identityIds.get(caller.sub);
    if (cached) return { identityId: cached, fromCache: true };
    const { cognito, identityPoolId } = this.options;
    const output = await this.call(deadline, "cognito-identity:GetId", (abortSignal) =>
      cognito.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: this.logins(caller) }), { abortSignal }),
    );
    if (!output.IdentityId) throw new Error("GetId returned no IdentityId");
    this.identityIds.set(caller.sub, output.IdentityId);
    return { identityId: output.IdentityId, fromCache: false };
  }

  private async credentials(caller: VerifiedIdToken, identityId: string, deadline: Deadline) {
    return this.call(deadline, "cognito-identity:GetCredentialsForIdentity", (abortSignal) =>
      this.options.cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: this.logins(caller) }), { abortSignal }),
    );
  }

  private async newSession(caller: VerifiedIdToken, deadline: Deadline): Promise<IdentitySession> {
    const first = await this.identityId(caller, deadline);
    let identityId = first.identityId;
    let output;
    try {
      output = await this.credentials(caller, identityId, deadline);
    } catch (error) {
      // A cached identity id can disappear (DeleteIdentities); look it up again, once.
      if (!first.fromCache || awsErrorName(error) !== "ResourceNotFoundException") throw error;
      this.identityIds.delete(caller.sub);
      identityId = (await this.identityId(caller, deadline)).identityId;
      output = await this.credentials(caller, identityId, deadline);
    }
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration) {
      throw new Error("GetCredentialsForIdentity returned incomplete credentials");
    }
    const now = this.now();
    const expiresAtMs = c.Expiration.getTime();
    const lifetimeMs = expiresAtMs - now;
    // Short-lived credentials still get used for half their life rather than never.
    const refreshAtMs = Math.min(expiresAtMs - Math.min(this.refreshBeforeExpiryMs, lifetimeMs / 2), now + this.maxReuseMs, caller.expiresAtMs);
    const s3 = this.options.createS3Client({
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    });
    return { identityId: output.IdentityId ?? identityId, s3, expiresAtMs, refreshAtMs };
  }
}
