/**
 * A typed client of the Files API for a server that holds the signed-in user's Cognito IdToken
 * (e.g. a Next.js route handler with NextAuth's Cognito provider). It depends on nothing but
 * `fetch`: list (paged, with folders), properties, download URLs, downloads (whole or a byte
 * range), uploads of any size (inline, one presigned PUT, or multipart with progress and abort),
 * copy and delete. Every key LIST returns can be read and deleted: keys that cannot travel in a
 * path use the API's `?key=` forms.
 */
import { FILES_API_ROUTES, MAX_UPLOAD_BYTES_LIMIT, type FileProperties, type FilesApiRouteKey, type ListedFile, type ListPage } from "../contract/files-api";
import { isPathSafeKey } from "../contract/object-keys";
import { apiError, FilesApiError, storageError } from "./files-api-error";
import { multipartUpload, sizeOf, type Progress, type UploadData } from "./multipart-upload";

export { FilesApiError, type FileProperties, type ListedFile, type ListPage, type Progress, type UploadData };

export interface FilesClientOptions {
  /** The API's base URL: the stack output `filesApiEndpoint`. */
  endpoint: string;
  /** The user's IdToken, or a function giving the current one (called per request, so a refreshed token is used). */
  idToken: string | (() => string | Promise<string>);
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Files up to this size go through the API in one request (at most the stack's `maxUploadBytes`). @default 4 MiB */
  inlineUploadMaxBytes?: number;
  /** Files above this size are uploaded in parts; between the two, with one presigned PUT. @default 16 MiB */
  multipartThresholdBytes?: number;
  /** Parts uploaded at once. @default 4 */
  concurrency?: number;
}

export interface ListOptions {
  /** Only keys starting with this (e.g. `photos/2024/`). */
  prefix?: string;
  /** `/`: list one folder level, sub-folders in `folders`. */
  delimiter?: "/";
  /** 1 to 1000. @default 100 */
  limit?: number;
  continuationToken?: string;
}

export interface UploadOptions {
  contentType?: string;
  /** Stored with the file, e.g. `attachment; filename="report.pdf"`. */
  contentDisposition?: string;
  cacheControl?: string;
  /** Up to 10 entries of lower-case name → visible-ASCII value, 2 KB in all. */
  metadata?: Record<string, string>;
  /** `*`: only create, never overwrite (412 if the file exists). */
  ifNoneMatch?: "*";
  /** Only overwrite this version (412 otherwise). */
  ifMatch?: string;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Multipart part size in bytes (at least 5 MiB). @default chosen by the API (8 MiB or more) */
  partSize?: number;
}

export interface Download {
  body: Uint8Array;
  contentType: string;
  etag: string | null;
  /** For a range: the bytes returned and the whole size. */
  range: { first: number; last: number; size: number } | null;
}

const MiB = 1024 * 1024;
/** Whether URL parsers would rewrite the key's path (a `.` or `..` segment is removed before sending). */
const hasDotSegment = (key: string) => key.split("/").some((segment) => segment === "." || segment === "..");

/** A successful GET answer (the API's or S3's) as a Download. */
async function downloaded(response: Response): Promise<Download> {
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  return {
    body: new Uint8Array(await response.arrayBuffer()),
    contentType: response.headers.get("content-type") ?? "application/octet-stream",
    etag: response.headers.get("etag"),
    range: contentRange ? { first: Number(contentRange[1]), last: Number(contentRange[2]), size: Number(contentRange[3]) } : null,
  };
}
const pathOf = (key: string) => key.split("/").map(encodeURIComponent).join("/");

export class FilesClient {
  private readonly fetchFn: typeof fetch;
  private readonly endpoint: string;

  constructor(private readonly options: FilesClientOptions) {
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.endpoint = options.endpoint.replace(/\/+$/, "");
  }

