/**
 * S3 operations on one identity's folder, signed with that identity's credentials. The folder is
 * joined here and nowhere else; IAM (the role's `<prefix>/${cognito-identity.amazonaws.com:sub}/`
 * grants), not this code, is what stops a request from reaching another folder.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { awsErrorName, isRejectedCredentials } from "../aws-retry/errors";
import { HttpError, serviceBusy } from "./http-errors";
import { CredentialsRejectedError } from "./identity-credentials";
import { MAX_KEY_BYTES, keyInFolder, utf8Length } from "./object-keys";
import { RetriesExhaustedError, withRetries, type RetryPolicy } from "../aws-retry/retry";

/**
 * Largest object GET returns. API Gateway HTTP APIs need a buffered Lambda response of at most
 * 6 MB, and binary bodies travel base64-encoded (4 bytes per 3): 4 MiB of object is about 5.6 MB.
 * Larger objects get a 413 naming the limit. A short-lived presigned GET URL signed with the
 * caller's own credentials would serve them, but needs @aws-sdk/s3-request-presigner, which
 * this project does not depend on.
 */
export const MAX_INLINE_OBJECT_BYTES = 4 * 1024 * 1024;

export interface ListedObject {
  /** Relative to the caller's folder. */
  key: string;
  size: number;
  lastModified: string | null;
  etag: string | null;
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string | null;
  lastModified: string | null;
}

export interface FilesStoreOptions {
  s3: S3Client;
  bucket: string;
  /** `<prefix>/<identityId>/`. */
  folder: string;
  retry: RetryPolicy;
  maxInlineBytes?: number;
}

/** S3's answer as ours; rejected credentials become CredentialsRejectedError for a refresh. */
export function s3Error(error: unknown): unknown {
  if (error instanceof HttpError || error instanceof CredentialsRejectedError) return error;
  if (error instanceof RetriesExhaustedError) return serviceBusy("storage_busy", "S3 is throttling or failing; try again shortly.", error.lastErrorName);
  const name = awsErrorName(error);
  if (isRejectedCredentials(error)) return new CredentialsRejectedError(name);
  switch (name) {
    case "AccessDenied":
      return new HttpError(403, "access_denied", "Your role does not allow this on that object.", {}, {}, name);
    case "NoSuchKey":
      return new HttpError(404, "not_found", "No such file.", {}, {}, name);
    case "InvalidArgument":
      return new HttpError(400, "invalid_request", "S3 refused the request's arguments (e.g. an unknown continuation token).", {}, {}, name);
    case "EntityTooLarge":
      return new HttpError(413, "body_too_large", "The file is larger than S3 accepts in one request.", {}, {}, name);
    default:
      return error;
  }
}

const tooLargeToReturn = (size: number | null, limit: number) =>
  new HttpError(413, "object_too_large_to_return", `Files over ${limit} bytes cannot be returned through this API.`, {
    ...(size === null ? {} : { size }),
    limit,
  });

/** Reads a response body into memory, refusing to hold more than `limit` bytes. */
async function readCapped(body: unknown, limit: number): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== "function") {
    const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    if (bytes.byteLength > limit) throw tooLargeToReturn(bytes.byteLength, limit);
    return Buffer.from(bytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buffer.byteLength;
    if (total > limit) {
      (body as { destroy?: () => void }).destroy?.();
      throw tooLargeToReturn(null, limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

export class FilesStore {
  private readonly maxInlineBytes: number;

  constructor(private readonly options: FilesStoreOptions) {
    this.maxInlineBytes = options.maxInlineBytes ?? MAX_INLINE_OBJECT_BYTES;
  }

  private fullKey(key: string): string {
    const full = keyInFolder(this.options.folder, key);
    if (utf8Length(full) > MAX_KEY_BYTES) {
      throw new HttpError(400, "invalid_key", `The key is too long: with your folder it exceeds ${MAX_KEY_BYTES} bytes.`, {
        problems: [`is longer than ${MAX_KEY_BYTES - utf8Length(this.options.folder)} bytes (UTF-8), the room left in your folder`],
      });
    }
    return full;
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(this.options.retry, operation, call);
    } catch (error) {
      throw s3Error(error);
    }
  }

  /** One page of the caller's files, in S3's key order. */
  async list(page: { limit: number; continuationToken?: string }): Promise<{ items: ListedObject[]; nextContinuationToken: string | null }> {
    const { s3, bucket, folder } = this.options;
    const output = await this.run("s3:ListObjectsV2", () =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: page.limit, ContinuationToken: page.continuationToken })),
    );
    const items = (output.Contents ?? [])
      .filter((o): o is typeof o & { Key: string } => typeof o.Key === "string" && o.Key.startsWith(folder))
      .map((o) => ({
        key: o.Key.slice(folder.length),
        size: o.Size ?? 0,
        lastModified: o.LastModified?.toISOString() ?? null,
        etag: o.ETag ?? null,
      }));
    return { items, nextContinuationToken: output.IsTruncated ? (output.NextContinuationToken ?? null) : null };
  }

  /** The object's bytes and content type; 413 beyond `maxInlineBytes` (checked before reading when S3 states the size). */
  async get(key: string): Promise<StoredObject> {
    const { s3, bucket } = this.options;
    const Key = this.fullKey(key);
    return this.run("s3:GetObject", async () => {
      const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      if (output.ContentLength !== undefined && output.ContentLength > this.maxInlineBytes) {
        (output.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLargeToReturn(output.ContentLength, this.maxInlineBytes);
      }
      const body = await readCapped(output.Body, this.maxInlineBytes);
      return {
        body,
        contentType: output.ContentType ?? "application/octet-stream",
        etag: output.ETag ?? null,
        lastModified: output.LastModified?.toUTCString() ?? null,
      };
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<{ etag: string | null }> {
    const { s3, bucket } = this.options;
    const Key = this.fullKey(key);
    const output = await this.run("s3:PutObject", () =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body, ContentType: contentType, ContentLength: body.byteLength })),
    );
    return { etag: output.ETag ?? null };
  }

  async delete(key: string): Promise<void> {
    const { s3, bucket } = this.options;
    const Key = this.fullKey(key);
    await this.run("s3:DeleteObject", () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key })));
  }
}
