/**
 * A refusal or failure from the Files API (or from S3 behind a presigned URL), with what the
 * caller needs to act on it: the HTTP status, the API's stable error code, its request id (to
 * quote in a support request) and how long to wait before retrying a 503.
 */
export class FilesApiError extends Error {
  constructor(
    public readonly status: number,
    /** The API's error code (`not_found`, `precondition_failed`, …), or S3's (`AccessDenied`) for a presigned request. */
    public readonly code: string,
    message: string,
    /** The API's request id, when the answer came from the API. */
    public readonly requestId?: string,
    /** Seconds, from Retry-After, when the server asked for a pause. */
    public readonly retryAfterSeconds?: number,
    /** The answer's other fields (e.g. `limit`, `problems`). */
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "FilesApiError";
  }

  /** Worth trying again later (throttling, a timeout, a service briefly unavailable). */
  get retryable(): boolean {
    return this.status === 503 || this.status === 429 || this.status >= 500;
  }
}

/** The error a non-2xx API answer stands for (its JSON body when there is one). */
export async function apiError(response: Response): Promise<FilesApiError> {
  const retryAfter = Number(response.headers.get("retry-after"));
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // HEAD answers and gateway errors carry no JSON.
  }
  const { error, message, requestId, ...details } = body;
  return new FilesApiError(
    response.status,
    typeof error === "string" ? error : `http_${response.status}`,
    typeof message === "string" ? message : `The Files API answered ${response.status}.`,
    typeof requestId === "string" ? requestId : undefined,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    details,
  );
}

/** The error a non-2xx S3 answer to a presigned URL stands for (S3 answers in XML). */
export async function storageError(response: Response): Promise<FilesApiError> {
  const text = await response.text().catch(() => "");
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `http_${response.status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `S3 answered ${response.status}.`;
  return new FilesApiError(response.status, code, message);
}
