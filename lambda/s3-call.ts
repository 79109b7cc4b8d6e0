/**
 * One identity's S3 client as the request uses it: keys joined under the identity's folder (and
 * nowhere else), each call bounded in time within the request's budget, retried with backoff, and
 * S3's answer turned into ours (s3-errors.ts).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { isRetryable } from "../aws-retry/errors";
import { withRetries, type RetryPolicy } from "../aws-retry/retry";
import { MAX_KEY_BYTES, keyInFolder, utf8Length } from "../contract/object-keys";
import { Deadline, UPSTREAM_TIMEOUT_MS, withTimeout } from "./deadline";
import { HttpError } from "./http-errors";
import { s3Error } from "./s3-errors";

export interface S3CallOptions {
  /** Signs with the caller's identity-pool credentials. */
  s3: S3Client;
  bucket: string;
  /** `<prefix>/<identityId>/`. */
  folder: string;
  retry: RetryPolicy;
  deadline: Deadline;
}

export class S3Call {
  constructor(private readonly options: S3CallOptions) {}

  get client(): S3Client {
    return this.options.s3;
  }

  /** The full S3 key of a key relative to the folder; 400 when the two together exceed S3's limit. */
  fullKey(key: string): string {
    const { folder } = this.options;
    const full = keyInFolder(folder, key);
    if (utf8Length(full) > MAX_KEY_BYTES) {
      throw new HttpError(400, "invalid_key", `The key is too long: with your folder it exceeds ${MAX_KEY_BYTES} bytes.`, {
        problems: [`is longer than ${MAX_KEY_BYTES - utf8Length(folder)} bytes (UTF-8), the room left in your folder`],
      });
    }
    return full;
  }

  async send<T>(operation: string, attempt: (client: S3Client, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const { s3, retry, deadline } = this.options;
    try {
      return await withRetries(retry, operation, () => withTimeout(deadline, operation, UPSTREAM_TIMEOUT_MS.s3, (signal) => attempt(s3, signal)), isRetryable, () =>
        deadline.remainingMs(),
      );
    } catch (error) {
      throw s3Error(error);
    }
  }
}
