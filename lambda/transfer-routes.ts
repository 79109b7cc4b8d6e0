/**
 * The routes that hand out presigned URLs: download and upload URLs, and multipart uploads
 * (create → part URLs → complete | abort). Bodies are JSON; every field is checked before any
 * AWS call, and unknown fields are refused. New files get keys that can travel in a path (the
 * strict rules); reading any key LIST returns uses the looser stored-key rule.
 */
import { MAX_PART_URLS_PER_REQUEST, S3_LIMITS, defaultPartSize } from "../contract/files-api";
import type { WriteOptions } from "./files-store";
import { HttpError, jsonResult } from "./http-errors";
import { cacheControlOf, contentTypeOf, downloadDisposition, metadataOf, storedContentDisposition, writeCondition } from "./object-options";
import type { Operation } from "./operation";
import { badRequest, integerField, jsonBody, onlyFields, optionalString, pathKey, storedKey } from "./request-input";

const WRITE_FIELDS = ["contentType", "contentDisposition", "cacheControl", "metadata"] as const;
const CONDITION_FIELDS = ["ifMatch", "ifNoneMatch"] as const;
/** S3 upload ids are opaque printable strings. */
const UPLOAD_ID = /^[\x21-\x7e]{1,1024}$/;

/** A key for a new file: a string obeying the path rules (so every client can address it later). */
function newKey(value: unknown): string {
  if (typeof value !== "string") throw badRequest("invalid_key", "key must be a string naming the file.", { problems: ["is missing or not a string"] });
  return pathKey(value);
}

function writeOptions(body: Record<string, unknown>): WriteOptions {
  const contentDisposition = storedContentDisposition(optionalString(body, "contentDisposition"));
  const cacheControl = cacheControlOf(optionalString(body, "cacheControl"));
  const metadata = metadataOf(body.metadata);
  return {
    contentType: contentTypeOf(optionalString(body, "contentType")),
    ...(contentDisposition ? { contentDisposition } : {}),
    ...(cacheControl ? { cacheControl } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

function uploadId(body: Record<string, unknown>): string {
  const value = body.uploadId;
  if (typeof value !== "string" || !UPLOAD_ID.test(value)) throw badRequest("invalid_upload_id", "uploadId must be the id returned when the upload was created.");
  return value;
}

const downloadUrl: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "filename", "disposition"]);
  const key = storedKey(body.key);
  const disposition = downloadDisposition(optionalString(body, "filename"), body.disposition);
  return async ({ transfers }) => jsonResult(200, { key, ...(await transfers.downloadUrl(key, disposition)) });
};

const uploadUrl: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "size", ...WRITE_FIELDS, ...CONDITION_FIELDS]);
  const key = newKey(body.key);
  const size = integerField(body, "size", 0, S3_LIMITS.maxSinglePutBytes);
  const options = { ...writeOptions(body), ...writeCondition(optionalString(body, "ifMatch"), optionalString(body, "ifNoneMatch")) };
  return async ({ transfers }) => jsonResult(200, { key, size, ...(await transfers.uploadUrl(key, size, options)) });
};

/** The plan of a multipart upload: how many parts of which size; every part but the last is `partSize`. */
function partPlan(body: Record<string, unknown>): { size: number; partSize: number; partCount: number } {
  const size = integerField(body, "size", 1, S3_LIMITS.maxObjectBytes);
  const partSize =
    body.partSize === undefined ? defaultPartSize(size) : integerField(body, "partSize", S3_LIMITS.minPartBytes, S3_LIMITS.maxPartBytes, "invalid_part_size");
  const partCount = Math.ceil(size / partSize);
  if (partCount > S3_LIMITS.maxParts) {
    throw badRequest("too_many_parts", `${partCount} parts of ${partSize} bytes exceed S3's ${S3_LIMITS.maxParts}; choose a partSize of at least ${Math.ceil(size / S3_LIMITS.maxParts)}.`);
  }
  return { size, partSize, partCount };
}

