/**
 * S3 operations on one identity's folder, signed with that identity's credentials. The folder is
 * joined here and nowhere else; IAM (the role's `<prefix>/${cognito-identity.amazonaws.com:sub}/`
 * grants), not this code, is what stops a request from reaching another folder. Every call is
 * bounded in time and retried within the request's budget (s3-call.ts).
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
} from "@aws-sdk/client-s3";
import type { FileProperties, ListPage } from "../contract/files-api";
import { HttpError } from "./http-errors";
import { rangeHeader, type ByteRange, type WriteCondition } from "./object-options";
import { S3Call, type S3CallOptions } from "./s3-call";

/**
 * Largest object GET returns inline. API Gateway HTTP APIs need a buffered Lambda response of at
 * most 6 MB, and binary bodies travel base64-encoded (4 bytes per 3): 4 MiB of object is about
 * 5.6 MB. Larger objects (or ranges) get a 413 naming the limit; a presigned download URL serves them.
 */
export const MAX_INLINE_OBJECT_BYTES = 4 * 1024 * 1024;

export type { ListPage };
/** What HEAD tells about a file. */
export type ObjectProperties = FileProperties;

export interface StoredObject extends ObjectProperties {
  body: Buffer;
  /** For a range: the bytes returned and the whole size. */
  range: { first: number; last: number; size: number } | null;
}

