/**
 * What a route does, in two steps: reading the request (every check, no AWS call, throwing 4xx
 * answers), then the work with the caller's own S3 client. The handler runs the first step
 * before it asks for credentials, so a bad request costs nothing upstream.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { LambdaEnv } from "../contract/lambda-env";
import type { FilesStore } from "./files-store";
import type { HttpResult } from "./http-errors";
import type { Transfers } from "./transfers";

/** The caller's S3 work, both ways: through the function, and through presigned URLs. */
export interface CallerTools {
  store: FilesStore;
  transfers: Transfers;
}

export type Work = (tools: CallerTools) => Promise<HttpResult>;

/** Reads and checks a request; returns the work to do with the caller's credentials. */
export type Operation = (event: APIGatewayProxyEventV2, env: LambdaEnv) => Work;
