/**
 * What a request asks for, read and checked before any AWS call: the object key (from the path
 * or the query), list paging and folders, the upload's bytes and a JSON body. Each problem is a
 * 4xx naming it; nothing here touches AWS.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpError } from "./http-errors";
import { objectKeyProblems, storedKeyProblems } from "../contract/object-keys";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const MAX_CONTINUATION_TOKEN_LENGTH = 4096;
/** JSON request bodies are small (a part list of 10,000 entries is about 700 KB). */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

export const badRequest = (code: string, message: string, details: Record<string, unknown> = {}) => new HttpError(400, code, message, details);

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Headers whose name starts with `prefix` (lower-cased), without it. */
export function headersWithPrefix(event: APIGatewayProxyEventV2, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    const lower = key.toLowerCase();
    if (lower.startsWith(prefix) && value !== undefined) out[lower.slice(prefix.length)] = value;
  }
  return out;
}

/** Checks a key named in the path (strict: it must mean the same path after any decoding). */
export function pathKey(key: string | undefined): string {
  if (key === undefined) throw badRequest("invalid_key", "The path must name a key: /files/<key>.", { problems: ["is missing"] });
  const problems = objectKeyProblems(key);
  if (problems.length > 0) throw badRequest("invalid_key", `The key ${problems.join("; ")}.`, { problems });
  return key;
}

/** Checks a key sent in a query string or a JSON body: any key S3 can hold, as LIST returns it. */
export function storedKey(key: unknown, field = "key"): string {
  if (typeof key !== "string") throw badRequest("invalid_key", `${field} must be a string naming a file.`, { problems: ["is missing or not a string"] });
  const problems = storedKeyProblems(key);
  if (problems.length > 0) throw badRequest("invalid_key", `The key ${problems.join("; ")}.`, { problems });
  return key;
}

/** The key of an object route: `{key+}` from the path, or `?key=` on the `/files` forms. */
export function requestKey(event: APIGatewayProxyEventV2): string {
  if (event.routeKey.includes("{key+}")) return pathKey(event.pathParameters?.key);
  return storedKey(event.queryStringParameters?.key);
}

export interface ListQuery {
  limit: number;
  continuationToken?: string;
  /** Inside the caller's folder, matched literally (e.g. `photos/2024/`). */
  prefix: string;
  /** `/` groups keys below the next `/` into folders. */
  delimiter?: "/";
}

export function listQuery(event: APIGatewayProxyEventV2): ListQuery {
  const query = event.queryStringParameters ?? {};
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!/^\d{1,4}$/.test(query.limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw badRequest("invalid_limit", `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }
  const prefix = query.prefix ?? "";
  if (prefix !== "") {
    const problems = storedKeyProblems(prefix);
    if (problems.length > 0) throw badRequest("invalid_prefix", `prefix ${problems.join("; ")}.`, { problems });
  }
  const delimiter = query.delimiter;
  if (delimiter !== undefined && delimiter !== "/") throw badRequest("invalid_delimiter", "delimiter may only be '/' (folders).");
  const token = query.continuationToken;
  if (token !== undefined && (token.length === 0 || token.length > MAX_CONTINUATION_TOKEN_LENGTH || !/^[A-Za-z0-9+/=_.-]+$/.test(token))) {
    throw badRequest("invalid_continuation_token", "continuationToken must be a value returned as nextContinuationToken.");
  }
  return { limit, prefix, ...(token === undefined ? {} : { continuationToken: token }), ...(delimiter ? { delimiter } : {}) };
}

/**
 * Base64 as `Buffer.from(…).toString("base64")` writes it: length a multiple of 4, padding only
 * at the end, unused bits zero. Node's decoder accepts anything (it skips what it cannot read), so
 * a body that is not canonical could silently store other bytes than were sent.
 */
function decodeCanonicalBase64(raw: string): Buffer | undefined {
  if (raw.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) return undefined;
  const bytes = Buffer.from(raw, "base64");
  return bytes.toString("base64") === raw ? bytes : undefined;
}

/** The request body's bytes, decoded from base64 when API Gateway says so; at most `maxBytes` (413 beyond). */
export function requestBytes(event: APIGatewayProxyEventV2, maxBytes: number, tooLargeCode = "body_too_large"): Buffer {
  const raw = event.body ?? "";
  const tooLarge = (size?: number) =>
    new HttpError(413, tooLargeCode, `The body is limited to ${maxBytes} bytes here.`, { limit: maxBytes, ...(size === undefined ? {} : { size }) });
  let body: Buffer;
  if (event.isBase64Encoded) {
    // 4 base64 characters carry 3 bytes: anything longer cannot decode to maxBytes or fewer.
    if (raw.length > Math.ceil(maxBytes / 3) * 4) throw tooLarge();
    const decoded = decodeCanonicalBase64(raw);
    if (!decoded) throw badRequest("invalid_body_encoding", "The body is marked base64 but is not canonical base64 (length, padding or trailing bits).");
    body = decoded;
  } else {
    // A UTF-16 code unit is at least one UTF-8 byte.
    if (raw.length > maxBytes) throw tooLarge();
    body = Buffer.from(raw, "utf8");
  }
  if (body.byteLength > maxBytes) throw tooLarge(body.byteLength);
  return body;
}

/** A JSON object body (the POST routes), with its fields still unchecked. */
export function jsonBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const bytes = requestBytes(event, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw badRequest("invalid_json", "The body must be a JSON object.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest("invalid_json", "The body must be a JSON object.");
  return value as Record<string, unknown>;
}

/** Refuses fields a body may not carry, so a typo (`contentype`) is an error rather than silently ignored. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw badRequest("unknown_field", `Unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}.`);
}

/** A whole number field within [min, max]. */
export function integerField(body: Record<string, unknown>, name: string, min: number, max: number, code = `invalid_${name}`): number {
  const value = body[name];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(code, `${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** An optional string field (undefined when absent). */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badRequest(`invalid_${name}`, `${name} must be a string.`);
  return value;
}