export interface WriteOptions extends WriteCondition {
  contentType: string;
  contentDisposition?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

/** The PutObject / CreateMultipartUpload fields a write's options set (conditions only where S3 takes them). */
export function writeFields(options: WriteOptions, withConditions = true) {
  return {
    ContentType: options.contentType,
    ContentDisposition: options.contentDisposition,
    CacheControl: options.cacheControl,
    Metadata: options.metadata,
    ...(withConditions ? { IfMatch: options.ifMatch, IfNoneMatch: options.ifNoneMatch } : {}),
  };
}

export interface FilesStoreOptions extends S3CallOptions {
  maxInlineBytes?: number;
}

const tooLargeToReturn = (size: number | null, limit: number) =>
  new HttpError(413, "object_too_large_to_return", `Files (or ranges) over ${limit} bytes are not returned inline; ask for a download URL or a smaller range.`, {
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

function properties(output: HeadObjectCommandOutput | GetObjectCommandOutput, size: number): ObjectProperties {
  return {
    size,
    contentType: output.ContentType ?? "application/octet-stream",
    etag: output.ETag ?? null,
    lastModified: output.LastModified?.toUTCString() ?? null,
    cacheControl: output.CacheControl ?? null,
    contentDisposition: output.ContentDisposition ?? null,
    metadata: output.Metadata ?? {},
  };
}

/** `bytes 0-99/1000` → its numbers. */
function contentRange(value: string | undefined): { first: number; last: number; size: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? "");
  return match ? { first: Number(match[1]), last: Number(match[2]), size: Number(match[3]) } : null;
}

/**
 * `bucket/a b:c` → `bucket/a%20b:c`: the CopySource header, URL-encoded as S3 wants it. `/` and
 * the sub-delimiters harmless in a header (`: @ & = $ , ;`) stay as they are, because some
 * S3-compatible servers decode it with `decodeURI`, which leaves their escapes undecoded;
 * `?` (S3 reads `?versionId=` there), `#`, `+` and `%` are always escaped.
 */
const copySourcePath = (bucket: string, key: string) =>
  `${bucket}/${key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%(3A|40|26|3D|24|2C|3B)/g, (escape) => decodeURIComponent(escape)))
    .join("/")}`;

export class FilesStore {
  private readonly maxInlineBytes: number;
  private readonly s3: S3Call;

  constructor(private readonly options: FilesStoreOptions) {
    this.maxInlineBytes = options.maxInlineBytes ?? MAX_INLINE_OBJECT_BYTES;
    this.s3 = new S3Call(options);
  }

  /** One page of the caller's files under `prefix`, in S3's key order; with `delimiter`, sub-folders apart. */
  async list(page: { limit: number; continuationToken?: string; prefix?: string; delimiter?: string }): Promise<ListPage> {
    const { bucket, folder } = this.options;
    const output = await this.s3.send("s3:ListObjectsV2", (client, abortSignal) =>
      client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: folder + (page.prefix ?? ""),
          MaxKeys: page.limit,
          ContinuationToken: page.continuationToken,
          ...(page.delimiter ? { Delimiter: page.delimiter } : {}),
        }),
        { abortSignal },
      ),
    );
    const inFolder = (key: string | undefined): key is string => typeof key === "string" && key.startsWith(folder) && key.length > folder.length;
    const items = (output.Contents ?? [])
      .filter((o): o is typeof o & { Key: string } => inFolder(o.Key))
      .map((o) => ({
        key: o.Key.slice(folder.length),
        size: o.Size ?? 0,
        lastModified: o.LastModified?.toISOString() ?? null,
        etag: o.ETag ?? null,
      }));
    const folders = (output.CommonPrefixes ?? []).map((p) => p.Prefix).filter(inFolder).map((p) => p.slice(folder.length));
    return { items, folders, nextContinuationToken: output.IsTruncated ? (output.NextContinuationToken ?? null) : null };
  }

  async head(key: string, ifNoneMatch?: string): Promise<ObjectProperties> {
    const { bucket } = this.options;
    const Key = this.s3.fullKey(key);
    const output = await this.s3.send("s3:HeadObject", (client, abortSignal) =>
      client.send(new HeadObjectCommand({ Bucket: bucket, Key, ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}) }), { abortSignal }),
    );
    return properties(output, output.ContentLength ?? 0);
  }

  /** The object's bytes (or one range of them) and properties; 413 beyond the inline limit (checked before reading when S3 states the size). */
  async get(key: string, options: { range?: ByteRange; ifNoneMatch?: string } = {}): Promise<StoredObject> {
    const { bucket } = this.options;
    const Key = this.s3.fullKey(key);
    // The body is read inside the attempt: a stream that breaks off is retried like any transient failure.
    return this.s3.send("s3:GetObject", async (client, abortSignal) => {
      const output = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key,
          ...(options.range ? { Range: rangeHeader(options.range) } : {}),
          ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
        }),
        { abortSignal },
      );
      if (output.ContentLength !== undefined && output.ContentLength > this.maxInlineBytes) {
        (output.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLargeToReturn(output.ContentLength, this.maxInlineBytes);
      }
      const body = await readCapped(output.Body, this.maxInlineBytes);
      const range = options.range ? contentRange(output.ContentRange) : null;
      return { ...properties(output, range?.size ?? body.byteLength), body, range };
    });
  }

  async put(key: string, body: Buffer, options: WriteOptions): Promise<{ etag: string | null }> {
    const { bucket } = this.options;
    const Key = this.s3.fullKey(key);
    const output = await this.s3.send("s3:PutObject", (client, abortSignal) =>
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: body,
          ContentLength: body.byteLength,
          ...writeFields(options),
        }),
        { abortSignal },
      ),
    );
    return { etag: output.ETag ?? null };
  }

  async delete(key: string): Promise<void> {
    const { bucket } = this.options;
    const Key = this.s3.fullKey(key);
    await this.s3.send("s3:DeleteObject", (client, abortSignal) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key }), { abortSignal }));
  }

  /** Copies within the caller's folder (S3-side, up to 5 GiB), keeping type, disposition and metadata. */
  async copy(source: string, destination: string): Promise<{ etag: string | null }> {
    const { bucket } = this.options;
    const from = this.s3.fullKey(source);
    const to = this.s3.fullKey(destination);
    const output = await this.s3.send("s3:CopyObject", (client, abortSignal) =>
      client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: copySourcePath(bucket, from), MetadataDirective: "COPY" }), { abortSignal }),
    );
    return { etag: output.CopyObjectResult?.ETag ?? null };
  }
}
