/**
 * The whole function wired as in production (productionDeps), with its outside world replaced:
 * tokens signed by a test user pool and verified against its JWKS on loopback, Cognito Identity
 * and S3 stand-ins behind the real SDK clients, a controllable clock, sleeps recorded instead of
 * slept, and the log captured.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { identityStorageGrants, storageBucketPolicy } from "../components/policy-documents";
import { createHandler, type FilesApiHandler } from "../lambda/create-handler";
import type { LambdaEnv } from "../contract/lambda-env";
import { productionDeps } from "../lambda/production-deps";
import type { RetryPolicy } from "../aws-retry/retry";
import { CognitoIdentityStandIn } from "./cognito-identity-stand-in";
import { serveJwks, type LoopbackJwks } from "./jwks-server";
import { FilesClient, type FilesClientOptions } from "../client/files-client";
import { ApiGatewayStandIn } from "./api-gateway-stand-in";
import { S3PresignedFront } from "./s3-presigned-front";
import { S3StandIn } from "./s3-stand-in";
import { createTestUserPool, type TestUserPool } from "./test-user-pool";

export const REGION = "ap-northeast-1";
export const ACCOUNT = "123456789012";
export const USER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iss-test-user-role`;
export const ADMIN_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iss-test-admin-role`;

export type Group = "user" | "admin";

export interface EventOptions {
  key?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  query?: Record<string, string>;
  /** A JSON body (the POST routes). */
  json?: unknown;
}

export interface FilesApiFixture {
  env: LambdaEnv;
  pool: TestUserPool;
  jwks: LoopbackJwks;
  cognito: CognitoIdentityStandIn;
  s3: S3StandIn;
  /** The same bucket's HTTP side, answering the presigned URLs the function hands out. */
  front: S3PresignedFront;
  /** The handler behind an HTTP API on loopback (what FilesClient talks to). */
  api: ApiGatewayStandIn;
  handler: FilesApiHandler;
  /** A FilesClient for `sub` (in the `user` group) against `api`. */
  client(sub: string, options?: Partial<FilesClientOptions>): FilesClient;
  /** Every log line the handler wrote. */
  logs: string[];
  /** Every backoff pause the retry policy asked for. */
  sleeps: number[];
  clock: { now(): number; advance(ms: number): void };
  /** An IdToken for `sub`: in `group` (with its role as preferred role), or in no group. */
  tokenFor(sub: string, group?: Group | null, extra?: Partial<Parameters<TestUserPool["idToken"]>[0]>): string;
  /** An API Gateway HTTP API (payload 2.0) event for `routeKey`. */
  event(routeKey: string, options?: EventOptions): APIGatewayProxyEventV2;
  /** Sends an event through the handler. */
  call(routeKey: string, options?: EventOptions): ReturnType<FilesApiHandler>;
  /** AWS calls made so far (both stand-ins, every attempt). */
  awsCalls(): number;
  close(): Promise<void>;
}

let requestCounter = 0;

export interface FixtureOptions {
  maxUploadBytes?: number;
  maxInlineBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Overrides of the function's environment (e.g. a shorter request budget). */
  env?: Partial<LambdaEnv>;
}

export async function createFilesApiFixture(options: FixtureOptions = {}): Promise<FilesApiFixture> {
  const pool = createTestUserPool({ region: REGION });
  const jwks = await serveJwks([pool]);
  const env: LambdaEnv = {
    region: REGION,
    userPoolId: pool.userPoolId,
    userPoolClientId: pool.clientId,
    identityPoolId: `${REGION}:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b`,
    bucketName: "iss-test-files",
    storagePrefix: "private",
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024,
    presignedUrlMaxSeconds: 900,
    credentialsCacheSeconds: 300,
    requestBudgetMs: 9000,
    ...options.env,
  };
  let nowMs = Date.now();
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
  const cognito = new CognitoIdentityStandIn({ identityPoolId: env.identityPoolId, pool, now: clock.now }).install();
  const bucketArn = `arn:aws:s3:::${env.bucketName}`;
  const s3 = new S3StandIn({
    bucket: env.bucketName,
    identities: cognito,
    rolePolicies: {
      [USER_ROLE_ARN]: identityStorageGrants({ bucketArn, prefix: env.storagePrefix }),
      [ADMIN_ROLE_ARN]: identityStorageGrants({ bucketArn, prefix: env.storagePrefix, readAllFolders: true }),
    },
    bucketPolicy: storageBucketPolicy({ bucketArn }),
    now: clock.now,
  }).install();
  const front = await new S3PresignedFront(s3).start();

  const logs: string[] = [];
  const sleeps: number[] = [];
  const retry: RetryPolicy = {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...options.retry,
  };
  const deps = productionDeps(env, { jwksFetcher: jwks.fetcher, s3Endpoint: front.url, retry, log: (line) => logs.push(line), now: clock.now });
  const handler = createHandler({ ...deps, ...(options.maxInlineBytes ? { maxInlineBytes: options.maxInlineBytes } : {}) });
  const api = await new ApiGatewayStandIn(handler).start();

  const roleOf = { user: USER_ROLE_ARN, admin: ADMIN_ROLE_ARN };
  const event = (routeKey: string, o: EventOptions = {}): APIGatewayProxyEventV2 => {
    const [method, pathTemplate] = routeKey.split(" ") as [string, string];
    const rawPath = o.key === undefined ? pathTemplate : pathTemplate.replace("{key+}", o.key);
    const requestId = `req-${++requestCounter}`;
    return {
      version: "2.0",
      routeKey,
      rawPath,
      rawQueryString: new URLSearchParams(o.query ?? {}).toString(),
      headers: {
        host: "abc123.execute-api.ap-northeast-1.amazonaws.com",
        ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
        ...(o.json === undefined ? {} : { "content-type": "application/json" }),
        ...o.headers,
      },
      ...(o.query ? { queryStringParameters: o.query } : {}),
      ...(o.key === undefined ? {} : { pathParameters: { key: o.key } }),
      requestContext: {
        accountId: ACCOUNT,
        apiId: "abc123",
        domainName: "abc123.execute-api.ap-northeast-1.amazonaws.com",
        domainPrefix: "abc123",
        http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "jest" },
        requestId,
        routeKey,
        stage: "$default",
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      isBase64Encoded: o.isBase64Encoded ?? false,
      ...(o.body === undefined ? {} : { body: o.body }),
      ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
    };
  };

  return {
    env,
    pool,
    jwks,
    cognito,
    s3,
    front,
    api,
    handler,
    logs,
    sleeps,
    clock,
    tokenFor: (sub, group = "user", extra = {}) =>
      pool.idToken({
        sub,
        ...(group ? { groups: [group], preferredRole: roleOf[group], roles: [roleOf[group]] } : {}),
        ...extra,
      }),
    event,
    client: (sub, clientOptions = {}) => new FilesClient({ endpoint: api.url, idToken: pool.idToken({ sub, groups: ["user"], preferredRole: USER_ROLE_ARN, roles: [USER_ROLE_ARN] }), ...clientOptions }),
    call: (routeKey, o) => handler(event(routeKey, o), { awsRequestId: `lambda-${requestCounter + 1}` }),
    awsCalls: () => cognito.calls.GetId + cognito.calls.GetCredentialsForIdentity + s3.totalCalls,
    close: async () => {
      s3.restore();
      cognito.restore();
      await api.close();
      await front.close();
      await jwks.close();
    },
  };
}
