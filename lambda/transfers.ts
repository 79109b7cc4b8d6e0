/**
 * Large files go between the caller and S3 directly, through URLs presigned here with the
 * caller's own identity-pool credentials: what a URL allows is exactly what those credentials
 * allow, so IAM still decides. Presigning is local (no AWS call); a URL lives at most the
 * configured bound, and never past the credentials' expiry (S3 refuses it then anyway).
 *
 * Multipart uploads are driven by the upload id the client holds: create → part URLs → complete
 * or abort, each naming key and upload id. The bucket's uploads are never listed
 * (`s3:ListBucketMultipartUploads` would reveal other identities' key names, and is not granted).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { writeFields, type WriteOptions } from "./files-store";
import type { WriteCondition } from "./object-options";
import { S3Call, type S3CallOptions } from "./s3-call";

export interface TransfersOptions extends S3CallOptions {
  /** Lifetime of the URLs made, in seconds (already bounded by config and credential expiry). */
  urlSeconds: number;
  /** Milliseconds since the epoch, for `expiresAt`. */
  now: () => number;
}

export interface PresignedRequest {
  url: string;
  method: "GET" | "PUT";
  /** Headers the request must carry exactly (they are signed). */
  headers: Record<string, string>;
  /** ISO time after which S3 refuses the URL. */
  expiresAt: string;
}

/** Headers a presigned PUT signs, so S3 stores exactly what the API was asked for. */
function signedWriteHeaders(options: WriteOptions & { contentLength?: number }): Record<string, string> {
  return {
    "content-type": options.contentType,
    ...(options.contentDisposition ? { "content-disposition": options.contentDisposition } : {}),
    ...(options.cacheControl ? { "cache-control": options.cacheControl } : {}),
    ...(options.ifNoneMatch ? { "if-none-match": options.ifNoneMatch } : {}),
    ...(options.ifMatch ? { "if-match": options.ifMatch } : {}),
    ...(options.contentLength !== undefined ? { "content-length": String(options.contentLength) } : {}),
  };
}

export class Transfers {
  private readonly s3: S3Call;

  constructor(private readonly options: TransfersOptions) {
    this.s3 = new S3Call(options);
  }

  private get expiresAt(): string {
    return new Date(this.options.now() + this.options.urlSeconds * 1000).toISOString();
  }

  /** Presigning options: the lifetime, and the headers the URL binds (the caller must send them as given). */
  private signing(signed: Record<string, string> = {}) {
    return { expiresIn: this.options.urlSeconds, signableHeaders: new Set(Object.keys(signed)) };
  }

  /** A GET URL for the whole file (the client may send Range); S3 answers with `contentDisposition` when given. */
  async downloadUrl(key: string, contentDisposition?: string): Promise<PresignedRequest> {
    const Key = this.s3.fullKey(key);
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key, ...(contentDisposition ? { ResponseContentDisposition: contentDisposition } : {}) });
    const url = await getSignedUrl(this.s3.client, command, this.signing());
    return { url, method: "GET", headers: {}, expiresAt: this.expiresAt };
  }

  /** A PUT URL for one upload of exactly `size` bytes, storing the given properties; metadata travels in the URL. */
  async uploadUrl(key: string, size: number, options: WriteOptions): Promise<PresignedRequest> {
    const Key = this.s3.fullKey(key);
    const headers = signedWriteHeaders({ ...options, contentLength: size });
    const url = await getSignedUrl(
      this.s3.client,
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key,
        ContentLength: size,
        ...writeFields(options),
      }),
      this.signing(headers),
    );
    // Content-Length is set by every HTTP client from the body; the caller need not send it by hand.
    const { "content-length": _length, ...toSend } = headers;
    void _length;
    return { url, method: "PUT", headers: toSend, expiresAt: this.expiresAt };
  }

  /** Starts a multipart upload; its properties are fixed now, its content by the parts. */
  async createMultipart(key: string, options: WriteOptions): Promise<{ uploadId: string }> {
    const Key = this.s3.fullKey(key);
    const output = await this.s3.send("s3:CreateMultipartUpload", (client, abortSignal) =>
      client.send(
        new CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key, ...writeFields(options, false) }),
        { abortSignal },
      ),
    );
    if (!output.UploadId) throw new Error("CreateMultipartUpload returned no UploadId");
    return { uploadId: output.UploadId };
  }

  /** PUT URLs for parts, each signed for its exact size, so S3 refuses a part of any other length. */
  async partUrls(key: string, uploadId: string, parts: { partNumber: number; size: number }[]): Promise<{ parts: { partNumber: number; url: string }[]; expiresAt: string }> {
    const Key = this.s3.fullKey(key);
    const urls = await Promise.all(
      parts.map(async ({ partNumber, size }) => ({
        partNumber,
        url: await getSignedUrl(
          this.s3.client,
          new UploadPartCommand({ Bucket: this.options.bucket, Key, UploadId: uploadId, PartNumber: partNumber, ContentLength: size }),
          this.signing({ "content-length": String(size) }),
        ),
      })),
    );
    return { parts: urls, expiresAt: this.expiresAt };
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], condition: WriteCondition): Promise<{ etag: string | null }> {
    const Key = this.s3.fullKey(key);
    const output = await this.s3.send("s3:CompleteMultipartUpload", (client, abortSignal) =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.options.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          IfMatch: condition.ifMatch,
          IfNoneMatch: condition.ifNoneMatch,
        }),
        { abortSignal },
      ),
    );
    return { etag: output.ETag ?? null };
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const Key = this.s3.fullKey(key);
    await this.s3.send("s3:AbortMultipartUpload", (client, abortSignal) =>
      client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key, UploadId: uploadId }), { abortSignal }),
    );
  }
}
