/**
 * An API Gateway HTTP API in front of the handler, on loopback, so clients talk HTTP to the
 * deployed shape: routes matched from the contract's route keys (literal paths before `{key+}`),
 * the path parameter decoded once, query parameters decoded (repeated ones joined with commas),
 * header names lower-cased, bodies base64-encoded unless textual, payload format 2.0, and Lambda's
 * 6 MB limits on the invocation payload (413) and the response (502), as API Gateway reports them.
 * The JWT authorizer is not emulated: the function verifies every token itself.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback, type LoopbackServer } from "./loopback-server";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { FILES_API_ROUTE_KEYS } from "../contract/files-api";
import type { FilesApiHandler } from "../lambda/create-handler";

/** Lambda's synchronous invocation limit, request and response alike (6 MB). */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
const TEXTUAL = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/;

interface Route {
  routeKey: string;
  method: string;
  match: (path: string) => Record<string, string> | undefined;
  greedy: boolean;
}

function routeOf(routeKey: string): Route {
  const [method, template] = routeKey.split(" ") as [string, string];
  const greedy = template.endsWith("/{key+}");
  const base = greedy ? template.slice(0, -"/{key+}".length) : template;
  return {
    routeKey,
    method,
    greedy,
    match: (path): Record<string, string> | undefined => {
      if (!greedy) return path === base ? {} : undefined;
      if (!path.startsWith(`${base}/`) || path.length === base.length + 1) return undefined;
      return { key: path.slice(base.length + 1) };
    },
  };
}

function json(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ message }));
}

export class ApiGatewayStandIn {
  /** Invocation payload sizes, in bytes (the largest tells how close a route comes to the limit). */
  readonly payloadBytes: number[] = [];
  private server?: LoopbackServer;
  private readonly routes = FILES_API_ROUTE_KEYS.map(routeOf).sort((a, b) => Number(a.greedy) - Number(b.greedy));
  /** `http://127.0.0.1:<port>`: the API's endpoint. */
  url = "";

  constructor(
    private readonly handler: FilesApiHandler,
    private readonly options: { functionTimeoutMs?: number } = {},
  ) {}

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.serve(req, res).catch(() => json(res, 500, "Internal Server Error")));
    this.url = this.server.url;
    return this;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQueryString = queryAt < 0 ? "" : rawUrl.slice(queryAt + 1);
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return json(res, 400, "Bad Request");
    }
    const method = req.method ?? "GET";
    let route: Route | undefined;
    let pathParameters: Record<string, string> | undefined;
    for (const candidate of this.routes) {
      if (candidate.method !== method) continue;
      pathParameters = candidate.match(path);
      if (pathParameters) {
        route = candidate;
        break;
      }
    }
    if (!route) return json(res, 404, "Not Found");

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      headers[name] = headers[name] === undefined ? req.rawHeaders[i + 1]! : `${headers[name]},${req.rawHeaders[i + 1]}`;
    }
    const query: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
    const textual = TEXTUAL.test(headers["content-type"] ?? "");
    const requestId = randomUUID();
    const event: APIGatewayProxyEventV2 = {
      version: "2.0",
      routeKey: route.routeKey,
      rawPath,
      rawQueryString,
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(route.greedy ? { pathParameters } : {}),
      requestContext: {
        accountId: "123456789012",
        apiId: "local",
        domainName: req.headers.host ?? "127.0.0.1",
        domainPrefix: "local",
        http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
        requestId,
        routeKey: route.routeKey,
        stage: "$default",
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      isBase64Encoded: body.byteLength > 0 && !textual,
      ...(body.byteLength > 0 ? { body: textual ? body.toString("utf8") : body.toString("base64") } : {}),
    };
    const payload = Buffer.byteLength(JSON.stringify(event));
    this.payloadBytes.push(payload);
    if (payload > LAMBDA_PAYLOAD_LIMIT_BYTES) return json(res, 413, "Request Entity Too Large");

    const started = Date.now();
    const timeoutMs = this.options.functionTimeoutMs ?? 10_000;
    const result = await this.handler(event, { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started) });
    if (Buffer.byteLength(JSON.stringify(result)) > LAMBDA_PAYLOAD_LIMIT_BYTES) return json(res, 502, "Internal Server Error");
    const out = result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, "base64") : Buffer.from(result.body, "utf8");
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), "apigw-requestid": requestId });
    res.end(method === "HEAD" ? undefined : out);
  }
}
