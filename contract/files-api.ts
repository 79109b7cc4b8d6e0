/**
 * What the Files API promises on both sides of a deploy: the routes API Gateway sends to the
 * function, the upload and multipart limits, the URL and credential lifetimes, the request
 * budget, throttling and log retention, and which browser origins may call the API and the
 * bucket. Stage config validates against these, the components build from them, the Lambda
 * serves them and the client (client/) speaks them.
 */

/** The routes by what they do: API Gateway route keys, each behind the JWT authorizer. */
export const FILES_API_ROUTES = {
  /** List a page of the caller's files (`prefix`, `delimiter=/`, `limit`, `continuationToken`), or with `key` get one file. */
  list: "GET /files",
  get: "GET /files/{key+}",
  head: "HEAD /files/{key+}",
  put: "PUT /files/{key+}",
  delete: "DELETE /files/{key+}",
  /** `HEAD /files?key=…`: any key LIST returns, also those that cannot travel in a path. */
  headByQuery: "HEAD /files",
  /** `DELETE /files?key=…`: any key LIST returns. */
  deleteByQuery: "DELETE /files",
  /** A presigned GET URL (any size, optional Content-Disposition filename). */
  downloadUrl: "POST /files/download-url",
  /** A presigned PUT URL for one request of up to 5 GiB. */
  uploadUrl: "POST /files/upload-url",
  copy: "POST /files/copy",
  multipartCreate: "POST /files/multipart",
  multipartPartUrls: "POST /files/multipart/part-urls",
  multipartComplete: "POST /files/multipart/complete",
  multipartAbort: "POST /files/multipart/abort",
} as const;
export type FilesApiRouteName = keyof typeof FILES_API_ROUTES;
export type FilesApiRouteKey = (typeof FILES_API_ROUTES)[FilesApiRouteName];
/** Every route key, as the API declares them. */
export const FILES_API_ROUTE_KEYS: readonly FilesApiRouteKey[] = Object.values(FILES_API_ROUTES);

/**
 * Largest upload the function can accept inline. A Lambda invoked synchronously takes at most
 * 6 MB (6,291,456 bytes) of request payload; API Gateway hands binary bodies over base64-encoded
 * (4 bytes for every 3) inside a JSON envelope, so 4 MiB of file is about 5.6 MB of payload.
 * Larger files go straight to S3 through presigned URLs.
 */
export const MAX_UPLOAD_BYTES_LIMIT = 4 * 1024 * 1024;

const MiB = 1024 * 1024;
/** S3's multipart rules (and its single-PUT limit). */
export const S3_LIMITS = {
  /** Every part but the last must hold at least this much. */
  minPartBytes: 5 * MiB,
  maxPartBytes: 5 * 1024 * MiB,
  maxParts: 10_000,
  /** Largest object one PUT (or one presigned PUT URL) can write. */
  maxSinglePutBytes: 5 * 1024 * MiB,
  /** Largest object S3 stores. */
  maxObjectBytes: 5 * 1024 * 1024 * MiB,
  /** User metadata (`x-amz-meta-*` names and values), in bytes. */
  maxMetadataBytes: 2048,
} as const;

/** Part size the API proposes when the caller names none: 8 MiB, larger only when 10,000 parts would not hold the file. */
export function defaultPartSize(sizeBytes: number): number {
  const least = Math.ceil(sizeBytes / S3_LIMITS.maxParts);
  return Math.max(8 * MiB, Math.ceil(least / MiB) * MiB);
}

/** Part URLs one `part-urls` request may ask for (each is ~1.5 KB with the session token). */
export const MAX_PART_URLS_PER_REQUEST = 500;
/** User metadata entries one file may carry. */
export const MAX_METADATA_ENTRIES = 10;

/** Presigned URL lifetime bound (stage config `presignedUrlMaxSeconds`). */
export const PRESIGNED_URL_SECONDS = { min: 60, max: 3600, default: 900 } as const;
/**
 * How long identity credentials obtained with one IdToken are reused (stage config
 * `credentialsCacheSeconds`): the bound on how long a signed-out user keeps API access. 0
 * disables reuse: every request asks the identity pool, which checks the token server-side.
 */
