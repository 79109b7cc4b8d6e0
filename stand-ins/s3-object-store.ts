/**
 * One S3 bucket's object semantics, in memory, as the S3 API reference describes them: strong
 * ETags (MD5, and `md5-of-part-md5s-N` for multipart), byte ranges (206/416), conditional reads
 * (304) and writes (412, and 404 for If-Match on a missing key), listing with a delimiter and
 * continuation tokens, copies, and multipart uploads with S3's part rules (parts ascending, every
 * part but the last at least 5 MiB, ETags matching). Authentication and authorization are the
 * callers' business (s3-stand-in.ts, s3-presigned-front.ts); errors are S3's, by name and status.
 */
import { createHash, randomBytes } from "node:crypto";
import { S3ServiceException } from "@aws-sdk/client-s3";

/** An S3 error as the SDK deserializes one: `name` is S3's error code. */
export function s3ServiceError(name: string, httpStatusCode: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } });
}

export interface ObjectProps {
  contentType: string;
  contentDisposition?: string;
  cacheControl?: string;
  metadata: Record<string, string>;
}

export interface StoredObject extends ObjectProps {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export type Range = { first: number; last?: number } | { suffix: number };

interface Upload {
  key: string;
  props: ObjectProps;
  parts: Map<number, { etag: string; body: Buffer }>;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest();

/** `bytes=0-99`, `bytes=100-`, `bytes=-50` → a Range (malformed headers are ignored, as S3 does). */
export function parseRangeHeader(value: string | undefined): Range | undefined {
  const match = /^bytes=(?:(\d+)-(\d*)|-(\d+))$/.exec(value ?? "");
  if (!match) return undefined;
  if (match[3] !== undefined) return { suffix: Number(match[3]) };
  return { first: Number(match[1]), ...(match[2] ? { last: Number(match[2]) } : {}) };
}

export class S3ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, Upload>();

  constructor(private readonly now: () => number) {}

