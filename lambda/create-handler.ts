/**
 * The Files API handler, built from its dependencies so that tests and the bench run the same
 * code as production with stand-in clients. Order per request: route, event shape, token, input,
 * then AWS, all inside the request's time budget: when it runs out, the caller gets this API's own
 * JSON 503 (with Retry-After and the request id), before Lambda's timeout could cut it off.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { LambdaEnv } from "../contract/lambda-env";
import { FILES_API_ROUTES, type FilesApiRouteKey, type FilesApiRouteName } from "../contract/files-api";
import { identityFolder } from "../contract/object-keys";
import { Deadline } from "./deadline";
import { checkEventShape } from "./event-shape";
import { FilesStore } from "./files-store";
import { HttpError, errorResult, internalErrorResult, serviceBusy, type HttpResult } from "./http-errors";
import { idTokenFromHeaders, type IdTokenVerifier } from "./id-token";
import type { IdentitySessions } from "./identity-credentials";
import { objectRoutes } from "./object-routes";
import type { Operation } from "./operation";
import { logRequest, stackFrames, type LogSink, type RequestLogEntry } from "./request-log";
import { Transfers } from "./transfers";
import { transferRoutes, urlSeconds } from "./transfer-routes";
import type { RetryPolicy } from "../aws-retry/retry";

export interface HandlerDeps {
  env: LambdaEnv;
  verifyIdToken: IdTokenVerifier;
  sessions: IdentitySessions;
  retry: RetryPolicy;
  log: LogSink;
  /** Milliseconds, for latency and the request budget. @default performance.now */
  clock?: () => number;
  /** Milliseconds since the epoch, for URL expiry. @default Date.now */
  now?: () => number;
  /** Largest object GET returns inline. @default MAX_INLINE_OBJECT_BYTES */
  maxInlineBytes?: number;
}

export type FilesApiHandler = (event: APIGatewayProxyEventV2, context?: Pick<Context, "awsRequestId"> & Partial<Pick<Context, "getRemainingTimeInMillis">>) => Promise<HttpResult>;

/** The routes this handler serves: the contract's (the API declares the same keys). */
export const ROUTES = FILES_API_ROUTES;

const OPERATIONS: Record<FilesApiRouteName, Operation> = { ...objectRoutes, ...transferRoutes };
const BY_ROUTE_KEY = new Map<string, Operation>(Object.entries(FILES_API_ROUTES).map(([name, key]) => [key, OPERATIONS[name as FilesApiRouteName]]));

/** Kept back from Lambda's own remaining time when it is shorter than the budget (a late start). */
const LAMBDA_RESERVE_MS = 500;

export function createHandler(deps: HandlerDeps): FilesApiHandler {
  const { env, verifyIdToken, sessions, retry } = deps;
  const clock = deps.clock ?? (() => performance.now());
  const now = deps.now ?? Date.now;

  return async (event, context) => {
    const started = clock();
    const lambdaRemaining = context?.getRemainingTimeInMillis?.();
    const budgetMs = Math.min(env.requestBudgetMs, lambdaRemaining === undefined ? Infinity : lambdaRemaining - LAMBDA_RESERVE_MS);
    const deadline = Deadline.after(budgetMs, clock);
    const requestId = event?.requestContext?.requestId ?? context?.awsRequestId ?? "unknown";
    const route = typeof event?.routeKey === "string" ? event.routeKey.slice(0, 100) : "unknown";
    const entry: Omit<RequestLogEntry, "status" | "latencyMs"> = {
      requestId,
      ...(context?.awsRequestId ? { lambdaRequestId: context.awsRequestId } : {}),
      route,
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(serviceBusy("deadline_exceeded", "The request ran out of time; try again.", "RequestBudget")), Math.max(0, budgetMs));
    });
    let result: HttpResult;
    try {
      result = await Promise.race([
        handle(event, deadline, (identityId) => {
          entry.identityId = identityId;
        }),
        outOfTime,
      ]);
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
    } finally {
      clearTimeout(timer);
    }
    logRequest(deps.log, { ...entry, status: result.statusCode, latencyMs: Math.round((clock() - started) * 1000) / 1000 });
    return result;
  };

  async function handle(event: APIGatewayProxyEventV2, deadline: Deadline, actingAs: (identityId: string) => void): Promise<HttpResult> {
    const operation = BY_ROUTE_KEY.get(event?.routeKey as FilesApiRouteKey);
    if (!operation) throw new HttpError(404, "route_not_found", "No such route.");
    checkEventShape(event);
    const token = idTokenFromHeaders(event.headers);
    // Input is checked before the token is, and before any AWS call: bad requests cost nothing upstream.
    const work = operation(event, env);
    const caller = await verifyIdToken(token);

    return sessions.withSession(caller, deadline, (session) => {
      actingAs(session.identityId);
      const tools = {
        s3: session.s3,
        bucket: env.bucketName,
        folder: identityFolder(env.storagePrefix, session.identityId),
        retry,
        deadline,
      };
      return work({
        store: new FilesStore({ ...tools, ...(deps.maxInlineBytes === undefined ? {} : { maxInlineBytes: deps.maxInlineBytes }) }),
        // The URL lifetime is worked out only when a route presigns (urlSeconds may refuse).
        get transfers() {
          return new Transfers({ ...tools, urlSeconds: urlSeconds(env.presignedUrlMaxSeconds, session.expiresAtMs, now()), now });
        },
      });
    });
  }
}
