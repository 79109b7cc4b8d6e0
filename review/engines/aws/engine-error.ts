/** A failure of the AWS engine itself (credentials, throttling, permissions), not a verdict. */
export class AwsEngineError extends Error {
  override name = "AwsEngineError";
}
