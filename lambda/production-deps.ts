/**
 * The handler's real dependencies: SDK clients with maxAttempts 1 (retries are ours alone, see
 * aws-retry/retry.ts), the token verifier with its JWKS cache, the credentials cache and the
 * stdout log. Tests and the bench build the same thing, replacing only what reaches outside the
 * process (the JWKS fetcher, S3's endpoint, clocks, sleeping, the log sink).
 */
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { S3Client } from "@aws-sdk/client-s3";
import type { Fetcher } from "aws-jwt-verify/https";
import type { HandlerDeps } from "./create-handler";
import { loginsProviderName, type LambdaEnv } from "../contract/lambda-env";
import { createIdTokenVerifier } from "./id-token";
import { IdentitySessions } from "./identity-credentials";
import { createJwksCache } from "./jwks";
import { stdoutSink, type LogSink } from "./request-log";
import { retryPolicy, type RetryPolicy } from "../aws-retry/retry";

/** Four attempts, pauses of at most 100, 200 and 400 ms: under a second in all, inside any request budget. */
export const DEFAULT_RETRY_POLICY = retryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 });

export interface DepsOverrides {
  /** Fetches the user pool's JWKS (default: https with a timeout). */
  jwksFetcher?: Fetcher;
  /** An S3-compatible endpoint instead of AWS's (path-style addressing). */
  s3Endpoint?: string;
  retry?: RetryPolicy;
  log?: LogSink;
  /** Clock of the credentials cache (ms since the epoch). */
  now?: () => number;
}

export function productionDeps(env: LambdaEnv, overrides: DepsOverrides = {}): HandlerDeps {
  const retry = overrides.retry ?? DEFAULT_RETRY_POLICY;
  // One Cognito Identity client per container; its two operations are unsigned.
  const cognito = new CognitoIdentityClient({ region: env.region, maxAttempts: 1 });
  const sessions = new IdentitySessions({
    cognito,
    identityPoolId: env.identityPoolId,
    providerName: loginsProviderName(env),
    // One S3 client per cached identity session, signing (and presigning) with that identity's credentials only.
    createS3Client: (credentials) =>
      new S3Client({
        region: env.region,
        credentials,
        maxAttempts: 1,
        // No SDK checksum headers or parameters a browser would not send with a presigned URL.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        ...(overrides.s3Endpoint ? { endpoint: overrides.s3Endpoint, forcePathStyle: true } : {}),
      }),
    retry,
    maxReuseMs: env.credentialsCacheSeconds * 1000,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  return {
    env,
    verifyIdToken: createIdTokenVerifier({ userPoolId: env.userPoolId, clientId: env.userPoolClientId }, createJwksCache(overrides.jwksFetcher ? { fetcher: overrides.jwksFetcher } : {})),
    sessions,
    retry,
    log: overrides.log ?? stdoutSink,
    ...(overrides.now ? { now: overrides.now } : {}),
  };
}
