/**
 * What the Files API promises on both sides of a deploy: the routes API Gateway sends to the
 * function, the upload limit, the throttling and log-retention values AWS accepts, and which
 * browser origins may call it. Stage config validates against these, the FilesApi component
 * builds from them, and the Lambda serves them.
 */

/** The routes by what they do: API Gateway route keys, each behind the JWT authorizer. */
export const FILES_API_ROUTES = {
  list: "GET /files",
  get: "GET /files/{key+}",
  put: "PUT /files/{key+}",
  delete: "DELETE /files/{key+}",
} as const;
export type FilesApiRouteKey = (typeof FILES_API_ROUTES)[keyof typeof FILES_API_ROUTES];
/** Every route key, as the API declares them. */
export const FILES_API_ROUTE_KEYS: readonly FilesApiRouteKey[] = Object.values(FILES_API_ROUTES);

/**
 * Largest upload the function can accept. A Lambda invoked synchronously takes at most 6 MB
 * (6,291,456 bytes) of request payload; API Gateway hands binary bodies over base64-encoded
 * (4 bytes for every 3) inside a JSON envelope, so 4 MiB of file is about 5.6 MB of payload.
 */
export const MAX_UPLOAD_BYTES_LIMIT = 4 * 1024 * 1024;

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