  private checkWrite(key: string, conditions: Conditions): void {
    const current = this.objects.get(key);
    if (conditions.ifNoneMatch === "*" && current) throw s3ServiceError("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
    if (conditions.ifMatch !== undefined) {
      if (!current) throw s3ServiceError("NoSuchKey", 404, "The specified key does not exist.");
      if (current.etag !== conditions.ifMatch) throw s3ServiceError("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");
    }
  }

  put(key: string, body: Buffer, props: ObjectProps, conditions: Conditions = {}, etag = `"${md5(body).toString("hex")}"`): StoredObject {
    this.checkWrite(key, conditions);
    const object = { ...props, body, etag, lastModified: new Date(Math.floor(this.now() / 1000) * 1000) };
    this.objects.set(key, object);
    return object;
  }

  /** The object, or NoSuchKey / NotFound (HEAD has no body to name the error, so the SDK says NotFound). */
  find(key: string, headRequest = false): StoredObject {
    const object = this.objects.get(key);
    if (!object) throw headRequest ? s3ServiceError("NotFound", 404) : s3ServiceError("NoSuchKey", 404, "The specified key does not exist.");
    return object;
  }

  /** Applies If-None-Match (304 when a tag matches, or `*` and the object exists). */
  checkRead(object: StoredObject, ifNoneMatch: string | undefined): void {
    if (ifNoneMatch === undefined) return;
    const tags = ifNoneMatch.split(",").map((t) => t.trim().replace(/^W\//, ""));
    if (tags.includes("*") || tags.includes(object.etag)) throw s3ServiceError("NotModified", 304, "Not Modified");
  }

  /** The bytes a range selects, or InvalidRange (416) when it starts beyond the end. */
  slice(object: StoredObject, range: Range | undefined): { body: Buffer; contentRange?: string } {
    if (!range) return { body: object.body };
    const size = object.body.byteLength;
    let first: number;
    let last: number;
    if ("suffix" in range) {
      first = Math.max(0, size - range.suffix);
      last = size - 1;
    } else {
      first = range.first;
      last = Math.min(range.last ?? size - 1, size - 1);
    }
    if (first >= size || size === 0) throw s3ServiceError("InvalidRange", 416, "The requested range is not satisfiable");
    return { body: object.body.subarray(first, last + 1), contentRange: `bytes ${first}-${last}/${size}` };
  }

  copy(source: string, destination: string): StoredObject {
    const from = this.find(source);
    return this.put(destination, from.body, { contentType: from.contentType, contentDisposition: from.contentDisposition, cacheControl: from.cacheControl, metadata: { ...from.metadata } }, {}, from.etag);
  }

  /** A page of keys under `prefix`; with `delimiter`, keys below the next delimiter collapse into common prefixes. */
  list(prefix: string, options: { delimiter?: string; maxKeys?: number; continuationToken?: string }) {
    const entries: { key: string; folder: boolean }[] = [];
    const seenFolders = new Set<string>();
    for (const key of [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
      const rest = key.slice(prefix.length);
      const cut = options.delimiter ? rest.indexOf(options.delimiter) : -1;
      if (cut >= 0) {
        const folder = prefix + rest.slice(0, cut + options.delimiter!.length);
        if (!seenFolders.has(folder)) entries.push({ key: folder, folder: true });
        seenFolders.add(folder);
      } else {
        entries.push({ key, folder: false });
      }
    }
    let start = 0;
    if (options.continuationToken !== undefined) {
      const after = Buffer.from(options.continuationToken, "base64").toString("utf8");
      if (!after.startsWith("after:")) throw s3ServiceError("InvalidArgument", 400, "The continuation token provided is incorrect");
      start = entries.findIndex((e) => e.key > after.slice("after:".length));
      if (start < 0) start = entries.length;
    }
    const maxKeys = options.maxKeys ?? 1000;
    const page = entries.slice(start, start + maxKeys);
    const truncated = start + maxKeys < entries.length;
    return {
      objects: page.filter((e) => !e.folder).map((e) => ({ key: e.key, object: this.objects.get(e.key)! })),
      folders: page.filter((e) => e.folder).map((e) => e.key),
      nextContinuationToken: truncated ? Buffer.from(`after:${page[page.length - 1]!.key}`).toString("base64") : undefined,
    };
  }

  createUpload(key: string, props: ObjectProps): string {
    const uploadId = randomBytes(24).toString("base64url");
    this.uploads.set(uploadId, { key, props, parts: new Map() });
    return uploadId;
  }

  /** The upload, if it exists for this key: an id of another key is as unknown as a made-up one. */
  private upload(key: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.key !== key) throw s3ServiceError("NoSuchUpload", 404, "The specified upload does not exist.");
    return upload;
  }

  putPart(key: string, uploadId: string, partNumber: number, body: Buffer): string {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw s3ServiceError("InvalidArgument", 400, "Part number must be an integer between 1 and 10000");
    const upload = this.upload(key, uploadId);
    const etag = `"${md5(body).toString("hex")}"`;
    upload.parts.set(partNumber, { etag, body });
    return etag;
  }

  complete(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], conditions: Conditions = {}): StoredObject {
    const upload = this.upload(key, uploadId);
    let previous = 0;
    const chosen = parts.map(({ partNumber, etag }) => {
      if (partNumber <= previous) throw s3ServiceError("InvalidPartOrder", 400, "The list of parts was not in ascending order.");
      previous = partNumber;
      const part = upload.parts.get(partNumber);
      const normalize = (tag: string) => (tag.startsWith('"') ? tag : `"${tag}"`);
      if (!part || part.etag !== normalize(etag)) throw s3ServiceError("InvalidPart", 400, "One or more of the specified parts could not be found.");
      return part;
    });
    chosen.slice(0, -1).forEach((part) => {
      if (part.body.byteLength < MIN_PART_BYTES) throw s3ServiceError("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");
    });
    // Each part's ETag is its MD5 (putPart), so the parts need not be hashed again.
    const etag = `"${md5(Buffer.concat(chosen.map((p) => Buffer.from(p.etag.slice(1, -1), "hex")))).toString("hex")}-${chosen.length}"`;
    const object = this.put(key, Buffer.concat(chosen.map((p) => p.body)), upload.props, conditions, etag);
    this.uploads.delete(uploadId);
    return object;
  }

  abort(key: string, uploadId: string): void {
    this.upload(key, uploadId);
    this.uploads.delete(uploadId);
  }
}
