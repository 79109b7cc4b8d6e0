/**
 * S3's answers as ours. What the caller can fix is a 4xx naming it; what is S3's or KMS's
 * trouble (throttling, 5xx, a timeout, a stream that broke off) is a 503 with Retry-After; rejected
 * credentials become CredentialsRejectedError, so the caller's session is refreshed once.
 */
import { awsErrorName, isRejectedCredentials, isRetryable } from "../aws-retry/errors";
import { RetriesExhaustedError } from "../aws-retry/retry";
import { HttpError, serviceBusy } from "./http-errors";
import { CredentialsRejectedError } from "./identity-credentials";

/** S3 error codes the caller can act on: our status, code and sentence for each. */
const ANSWERS: Record<string, [status: number, code: string, message: string]> = {
  AccessDenied: [403, "access_denied", "Your role does not allow this on that object."],
  NoSuchKey: [404, "not_found", "No such file."],
  // HEAD has no body to name the error in: the SDK calls a 404 there NotFound.
  NotFound: [404, "not_found", "No such file."],
  NoSuchUpload: [404, "upload_not_found", "No such multipart upload for this key (unknown, completed, aborted or someone else's)."],
  PreconditionFailed: [412, "precondition_failed", "The file does not match the condition (If-Match / If-None-Match)."],
  ConditionalRequestConflict: [409, "conflict", "Another write to this file is in progress; try again."],
  InvalidRange: [416, "range_not_satisfiable", "The range starts beyond the end of the file."],
  EntityTooSmall: [400, "part_too_small", "Every part but the last must hold at least 5 MiB."],
  InvalidPart: [400, "invalid_part", "A part was not uploaded, or its ETag does not match."],
  InvalidPartOrder: [400, "invalid_part_order", "Parts must be listed in ascending part-number order."],
  InvalidArgument: [400, "invalid_request", "S3 refused the request's arguments (e.g. an unknown continuation token)."],
  InvalidRequest: [400, "invalid_request", "S3 refused the request (e.g. a copy of a file over 5 GiB)."],
  EntityTooLarge: [413, "body_too_large", "The file is larger than S3 accepts in one request."],
  // An object some tool stored in an archive storage class (Glacier, Deep Archive): S3 answers 403.
  InvalidObjectState: [409, "object_archived", "The file is archived; restore it before reading or copying it."],
  MethodNotAllowed: [501, "not_supported_by_storage", "The storage service does not support this operation."],
  NotImplemented: [501, "not_supported_by_storage", "The storage service does not support this operation."],
};

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Thrown for a conditional read whose entity tag still matches: answered 304 with no body. */
export class NotModified extends Error {
  constructor(public readonly etag: string | null) {
    super("not modified");
    this.name = "NotModified";
  }
}

export function s3Error(error: unknown): unknown {
  if (error instanceof HttpError || error instanceof CredentialsRejectedError || error instanceof NotModified) return error;
  if (error instanceof RetriesExhaustedError) {
    if (error.lastErrorName === "TimeoutError") return serviceBusy("storage_timeout", "S3 did not answer in time; try again.", error.lastErrorName);
    return serviceBusy("storage_busy", "S3 is throttling or failing; try again shortly.", error.lastErrorName);
  }
  const name = awsErrorName(error);
  if (isRejectedCredentials(error)) return new CredentialsRejectedError(name);
  // The SDK reports a 304 under whatever name it can find; the status is what counts.
  if (httpStatus(error) === 304 || name === "NotModified") return new NotModified(null);
  const known = ANSWERS[name];
  if (known) return new HttpError(known[0], known[1], known[2], {}, {}, name);
  if (name.startsWith("KMS.")) {
    // The bucket's key is disabled, pending deletion or unreachable: nothing the caller did.
    return serviceBusy("storage_key_unavailable", "The storage encryption key is unavailable; try again later.", name);
  }
  if (isRetryable(error)) return serviceBusy("storage_busy", "S3 is failing; try again shortly.", name);
  return error;
}
