/**
 * A large upload, straight to S3 in parts: create the upload (the API fixes the part size), ask
 * for part URLs in batches, PUT the parts a few at a time (each retried on a transient failure,
 * and given a fresh URL once if S3 refuses the one it had), then complete with their ETags. Progress is reported as parts land. On any failure or abort
 * the upload is aborted, so no orphaned parts are left to pay for (the bucket's lifecycle rule
 * would remove them after some days anyway).
 */
import { FilesApiError, storageError } from "./files-api-error";

export type UploadData = Uint8Array | Blob;

export interface Progress {
  transferredBytes: number;
  totalBytes: number;
}

/** The API calls a multipart upload makes (FilesClient's, bound to its endpoint and token). */
export interface MultipartApi {
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
  fetch: typeof fetch;
}

export interface MultipartOptions {
  properties: Record<string, unknown>;
  partSize?: number;
  concurrency: number;
  condition: { ifMatch?: string; ifNoneMatch?: "*" };
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

const PART_URL_BATCH = 100;
const PART_ATTEMPTS = 3;

/** Bytes, told apart from a Blob without `instanceof` (which fails for arrays made in another realm: a worker, a vm context). */
const isBytes = (data: UploadData): data is Uint8Array => ArrayBuffer.isView(data);
export const sizeOf = (data: UploadData) => (isBytes(data) ? data.byteLength : data.size);
const sliceOf = (data: UploadData, start: number, end: number) => (isBytes(data) ? data.subarray(start, end) : data.slice(start, end));

/** A part's presigned URL, and how to get a fresh one for it. */
interface PartTarget {
  url: string;
  renew: () => Promise<string>;
}

/**
 * PUTs one part; a network failure or a 5xx from S3 is tried again (3 attempts in all). A 403 is
 * answered by asking the API for a fresh URL once: URLs of a batch live at most the configured
 * bound (15 minutes by default), which a long queue of parts on a slow link outlasts.
 */
async function putPart(api: MultipartApi, target: PartTarget, body: Uint8Array | Blob, signal?: AbortSignal): Promise<string> {
  let url = target.url;
  let renewed = false;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    let response: Response | undefined;
    try {
      response = await api.fetch(url, { method: "PUT", body, ...(signal ? { signal } : {}) });
    } catch (error) {
      failure = error;
    }
    if (response?.ok) {
      const etag = response.headers.get("etag");
      if (!etag) throw new FilesApiError(500, "missing_etag", "S3 did not return the part's ETag (does the bucket's CORS configuration expose ETag?).");
      return etag;
    }
    if (response) failure = await storageError(response);
    if (!renewed && failure instanceof FilesApiError && failure.status === 403) {
      renewed = true;
      url = await target.renew();
      attempt--;
      continue;
    }
    const retryable = failure instanceof FilesApiError ? failure.retryable : !signal?.aborted;
    if (!retryable || attempt >= PART_ATTEMPTS) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
}

export async function multipartUpload(api: MultipartApi, key: string, data: UploadData, options: MultipartOptions): Promise<{ etag: string | null }> {
  const size = sizeOf(data);
  const { uploadId, partSize, partCount } = await api.post<{ uploadId: string; partSize: number; partCount: number }>(
    "/files/multipart",
    { key, size, ...(options.partSize ? { partSize: options.partSize } : {}), ...options.properties },
    options.signal,
  );
  const partUrls = (partNumbers: number[]) =>
    api.post<{ parts: { partNumber: number; url: string }[] }>("/files/multipart/part-urls", { key, uploadId, size, partSize, partNumbers }, options.signal);
  const etags: string[] = new Array(partCount);
  let transferred = 0;
  try {
    for (let batchStart = 1; batchStart <= partCount; batchStart += PART_URL_BATCH) {
      const partNumbers = Array.from({ length: Math.min(PART_URL_BATCH, partCount - batchStart + 1) }, (_, i) => batchStart + i);
      const { parts } = await partUrls(partNumbers);
      const queue = [...parts];
      const worker = async () => {
        for (let part = queue.shift(); part; part = queue.shift()) {
          const { partNumber } = part;
          const start = (partNumber - 1) * partSize;
          const body = sliceOf(data, start, Math.min(size, start + partSize));
          // A refused URL means the batch's others are as old: renew them with it, in one request.
          const renew = async () => {
            const fresh = new Map((await partUrls([partNumber, ...queue.map((p) => p.partNumber)])).parts.map((p) => [p.partNumber, p.url]));
            for (const queued of queue) queued.url = fresh.get(queued.partNumber) ?? queued.url;
            return fresh.get(partNumber)!;
          };
          etags[partNumber - 1] = await putPart(api, { url: part.url, renew }, body, options.signal);
          transferred += sizeOf(body);
          options.onProgress?.({ transferredBytes: transferred, totalBytes: size });
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
    }
    return await api.post<{ etag: string | null }>(
      "/files/multipart/complete",
      { key, uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })), ...options.condition },
      options.signal,
    );
  } catch (error) {
    // Best effort: the error that stopped the upload is the one to report.
    await api.post("/files/multipart/abort", { key, uploadId }).catch(() => undefined);
    throw error;
  }
}