  /** One request to the API, with the IdToken; a non-2xx answer becomes a FilesApiError. */
  private async request(method: string, path: string, init: { query?: Record<string, string>; headers?: Record<string, string>; body?: RequestInit["body"]; signal?: AbortSignal } = {}): Promise<Response> {
    const token = typeof this.options.idToken === "function" ? await this.options.idToken() : this.options.idToken;
    const query = init.query && Object.keys(init.query).length > 0 ? `?${new URLSearchParams(init.query)}` : "";
    const response = await this.fetchFn(`${this.endpoint}${path}${query}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (!response.ok && response.status !== 304) throw await apiError(response);
    return response;
  }

  private async post<T>(route: FilesApiRouteKey, body: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.request("POST", route.slice("POST ".length), { headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
    return (await response.json()) as T;
  }

  /** Method and path (plus query) addressing one file: `/files/<key>`, or `/files?key=` when the key cannot be a path. */
  private addressOf(key: string): { path: string; query: Record<string, string> } {
    return isPathSafeKey(key) ? { path: `/files/${pathOf(key)}`, query: {} } : { path: "/files", query: { key } };
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const query: Record<string, string> = {};
    if (options.prefix) query.prefix = options.prefix;
    if (options.delimiter) query.delimiter = options.delimiter;
    if (options.limit !== undefined) query.limit = String(options.limit);
    if (options.continuationToken) query.continuationToken = options.continuationToken;
    return (await (await this.request("GET", "/files", { query })).json()) as ListPage;
  }

  /** Every file (and folder) under the options' prefix, page by page. */
  async *listAll(options: Omit<ListOptions, "continuationToken"> = {}): AsyncGenerator<ListPage> {
    let continuationToken: string | undefined;
    do {
      const page = await this.list({ ...options, ...(continuationToken ? { continuationToken } : {}) });
      yield page;
      continuationToken = page.nextContinuationToken ?? undefined;
    } while (continuationToken);
  }

  async getProperties(key: string): Promise<FileProperties> {
    const { path, query } = this.addressOf(key);
    const { headers } = await this.request("HEAD", path, { query });
    const metadata: Record<string, string> = {};
    headers.forEach((value, name) => {
      if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
    });
    return {
      size: Number(headers.get("content-length") ?? 0),
      contentType: headers.get("content-type") ?? "application/octet-stream",
      etag: headers.get("etag"),
      lastModified: headers.get("last-modified"),
      cacheControl: headers.get("x-object-cache-control"),
      contentDisposition: headers.get("x-object-content-disposition"),
      metadata,
    };
  }

  /** A URL that downloads the file straight from S3 until `expiresAt` (any size; any HTTP client, Range allowed). */
  async getUrl(key: string, options: { filename?: string; disposition?: "attachment" | "inline" } = {}): Promise<{ url: string; expiresAt: string }> {
    return this.post(FILES_API_ROUTES.downloadUrl, { key, ...options });
  }

  /**
   * The file's bytes, or one range of them (`last` inclusive). Small answers come through the API;
   * a file or range too large for it comes from S3 through a download URL, or, for a key no URL
   * can carry, through the API in pieces.
   */
  async download(key: string, options: { range?: { first: number; last?: number }; signal?: AbortSignal } = {}): Promise<Download> {
    const range = options.range ? `bytes=${options.range.first}-${options.range.last ?? ""}` : undefined;
    const headers = range ? { range } : undefined;
    let response: Response;
    try {
      const { path, query } = this.addressOf(key);
      response = await this.request("GET", path, { query, ...(headers ? { headers } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (!(error instanceof FilesApiError) || error.code !== "object_too_large_to_return") throw error;
      if (hasDotSegment(key)) {
        // The API names its limit in the 413; the upload limit is the same 4 MiB should it not.
        const limit = Number(error.details.limit);
        return this.downloadInPieces(key, Number.isInteger(limit) && limit > 0 ? limit : MAX_UPLOAD_BYTES_LIMIT, options);
      }
      const { url } = await this.getUrl(key);
      response = await this.fetchFn(url, { ...(headers ? { headers } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      if (!response.ok) throw await storageError(response);
    }
    return downloaded(response);
  }

  /**
   * A large file whose key has a `.` or `..` segment: URL parsers (fetch, browsers, curl)
   * removes those segments before sending, so S3 would get another key than the URL was signed
   * for. Read through the API instead, in ranges of at most `pieceBytes`, all of one version.
   */
  private async downloadInPieces(key: string, pieceBytes: number, options: { range?: { first: number; last?: number }; signal?: AbortSignal }): Promise<Download> {
    const { path, query } = this.addressOf(key);
    const pieces: Uint8Array[] = [];
    let first = options.range?.first ?? 0;
    let last = options.range?.last;
    let whole: Download | undefined;
    do {
      const end = Math.min(last ?? Infinity, first + pieceBytes - 1);
      const headers = { range: `bytes=${first}-${end === Infinity ? "" : end}` };
      const piece = await downloaded(await this.request("GET", path, { query, headers, ...(options.signal ? { signal: options.signal } : {}) }));
      if (!piece.range) throw new FilesApiError(502, "range_ignored", "The API answered a ranged read with the whole file.");
      if (whole && piece.etag !== whole.etag) throw new FilesApiError(412, "changed_during_download", "The file changed while it was read in pieces; read it again.");
      whole ??= piece;
      last = Math.min(last ?? piece.range.size - 1, piece.range.size - 1);
      pieces.push(piece.body);
      first = piece.range.last + 1;
    } while (first <= last);
    const body = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
    pieces.reduce((at, p) => (body.set(p, at), at + p.byteLength), 0);
    const size = whole.range!.size;
    return { ...whole, body, range: options.range ? { first: options.range.first, last, size } : null };
  }

  /**
   * Uploads `data` under `key`: through the API up to `inlineUploadMaxBytes`, with one presigned
   * PUT up to `multipartThresholdBytes`, in parts beyond (progress per part, abortable).
   */
  async upload(key: string, data: UploadData, options: UploadOptions = {}): Promise<{ key: string; size: number; etag: string | null }> {
    const size = sizeOf(data);
    const { contentType, contentDisposition, cacheControl, metadata, ifNoneMatch, ifMatch, onProgress, signal } = options;
    const properties = { ...(contentType ? { contentType } : {}), ...(contentDisposition ? { contentDisposition } : {}), ...(cacheControl ? { cacheControl } : {}), ...(metadata ? { metadata } : {}) };
    const condition = { ...(ifNoneMatch ? { ifNoneMatch } : {}), ...(ifMatch ? { ifMatch } : {}) };
    let etag: string | null;
    if (size <= (this.options.inlineUploadMaxBytes ?? MAX_UPLOAD_BYTES_LIMIT) && isPathSafeKey(key)) {
      const headers: Record<string, string> = {};
      if (contentType) headers["content-type"] = contentType;
      if (contentDisposition) headers["content-disposition"] = contentDisposition;
      if (cacheControl) headers["cache-control"] = cacheControl;
      if (ifNoneMatch) headers["if-none-match"] = ifNoneMatch;
      if (ifMatch) headers["if-match"] = ifMatch;
      for (const [name, value] of Object.entries(metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
      const response = await this.request("PUT", `/files/${pathOf(key)}`, { headers, body: data, ...(signal ? { signal } : {}) });
      etag = ((await response.json()) as { etag: string | null }).etag;
    } else if (size <= (this.options.multipartThresholdBytes ?? 16 * MiB)) {
      const target = await this.post<{ url: string; headers: Record<string, string> }>(FILES_API_ROUTES.uploadUrl, { key, size, ...properties, ...condition }, signal);
      const response = await this.fetchFn(target.url, { method: "PUT", headers: target.headers, body: data, ...(signal ? { signal } : {}) });
      if (!response.ok) throw await storageError(response);
      etag = response.headers.get("etag");
    } else {
      const api = { post: <T>(path: string, body: unknown, s?: AbortSignal) => this.post<T>(`POST ${path}` as FilesApiRouteKey, body, s), fetch: this.fetchFn };
      ({ etag } = await multipartUpload(api, key, data, {
        properties,
        condition,
        concurrency: this.options.concurrency ?? 4,
        ...(options.partSize ? { partSize: options.partSize } : {}),
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
      }));
      return { key, size, etag };
    }
    onProgress?.({ transferredBytes: size, totalBytes: size });
    return { key, size, etag };
  }

  /** Copies a file inside the user's folder (S3-side, up to 5 GiB). */
  async copy(source: string, destination: string): Promise<{ key: string; etag: string | null }> {
    return this.post(FILES_API_ROUTES.copy, { source, destination });
  }

  async remove(key: string): Promise<void> {
    const { path, query } = this.addressOf(key);
    await this.request("DELETE", path, { query });
  }
}