const multipartCreate: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "size", "partSize", ...WRITE_FIELDS]);
  const key = newKey(body.key);
  const plan = partPlan(body);
  const options = writeOptions(body);
  return async ({ transfers }) => jsonResult(200, { key, ...plan, ...(await transfers.createMultipart(key, options)) });
};

const multipartPartUrls: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "uploadId", "size", "partSize", "partNumbers"]);
  const key = newKey(body.key);
  const id = uploadId(body);
  const { size, partSize, partCount } = partPlan(body);
  const numbers = body.partNumbers;
  if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > MAX_PART_URLS_PER_REQUEST) {
    throw badRequest("invalid_part_numbers", `partNumbers must list 1 to ${MAX_PART_URLS_PER_REQUEST} part numbers.`);
  }
  const parts = numbers.map((n: unknown) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > S3_LIMITS.maxParts) {
      throw badRequest("invalid_part_number", `Part numbers are whole numbers from 1 to ${S3_LIMITS.maxParts}.`);
    }
    if (n > partCount) throw badRequest("invalid_part_number", `This upload has ${partCount} parts; there is no part ${n}.`);
    // Each URL is signed for its part's exact length: S3 refuses any other.
    return { partNumber: n, size: n < partCount ? partSize : size - (partCount - 1) * partSize };
  });
  if (new Set(numbers).size !== numbers.length) throw badRequest("invalid_part_number", "partNumbers lists a part twice.");
  return async ({ transfers }) => jsonResult(200, { key, uploadId: id, ...(await transfers.partUrls(key, id, parts)) });
};

const multipartComplete: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "uploadId", "parts", ...CONDITION_FIELDS]);
  const key = newKey(body.key);
  const id = uploadId(body);
  const list = body.parts;
  if (!Array.isArray(list) || list.length === 0 || list.length > S3_LIMITS.maxParts) {
    throw badRequest("invalid_parts", `parts must list 1 to ${S3_LIMITS.maxParts} {partNumber, etag} entries.`);
  }
  let previous = 0;
  const parts = list.map((entry: unknown) => {
    const part = entry as { partNumber?: unknown; etag?: unknown } | null;
    if (typeof part !== "object" || part === null || typeof part.etag !== "string" || !/^"?[\x21\x23-\x7e]{1,128}"?$/.test(part.etag)) {
      throw badRequest("invalid_parts", "Each part is {partNumber, etag}, etag as S3 returned it for that part.");
    }
    const n = part.partNumber;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > S3_LIMITS.maxParts) {
      throw badRequest("invalid_part_number", `Part numbers are whole numbers from 1 to ${S3_LIMITS.maxParts}.`);
    }
    if (n <= previous) throw badRequest("invalid_part_order", "Parts must be listed in ascending part-number order, each once.");
    previous = n;
    return { partNumber: n, etag: part.etag };
  });
  const condition = writeCondition(optionalString(body, "ifMatch"), optionalString(body, "ifNoneMatch"));
  return async ({ transfers }) => jsonResult(200, { key, ...(await transfers.completeMultipart(key, id, parts, condition)) });
};

const multipartAbort: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["key", "uploadId"]);
  const key = newKey(body.key);
  const id = uploadId(body);
  return async ({ transfers }) => {
    await transfers.abortMultipart(key, id);
    return jsonResult(200, { key, uploadId: id, aborted: true });
  };
};

export const transferRoutes = { downloadUrl, uploadUrl, multipartCreate, multipartPartUrls, multipartComplete, multipartAbort };

/** For the URL routes: the lifetime a URL may have now. */
export function urlSeconds(boundSeconds: number, credentialsExpireAtMs: number, nowMs: number): number {
  const seconds = Math.floor(Math.min(boundSeconds, (credentialsExpireAtMs - nowMs) / 1000));
  if (seconds < 1) throw new HttpError(503, "credentials_expiring", "The credentials are about to expire; try again.", {}, { "retry-after": "1" });
  return seconds;
}