export const CREDENTIALS_CACHE_SECONDS = { min: 0, max: 3600, default: 300 } as const;

/** Lambda function timeouts the API can wait for: its integration timeout is 30 s. */
export const FUNCTION_TIMEOUT_SECONDS = { min: 3, max: 29, default: 10 } as const;
/**
 * The time the handler gives one request, below the function's timeout: it answers with its own
 * JSON 503 this long before Lambda would kill it, leaving room to write the answer and the log.
 */
export function requestBudgetMs(functionTimeoutSeconds: number): number {
  const timeoutMs = functionTimeoutSeconds * 1000;
  return timeoutMs - Math.max(1000, Math.round(timeoutMs * 0.1));
}

/** One file in a LIST answer. */
export interface ListedFile {
  /** Relative to the caller's folder. */
  key: string;
  size: number;
  /** ISO time. */
  lastModified: string | null;
  etag: string | null;
}

/** A LIST answer (`GET /files`). */
export interface ListPage {
  items: ListedFile[];
  /** With `delimiter=/`: the sub-folders, relative to the caller's folder, each ending in `/`. */
  folders: string[];
  nextContinuationToken: string | null;
}

/** What HEAD reports about a file (as headers: see lambda/README.md). */
export interface FileProperties {
  size: number;
  contentType: string;
  etag: string | null;
  /** HTTP date. */
  lastModified: string | null;
  /** The Cache-Control stored with the file (`x-object-cache-control`). */
  cacheControl: string | null;
  /** The Content-Disposition stored with the file (`x-object-content-disposition`). */
  contentDisposition: string | null;
  /** User metadata (`x-amz-meta-*`). */
  metadata: Record<string, string>;
}

/** API Gateway stage throttling: what the stage accepts. */
export const THROTTLE_LIMITS = {
  /** Largest burst, in requests. */
  burst: { min: 1, max: 5000 },
  /** Steady rate, in requests per second. */
  rate: { min: 1, max: 10000 },
} as const;

/** CloudWatch Logs' allowed retention periods, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const ORIGIN = /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)$/;

/** What is wrong with one CORS origin, or undefined when it is allowed (`*` only where `allowWildcard`). */
export function corsOriginProblem(origin: string, allowWildcard: boolean): string | undefined {
  if (origin === "*") return allowWildcard ? undefined : "'*' (any origin) is allowed only on a dev stage";
  if (!ORIGIN.test(origin)) return `CORS origin ${JSON.stringify(origin)} must be https://host[:port] or http://localhost[:port], without a path`;
  return undefined;
}

/** Request headers the API reads, beyond the IdToken; a browser must be allowed to send them. */
const API_REQUEST_HEADERS = ["content-type", "if-match", "if-none-match", "range", "content-disposition", "cache-control"];

/** CORS of the API (browser calls to API Gateway), for the configured origins. */
export const API_CORS = {
  allowMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
  // idtoken: the header the original web app sent alongside (see lambda/id-token.ts).
  allowHeaders: ["authorization", "idtoken", ...API_REQUEST_HEADERS],
  exposeHeaders: ["etag", "content-length", "content-range", "content-disposition", "last-modified", "accept-ranges", "retry-after"],
  maxAgeSeconds: 600,
} as const;

/**
 * CORS of the bucket, for browsers using presigned URLs: GET/HEAD (with Range and
 * If-None-Match) and PUT (the headers an upload URL signs); ETag exposed, since completing a
 * multipart upload needs each part's ETag.
 */
export const BUCKET_CORS = {
  allowedMethods: ["GET", "HEAD", "PUT"],
  allowedHeaders: API_REQUEST_HEADERS,
  exposeHeaders: ["ETag", "Content-Length", "Content-Range", "Content-Type", "Content-Disposition", "Last-Modified", "Accept-Ranges"],
  maxAgeSeconds: 600,
} as const;
