/**
 * What an AWS SDK v3 error means, read from its name, HTTP status and fault (never from
 * `instanceof`: errors from the real service, from stand-ins and from a bundled copy of the SDK
 * must classify alike). The one classification the Lambda and the reviewer's aws engine share.
 */

interface SdkErrorShape {
  name?: unknown;
  $fault?: unknown;
  Code?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** The error's service name (`NoSuchKey`, `TooManyRequestsException`, …), or its JS name. */
export function awsErrorName(error: unknown): string {
  if (typeof error !== "object" || error === null) return typeof error;
  const e = error as SdkErrorShape;
  for (const candidate of [e.Code, e.name, e.code]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate;
  }
  return "Error";
}

function httpStatus(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as SdkErrorShape).$metadata?.httpStatusCode : undefined;
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequests",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "RequestLimitExceeded",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
  // S3 passes KMS throttling on SSE-KMS objects through under KMS's name.
  "KMS.ThrottlingException",
]);

const TRANSIENT = new Set([
  "InternalError",
  "InternalErrorException",
  "InternalFailure",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  // A response body that ended before its length: the connection broke mid-stream.
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/** S3's names for credentials that were issued to us and are no longer (or not yet) accepted. */
const REJECTED_CREDENTIALS = new Set(["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "InvalidToken", "InvalidAccessKeyId"]);

export function isThrottling(error: unknown): boolean {
  const e = error as SdkErrorShape;
  return THROTTLING.has(awsErrorName(error)) || httpStatus(error) === 429 || !!e?.$retryable?.throttling;
}

/** Throttling, a 5xx (or a modelled server fault), or a network failure: worth another attempt after a pause. */
export function isRetryable(error: unknown): boolean {
  if (isThrottling(error)) return true;
  if (TRANSIENT.has(awsErrorName(error))) return true;
  const status = httpStatus(error);
  return (status !== undefined && status >= 500) || (error as SdkErrorShape)?.$fault === "server";
}

export function isRejectedCredentials(error: unknown): boolean {
  return REJECTED_CREDENTIALS.has(awsErrorName(error));
}
