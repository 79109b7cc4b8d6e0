import { InternalErrorException, NotAuthorizedException, TooManyRequestsException } from "@aws-sdk/client-cognito-identity";
import { NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3";
import { awsErrorName, isRejectedCredentials, isRetryable, isThrottling } from "./errors";

const s3 = (name: string, status: number) => new S3ServiceException({ name, message: name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });

it.each([
  ["Cognito TooManyRequestsException", new TooManyRequestsException({ message: "x", $metadata: { httpStatusCode: 400 } }), true, true],
  ["S3 SlowDown (503)", s3("SlowDown", 503), true, true],
  ["any 429", s3("Whatever", 429), true, true],
  ["Cognito InternalErrorException", new InternalErrorException({ message: "x", $metadata: { httpStatusCode: 500 } }), false, true],
  ["S3 InternalError (500)", s3("InternalError", 500), false, true],
  ["an unnamed 502", s3("BadGateway", 502), false, true],
  ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), false, true],
  ["KMS throttling passed through by S3 for an SSE-KMS object", s3("KMS.ThrottlingException", 400), true, true],
  ["a response stream closed before its end", Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }), false, true],
  ["our own upstream timeout", Object.assign(new Error("did not answer"), { name: "TimeoutError" }), false, true],
  ["S3 NoSuchKey", new NoSuchKey({ message: "x", $metadata: { httpStatusCode: 404 } }), false, false],
  ["S3 AccessDenied", s3("AccessDenied", 403), false, false],
  ["Cognito NotAuthorizedException", new NotAuthorizedException({ message: "x", $metadata: { httpStatusCode: 400 } }), false, false],
  ["a programming error", new TypeError("x is undefined"), false, false],
])("%s: throttling=%s, retryable=%s", (_name, error, throttling, retryable) => {
  expect(isThrottling(error)).toBe(throttling);
  expect(isRetryable(error)).toBe(retryable);
});

it("recognises S3's answers for credentials that stopped working", () => {
  for (const name of ["ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidAccessKeyId"]) expect(isRejectedCredentials(s3(name, 400))).toBe(true);
  expect(isRejectedCredentials(s3("AccessDenied", 403))).toBe(false);
});

it("names errors by service code first, then JS name, then Node error code", () => {
  expect(awsErrorName(s3("SlowDown", 503))).toBe("SlowDown");
  expect(awsErrorName(Object.assign(new Error("x"), { code: "ETIMEDOUT" }))).toBe("ETIMEDOUT");
  expect(awsErrorName("a string")).toBe("string");
});
