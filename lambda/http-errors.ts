/**
 * Every answer the function gives is JSON with a stable `error` code, a sentence for humans and,
 * where it helps, details. Internal failures never carry a message or stack trace to the client.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** An answer decided on purpose: thrown anywhere below the handler, turned into JSON there. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    /** Stable, machine-readable code (snake_case). */
    public readonly code: string,
    /** Safe to show the caller: never contains a token, a credential or an internal message. */
    public readonly publicMessage: string,
    public readonly details: Record<string, unknown> = {},
    public readonly headers: Record<string, string> = {},
    /** The upstream error's name, for the request log only. */
    public readonly upstreamName?: string,
  ) {
    super(`${status} ${code}`);
    this.name = "HttpError";
  }
}

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResult(error: HttpError, requestId: string): HttpResult {
  return jsonResult(
    error.status,
    { error: error.code, message: error.publicMessage, ...error.details, requestId },
    error.headers,
  );
}

/** For anything not decided on purpose: a 500 that says nothing about the cause. */
export function internalErrorResult(requestId: string): HttpResult {
  return jsonResult(500, { error: "internal_error", message: "The request failed on our side; it has been logged.", requestId });
}

export const unauthorized = (code: string, message: string, cause?: string): HttpError =>
  new HttpError(401, code, message, {}, { "www-authenticate": `Bearer error="invalid_token"` }, cause);

export const serviceBusy = (code: string, message: string, cause?: string): HttpError =>
  new HttpError(503, code, message, {}, { "retry-after": "1" }, cause);
