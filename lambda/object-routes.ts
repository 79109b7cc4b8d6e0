/**
 * The routes that move file content through the function (small files, ranges) or only touch
 * properties: list, get, head, put, delete, copy. Responses that carry a file are never
 * cacheable by shared caches (they depend on the caller's token) and are always downloads, never
 * rendered as this API's page; the file's own Cache-Control and Content-Disposition are reported
 * in `x-object-cache-control` / `x-object-content-disposition`.
 */
import type { ObjectProperties } from "./files-store";
import { jsonResult, type HttpResult } from "./http-errors";
import {
  byteRange,
  cacheControlOf,
  contentTypeOf,
  metadataOf,
  readCondition,
  storedContentDisposition,
  writeCondition,
} from "./object-options";
import type { Operation } from "./operation";
import { badRequest, header, headersWithPrefix, jsonBody, listQuery, onlyFields, pathKey, requestBytes, requestKey, storedKey } from "./request-input";
import { NotModified } from "./s3-errors";

const PRIVATE_DOWNLOAD = {
  "cache-control": "private, no-store",
  "x-content-type-options": "nosniff",
  // User content: a browser should save it, never render it as this API's page.
  "content-disposition": "attachment",
};

/** A file's properties as response headers. */
function propertyHeaders(p: ObjectProperties): Record<string, string> {
  const headers: Record<string, string> = {
    ...PRIVATE_DOWNLOAD,
    "content-type": p.contentType,
    "accept-ranges": "bytes",
    ...(p.etag ? { etag: p.etag } : {}),
    ...(p.lastModified ? { "last-modified": p.lastModified } : {}),
    ...(p.cacheControl ? { "x-object-cache-control": p.cacheControl } : {}),
    ...(p.contentDisposition ? { "x-object-content-disposition": p.contentDisposition } : {}),
  };
  for (const [name, value] of Object.entries(p.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

const notModified = (etag: string | null): HttpResult => ({ statusCode: 304, headers: { ...PRIVATE_DOWNLOAD, ...(etag ? { etag } : {}) } });

async function orNotModified(work: () => Promise<HttpResult>, ifNoneMatch: string | undefined): Promise<HttpResult> {
  try {
    return await work();
  } catch (error) {
    // One tag sent and matched: it is the current one. With several (or `*`) S3's own is not at hand.
    if (error instanceof NotModified) return notModified(ifNoneMatch && ifNoneMatch !== "*" && !ifNoneMatch.includes(",") ? ifNoneMatch : error.etag);
    throw error;
  }
}

const get: Operation = (event) => {
  const key = requestKey(event);
  const range = byteRange(header(event, "range"));
  const ifNoneMatch = readCondition(header(event, "if-none-match"));
  return ({ store }) =>
    orNotModified(async () => {
      const object = await store.get(key, { ...(range ? { range } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) });
      return {
        statusCode: object.range ? 206 : 200,
        headers: {
          ...propertyHeaders(object),
          ...(object.range ? { "content-range": `bytes ${object.range.first}-${object.range.last}/${object.range.size}` } : {}),
        },
        body: object.body.toString("base64"),
        isBase64Encoded: true,
      };
    }, ifNoneMatch);
};

/** `GET /files`: a page of files (and folders), or with `?key=` one file of any key LIST returns. */
const list: Operation = (event, env) => {
  const query = event.queryStringParameters ?? {};
  if (query.key !== undefined) {
    const other = Object.keys(query).filter((k) => k !== "key");
    if (other.length > 0) throw badRequest("invalid_query", `?key= reads one file; it takes no ${other.join(", ")}.`);
    return get(event, env);
  }
  const page = listQuery(event);
  return async ({ store }) => jsonResult(200, await store.list(page));
};

const head: Operation = (event) => {
  const key = requestKey(event);
  const ifNoneMatch = readCondition(header(event, "if-none-match"));
  return ({ store }) =>
    orNotModified(async () => {
      const properties = await store.head(key, ifNoneMatch);
      return { statusCode: 200, headers: { ...propertyHeaders(properties), "content-length": String(properties.size) } };
    }, ifNoneMatch);
};

const put: Operation = (event, env) => {
  const key = requestKey(event);
  const contentType = contentTypeOf(header(event, "content-type"));
  const contentDisposition = storedContentDisposition(header(event, "content-disposition"));
  const cacheControl = cacheControlOf(header(event, "cache-control"));
  const metadata = metadataOf(headersWithPrefix(event, "x-amz-meta-"));
  const condition = writeCondition(header(event, "if-match"), header(event, "if-none-match"));
  const body = requestBytes(event, env.maxUploadBytes);
  return async ({ store }) => {
    const { etag } = await store.put(key, body, {
      contentType,
      ...condition,
      ...(contentDisposition ? { contentDisposition } : {}),
      ...(cacheControl ? { cacheControl } : {}),
      ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
    });
    return jsonResult(200, { key, size: body.byteLength, contentType, etag }, etag ? { etag } : {});
  };
};

const remove: Operation = (event) => {
  const key = requestKey(event);
  return async ({ store }) => {
    await store.delete(key);
    return jsonResult(200, { deleted: key });
  };
};

/** `POST /files/copy {source, destination}`: S3-side copy inside the caller's folder. */
const copy: Operation = (event) => {
  const body = jsonBody(event);
  onlyFields(body, ["source", "destination"]);
  const source = storedKey(body.source, "source");
  if (typeof body.destination !== "string") throw badRequest("invalid_key", "destination must be a string naming the new file.");
  const destination = pathKey(body.destination);
  return async ({ store }) => jsonResult(200, { key: destination, ...(await store.copy(source, destination)) });
};

export const objectRoutes = { list, get, head, put, delete: remove, headByQuery: head, deleteByQuery: remove, copy };
