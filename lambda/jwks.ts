/**
 * The user pool's signing keys (JWKS), fetched with a timeout and kept by aws-jwt-verify's own
 * cache. Whatever goes wrong while getting them (no answer, a 5xx, an HTML error page, a
 * fetcher that throws) is the key endpoint's trouble, not the caller's: it surfaces as a
 * FetchError, which id-token.ts answers with a 503, never a 401 or a 500. A token whose `kid`
 * is not among keys that did arrive stays the caller's problem (401).
 */
import { FetchError } from "aws-jwt-verify/error";
import { SimpleFetcher, type Fetcher } from "aws-jwt-verify/https";
import { assertIsJwks, SimpleJwksCache, type Jwks } from "aws-jwt-verify/jwk";
import { UPSTREAM_TIMEOUT_MS } from "./deadline";

/** The key endpoint could not give usable keys; `cause` names why (for the log, never the caller). */
export class SigningKeysUnavailableError extends FetchError {
  constructor(
    uri: string,
    public readonly reason: string,
  ) {
    super(uri, `signing keys unavailable: ${reason}`);
    this.name = "SigningKeysUnavailableError";
  }
}

/** Parses a JWKS response; anything but a JWKS (an HTML page, truncated JSON) is unavailability. */
function parseJwks(body: ArrayBuffer): Jwks {
  let jwks: unknown;
  try {
    jwks = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
  } catch (error) {
    throw new SigningKeysUnavailableError("the user pool's JWKS", `not a JWKS (${error instanceof Error ? error.name : typeof error})`);
  }
  return jwks as Jwks;
}

/** A fetcher that gives up after `timeoutMs`, and whose every failure is SigningKeysUnavailableError. */
function guarded(fetcher: Fetcher, timeoutMs: number): Fetcher {
  return {
    fetch: async (uri, options, data) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SigningKeysUnavailableError(uri, "TimeoutError")), timeoutMs);
      });
      try {
        return await Promise.race([fetcher.fetch(uri, options, data), timedOut]);
      } catch (error) {
        if (error instanceof SigningKeysUnavailableError) throw error;
        throw new SigningKeysUnavailableError(uri, error instanceof Error ? error.name : typeof error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The JWKS cache the verifier uses. `fetcher` replaces the https one (tests point it at a
 * loopback server); the default gives up after `timeoutMs` without an answer.
 */
export function createJwksCache(options: { fetcher?: Fetcher; timeoutMs?: number } = {}): SimpleJwksCache {
  const timeoutMs = options.timeoutMs ?? UPSTREAM_TIMEOUT_MS.jwks;
  const fetcher = options.fetcher ?? new SimpleFetcher({ defaultRequestOptions: { timeout: timeoutMs, responseTimeout: timeoutMs } });
  return new SimpleJwksCache({ fetcher: guarded(fetcher, timeoutMs), jwksParser: parseJwks });
}
