/**
 * The Files API handler, built from its dependencies so that tests and the bench run the same
 * code as production with stand-in clients. Order per request: route, token, input, then AWS.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { LambdaEnv } from "../contract/lambda-env";
import { FILES_API_ROUTES } from "../contract/files-api";
import { FilesStore } from "./files-store";
import { HttpError, errorResult, internalErrorResult, jsonResult, type HttpResult } from "./http-errors";
import { idTokenFromHeaders, type IdTokenVerifier } from "./id-token";
import type { IdentitySessions } from "./identity-credentials";
import { identityFolder } from "./object-keys";
import { listPage, requestKey, uploadBody, uploadContentType } from "./request-input";
import { logRequest, stackFrames, type LogSink, type RequestLogEntry } from "./request-log";
import type { RetryPolicy } from "../aws-retry/retry";

export interface HandlerDeps {
  env: LambdaEnv;
  verifyIdToken: IdTokenVerifier;
  sessions: IdentitySessions;
  retry: RetryPolicy;
  log: LogSink;
  /** Milliseconds, for latency. @default performance.now */
  clock?: () => number;
  /** Largest object GET returns inline. @default MAX_INLINE_OBJECT_BYTES */
  maxInlineBytes?: number;
}

export type FilesApiHandler = (event: APIGatewayProxyEventV2, context?: Pick<Context, "awsRequestId">) => Promise<HttpResult>;

/** The routes this handler serves: the contract's (the API declares the same keys). */
export const ROUTES = FILES_API_ROUTES;

export function createHandler(deps: HandlerDeps): FilesApiHandler {
  const { env, verifyIdToken, sessions, retry } = deps;
  const clock = deps.clock ?? (() => performance.now());

  return async (event, context) => {
    const started = clock();
    const requestId = event?.requestContext?.requestId ?? context?.awsRequestId ?? "unknown";
    const route = typeof event?.routeKey === "string" ? event.routeKey.slice(0, 100) : "unknown";
    const entry: Omit<RequestLogEntry, "status" | "latencyMs"> = {
      requestId,
      ...(context?.awsRequestId ? { lambdaRequestId: context.awsRequestId } : {}),
      route,
    };
    let result: HttpResult;
    try {
      result = await handle(event, (identityId) => {
        entry.identityId = identityId;
      });
    } catch (error) {
      if (error instanceof HttpError) {
        result = errorResult(error, requestId);
        entry.error = error.code;
        if (error.upstreamName) entry.cause = error.upstreamName;
      } else {
        result = internalErrorResult(requestId);
        entry.error = "internal_error";
        entry.cause = error instanceof Error ? error.name : typeof error;
        entry.frames = stackFrames(error);
      }
    }
    logRequest(deps.log, { ...entry, status: result.statusCode, latencyMs: Math.round((clock() - started) * 1000) / 1000 });
    return result;
  };

  async function handle(event: APIGatewayProxyEventV2, actingAs: (identityId: string) => void): Promise<HttpResult> {
    const routeKey = event?.routeKey;
    if (!Object.values(ROUTES).includes(routeKey as (typeof ROUTES)[keyof typeof ROUTES])) {
      throw new HttpError(404, "route_not_found", "No such route.");
    }
    const caller = await verifyIdToken(idTokenFromHeaders(event.headers));

    // Input is checked before any AWS call, so bad requests cost nothing upstream.
    let work: (store: FilesStore) => Promise<HttpResult>;
    switch (routeKey) {
      case ROUTES.list: {
        const page = listPage(event);
        work = async (store) => {
          const { items, nextContinuationToken } = await store.list(page);
          return jsonResult(200, { items, nextContinuationToken });
        };
        break;
      }
      case ROUTES.get: {
        const key = requestKey(event);
        work = async (store) => {
          const object = await store.get(key);
          return {
            statusCode: 200,
            headers: {
              "content-type": object.contentType,
              "cache-control": "private, no-store",
              "x-content-type-options": "nosniff",
              // User content: a browser should save it, never render it as this API's page.
              "content-disposition": "attachment",
              ...(object.etag ? { etag: object.etag } : {}),
              ...(object.lastModified ? { "last-modified": object.lastModified } : {}),
            },
            body: object.body.toString("base64"),
            isBase64Encoded: true,
          };
        };
        break;
      }
      case ROUTES.put: {
        const key = requestKey(event);
        const contentType = uploadContentType(event);
        const body = uploadBody(event, env.maxUploadBytes);
        work = async (store) => {
          const { etag } = await store.put(key, body, contentType);
          return jsonResult(200, { key, size: body.byteLength, contentType, etag });
        };
        break;
      }
      default: {
        const key = requestKey(event);
        work = async (store) => {
          await store.delete(key);
          return jsonResult(200, { deleted: key });
        };
      }
    }

    return sessions.withSession(caller, (session) => {
      actingAs(session.identityId);
      const store = new FilesStore({
        s3: session.s3,
        bucket: env.bucketName,
        folder: identityFolder(env.storagePrefix, session.identityId),
        retry,
        ...(deps.maxInlineBytes === undefined ? {} : { maxInlineBytes: deps.maxInlineBytes }),
      });
      return work(store);
    });
  }
}
