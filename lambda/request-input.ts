/**
 * What a request asks for, read and checked before any AWS call: the object key, list paging,
 * the upload's content type and bytes. Each problem is a 400 (or 413) naming it.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpError } from "./http-errors";
import { objectKeyProblems } from "./object-keys";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const MAX_CONTINUATION_TOKEN_LENGTH = 4096;
/** A media type with optional parameters (RFC 9110 tokens), as S3 will store and return it. */
// eslint-disable-next-line no-control-regex -- quoted parameter values must exclude control characters
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=("[^"\\\u0000-\u001f\u007f]*"|[\w!#$&^.+-]+))*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const badRequest = (code: string, message: string, details: Record<string, unknown> = {}) => new HttpError(400, code, message, details);

export function requestKey(event: APIGatewayProxyEventV2): string {
  const key = event.pathParameters?.key;
  if (key === undefined) throw badRequest("invalid_key", "The path must name a key: /files/<key>.", { problems: ["is missing"] });
  const problems = objectKeyProblems(key);
  if (problems.length > 0) throw badRequest("invalid_key", `The key ${problems.join("; ")}.`, { problems });
  return key;
}

export function listPage(event: APIGatewayProxyEventV2): { limit: number; continuationToken?: string } {
  const query = event.queryStringParameters ?? {};
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!/^\d{1,4}$/.test(query.limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw badRequest("invalid_limit", `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }
  const token = query.continuationToken;
  if (token === undefined) return { limit };
  if (token.length === 0 || token.length > MAX_CONTINUATION_TOKEN_LENGTH || !/^[A-Za-z0-9+/=_.-]+$/.test(token)) {
    throw badRequest("invalid_continuation_token", "continuationToken must be a value returned as nextContinuationToken.");
  }
  return { limit, continuationToken: token };
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

export function uploadContentType(event: APIGatewayProxyEventV2): string {
  const value = header(event, "content-type")?.trim();
  if (value === undefined || value === "") return "application/octet-stream";
  if (value.length > 255 || !MEDIA_TYPE.test(value)) throw badRequest("invalid_content_type", "Content-Type must be a media type such as 'text/plain; charset=utf-8'.");
  return value;
}

/** The upload's bytes; the size limit applies to the decoded body, checked before decoding where possible. */
export function uploadBody(event: APIGatewayProxyEventV2, maxBytes: number): Buffer {
  const raw = event.body ?? "";
  const tooLarge = (size?: number) =>
    new HttpError(413, "body_too_large", `Uploads are limited to ${maxBytes} bytes.`, { limit: maxBytes, ...(size === undefined ? {} : { size }) });
  let body: Buffer;
  if (event.isBase64Encoded) {
    // 4 base64 characters carry 3 bytes: anything longer cannot decode to maxBytes or fewer.
    if (raw.length > Math.ceil(maxBytes / 3) * 4) throw tooLarge();
    if (!BASE64.test(raw)) throw badRequest("invalid_body_encoding", "The body is marked base64 but is not valid base64.");
    body = Buffer.from(raw, "base64");
  } else {
    // A UTF-16 code unit is at least one UTF-8 byte.
    if (raw.length > maxBytes) throw tooLarge();
    body = Buffer.from(raw, "utf8");
  }
  if (body.byteLength > maxBytes) throw tooLarge(body.byteLength);
  return body;
}
