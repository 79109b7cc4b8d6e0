/**
 * The S3 stand-in's HTTP side, on loopback, for what presigned URLs do: GET and HEAD (Range,
 * If-None-Match, response-content-disposition), PUT of an object (signed headers, conditional
 * writes, metadata in the query) and PUT of a multipart part. Each request is authenticated as S3
 * does it: the query signature (SigV4) is recomputed from what arrived (method, path, query, the
 * signed headers) with the issued secret of the access key it names, by the SDK's own presigner,
 * and compared; the URL must not have expired, nor the credentials. Then IAM decides, as for the
 * function's own calls (s3-stand-in.ts). A URL for another key, a tampered one, or one signed with
 * another identity's credentials is refused here for the reasons S3 would refuse it.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback, type LoopbackServer } from "./loopback-server";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { parseRangeHeader, s3ServiceError } from "./s3-object-store";
import type { S3StandIn } from "./s3-stand-in";

/** The SDK's Hash interface over node:crypto (SHA-256, or HMAC-SHA-256 with a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === "string" ? Buffer.from(data, "utf8") : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const AUTH_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Content-Sha256"];

export interface PresignedRequestRecord {
  method: string;
  key: string;
  status: number;
  /** The identity the URL was signed by, once authenticated. */
  identityId?: string;
  error?: string;
}

function xmlError(res: ServerResponse, status: number, code: string, message: string, method: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(method === "HEAD" ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `20261129T223335Z` → a Date. */
function amzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw s3ServiceError("AuthorizationQueryParametersError", 400, "X-Amz-Date must be in the ISO8601 Long Format");
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

export class S3PresignedFront {
  readonly requests: PresignedRequestRecord[] = [];
  private server?: LoopbackServer;
  /** `http://127.0.0.1:<port>`: the endpoint S3 clients presign for. */
  url = "";

  constructor(private readonly s3: S3StandIn) {}

  async start(): Promise<this> {
    this.server = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = this.server.url;
    return this;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }

  /** The caller a presigned request was signed by, once its signature and lifetimes check out. */
  private async verify(req: IncomingMessage, rawPath: string, query: URLSearchParams) {
    if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") throw s3ServiceError("AccessDenied", 403, "Anonymous access is not allowed");
    const [accessKeyId, , region, service] = (query.get("X-Amz-Credential") ?? "").split("/");
    const caller = this.s3.authenticate({ accessKeyId: accessKeyId ?? "", sessionToken: query.get("X-Amz-Security-Token") ?? "" });
    const issued = this.s3.options.identities.issued.get(accessKeyId!)!;
    const signedAt = amzDate(query.get("X-Amz-Date") ?? "");
    const expiresIn = Number(query.get("X-Amz-Expires"));
    if (!(expiresIn > 0) || this.s3.now > signedAt.getTime() + expiresIn * 1000) throw s3ServiceError("AccessDenied", 403, "Request has expired");
    const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = req.headers[name];
      if (typeof value !== "string") throw s3ServiceError("SignatureDoesNotMatch", 403, `Signed header ${name} is missing`);
      headers[name] = value;
    }
    const rest: Record<string, string> = {};
    for (const [name, value] of query) if (!AUTH_PARAMS.includes(name)) rest[name] = value;
    const [hostname, port] = (req.headers.host ?? "").split(":");
    const presigner = new S3RequestPresigner({
      credentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken },
      region: region!,
      service: service!,
      sha256: NodeSha256,
    });
    const recomputed = await presigner.presign(
      { method: req.method!, protocol: "http:", hostname: hostname!, ...(port ? { port: Number(port) } : {}), path: rawPath, query: rest, headers },
      { signingDate: signedAt, expiresIn, signableHeaders: new Set(signedHeaders), signingRegion: region!, signingService: service! },
    );
    if (recomputed.query?.["X-Amz-Signature"] !== query.get("X-Amz-Signature")) {
      throw s3ServiceError("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided.");
    }
    return caller;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1));
    const [bucket, ...keyParts] = rawPath.slice(1).split("/");
    const key = decodeURIComponent(keyParts.join("/"));
    const record: PresignedRequestRecord = { method, key, status: 0 };
    this.requests.push(record);
    try {
      const caller = await this.verify(req, rawPath, query);
      record.identityId = caller.identityId;
      this.s3.checkBucket(bucket);
      const arn = this.s3.objectArn(key);
      if (method === "GET" || method === "HEAD") {
        await this.s3.authorize(caller, "s3:GetObject", arn);
        const object = this.s3.store.find(key, method === "HEAD");
        this.s3.store.checkRead(object, req.headers["if-none-match"]);
        const { body, contentRange } = this.s3.store.slice(object, parseRangeHeader(req.headers.range));
        const disposition = query.get("response-content-disposition") ?? object.contentDisposition;
        const headers: Record<string, string> = {
          "content-type": object.contentType,
          "content-length": String(body.byteLength),
          etag: object.etag,
          "last-modified": object.lastModified.toUTCString(),
          "accept-ranges": "bytes",
          ...(contentRange ? { "content-range": contentRange } : {}),
          ...(disposition ? { "content-disposition": disposition } : {}),
          ...(object.cacheControl ? { "cache-control": object.cacheControl } : {}),
        };
        for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
        record.status = contentRange ? 206 : 200;
        res.writeHead(record.status, headers);
        res.end(method === "HEAD" ? undefined : body);
        return;
      }
      if (method === "PUT") {
        await this.s3.authorize(caller, "s3:PutObject", arn);
        const body = await readBody(req);
        if (query.has("uploadId") || query.has("partNumber")) {
          const etag = this.s3.store.putPart(key, query.get("uploadId") ?? "", Number(query.get("partNumber")), body);
          record.status = 200;
          res.writeHead(200, { etag }).end();
          return;
        }
        const metadata: Record<string, string> = {};
        for (const [name, value] of query) if (name.toLowerCase().startsWith("x-amz-meta-")) metadata[name.toLowerCase().slice("x-amz-meta-".length)] = value;
        for (const [name, value] of Object.entries(req.headers)) if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice("x-amz-meta-".length)] = value;
        const object = this.s3.store.put(
          key,
          body,
          {
            contentType: req.headers["content-type"] ?? "binary/octet-stream",
            ...(req.headers["content-disposition"] ? { contentDisposition: req.headers["content-disposition"] } : {}),
            ...(req.headers["cache-control"] ? { cacheControl: req.headers["cache-control"] } : {}),
            metadata,
          },
          { ifMatch: req.headers["if-match"], ifNoneMatch: req.headers["if-none-match"] },
        );
        record.status = 200;
        res.writeHead(200, { etag: object.etag }).end();
        return;
      }
      throw s3ServiceError("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      record.status = e.$metadata?.httpStatusCode ?? 500;
      record.error = e.name ?? "InternalError";
      if (record.status === 304) {
        res.writeHead(304).end();
        return;
      }
      xmlError(res, record.status, record.error, e.message ?? "", method);
    }
  }
}
