/**
 * Faults injected in front of the real SDK clients: throttling and 5xx are retried with backoff
 * and end in a 503; denials keep their meaning; credentials that stop working mid-use are
 * refreshed once, and a second failure is an answer, not a crash.
 */
import { InternalErrorException, TooManyRequestsException } from "@aws-sdk/client-cognito-identity";
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";
import { s3Errors } from "../stand-ins/s3-stand-in";

let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture();
});
afterEach(() => f.close());

const body = (result: { body?: string }) => JSON.parse(result.body ?? "null") as Record<string, unknown>;
const tooManyRequests = () => new TooManyRequestsException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
const cognitoInternal = () => new InternalErrorException({ message: "Internal error", $metadata: { httpStatusCode: 500 } });

describe("Cognito Identity throttling and 5xx", () => {
  it("retries GetId through two throttles with growing pauses, then succeeds", async () => {
    f.cognito.faults.failNext("GetId", tooManyRequests, 2);
    const result = await f.call(ROUTES.list, { token: f.tokenFor("alice") });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetId).toBe(3);
    // random() is 0.5 in the fixture: half of 100 ms, then half of 200 ms.
    expect(f.sleeps).toEqual([50, 100]);
  });

  it("answers 503 with Retry-After once GetCredentialsForIdentity keeps throttling (4 attempts in all)", async () => {
    f.cognito.faults.failAlways("GetCredentialsForIdentity", tooManyRequests);
    const result = await f.call(ROUTES.list, { token: f.tokenFor("alice") });
    expect(result.statusCode).toBe(503);
    expect(result.headers?.["retry-after"]).toBe("1");
    expect(body(result)).toMatchObject({ error: "identity_service_busy" });
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(4);
    expect(f.s3.totalCalls).toBe(0);
  });

  it("retries a Cognito 500 like a throttle", async () => {
    f.cognito.faults.failNext("GetCredentialsForIdentity", cognitoInternal, 1);
    const result = await f.call(ROUTES.list, { token: f.tokenFor("alice") });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(2);
  });
});

describe("S3 throttling and 5xx", () => {
  it("retries SlowDown and answers as if nothing happened", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.put, { token, key: "a", body: "1" });
    f.s3.faults.failNext("GetObject", s3Errors.slowDown, 3);
    const result = await f.call(ROUTES.get, { token, key: "a" });
    expect(result.statusCode).toBe(200);
    expect(f.s3.calls.GetObject).toBe(4);
    expect(f.sleeps).toEqual([50, 100, 200]);
  });

  it("answers 503 after four InternalErrors, never a 500", async () => {
    const token = f.tokenFor("alice");
    f.s3.faults.failAlways("PutObject", s3Errors.internalError);
    const result = await f.call(ROUTES.put, { token, key: "a", body: "1" });
    expect(result.statusCode).toBe(503);
    expect(body(result)).toMatchObject({ error: "storage_busy" });
    expect(f.s3.calls.PutObject).toBe(4);
  });

  it("does not retry AccessDenied: one attempt, 403", async () => {
    const token = f.tokenFor("alice");
    f.s3.faults.failNext("ListObjectsV2", s3Errors.accessDenied);
    const result = await f.call(ROUTES.list, { token });
    expect(result.statusCode).toBe(403);
    expect(body(result)).toMatchObject({ error: "access_denied" });
    expect(f.s3.calls.ListObjectsV2).toBe(1);
  });
});

it("a file another tool archived (Glacier) is a 409 object_archived on GET and copy, not a 500, and is not retried; HEAD still answers", async () => {
  const token = f.tokenFor("alice");
  await f.call(ROUTES.put, { token, key: "cold.bin", body: "frozen" });
  f.s3.faults.failNext("GetObject", s3Errors.invalidObjectState);
  f.s3.faults.failNext("CopyObject", s3Errors.invalidObjectState);
  const get = await f.call(ROUTES.get, { token, key: "cold.bin" });
  const copy = await f.call(ROUTES.copy, { token, json: { source: "cold.bin", destination: "warm.bin" } });
  for (const result of [get, copy]) expect({ status: result.statusCode, error: body(result).error }).toEqual({ status: 409, error: "object_archived" });
  expect({ get: f.s3.calls.GetObject, copy: f.s3.calls.CopyObject }).toEqual({ get: 1, copy: 1 });
  expect((await f.call(ROUTES.head, { token, key: "cold.bin" })).statusCode).toBe(200);
});

describe("credentials that stop working mid-use", () => {
  it("are dropped, replaced once, and the request succeeds with the new ones", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.put, { token, key: "a", body: "1" });
    f.cognito.revokeAllIssued(); // still within their Expiration, but S3 now refuses them
    const result = await f.call(ROUTES.get, { token, key: "a" });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(2);
    expect(f.cognito.calls.GetId).toBe(1);
    expect(f.s3.calls.GetObject).toBe(2);
    // The new credentials are cached: the next request is warm again.
    const before = f.awsCalls();
    await f.call(ROUTES.get, { token, key: "a" });
    expect(f.awsCalls() - before).toBe(1);
  });

  it("an ExpiredToken answer while the cache still trusts them (e.g. clock skew) triggers one refresh", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token });
    f.s3.faults.failNext("ListObjectsV2", s3Errors.expiredToken);
    const result = await f.call(ROUTES.list, { token });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(2);
  });

  it("answer 503 when the fresh credentials are refused too, after exactly one refresh", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token });
    f.s3.faults.failAlways("ListObjectsV2", s3Errors.expiredToken);
    const result = await f.call(ROUTES.list, { token });
    expect(result.statusCode).toBe(503);
    expect(body(result)).toMatchObject({ error: "credentials_rejected" });
    expect(f.cognito.calls.GetCredentialsForIdentity).toBe(2);
    expect(f.s3.calls.ListObjectsV2).toBe(3);
  });
});

describe("identity pool answers about the user", () => {
  it("a user in no group is denied by role mapping: 403 no_role, no S3 call", async () => {
    const result = await f.call(ROUTES.list, { token: f.tokenFor("carol", null) });
    expect(result.statusCode).toBe(403);
    expect(body(result)).toMatchObject({ error: "no_role" });
    expect(f.s3.totalCalls).toBe(0);
  });

  it("a token the pool rejects (signed-out user) is a 401 even though its signature verifies", async () => {
    f.cognito.signedOut.add("dave");
    const result = await f.call(ROUTES.list, { token: f.tokenFor("dave") });
    expect(result.statusCode).toBe(401);
    expect(body(result)).toMatchObject({ error: "token_rejected" });
  });

  it("a cached identity id that no longer exists is looked up again once", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token });
    f.clock.advance(59 * 60_000); // credentials due for refresh
    const { ResourceNotFoundException } = await import("@aws-sdk/client-cognito-identity");
    f.cognito.faults.failNext("GetCredentialsForIdentity", () => new ResourceNotFoundException({ message: "Identity not found", $metadata: { httpStatusCode: 404 } }));
    const result = await f.call(ROUTES.list, { token });
    expect(result.statusCode).toBe(200);
    expect(f.cognito.calls.GetId).toBe(2);
  });
});
