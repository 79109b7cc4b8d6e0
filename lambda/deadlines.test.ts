/**
 * Upstream trouble that is not the caller's fault: a silent Cognito, S3 or JWKS endpoint, a
 * response stream that breaks off, KMS throttling behind S3, an identity-pool quota. Each ends in
 * this API's own JSON 503 with Retry-After and the request id, within the request's budget (so
 * before Lambda's timeout), never a 500, a 401 or a hang.
 */
import { LimitExceededException } from "@aws-sdk/client-cognito-identity";
import { ROUTES } from "./create-handler";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";
import { s3Errors } from "../stand-ins/s3-stand-in";

// Real time: each silent-service case waits out the budget, so it is kept short (but far above a warm request, ~20 ms).
const BUDGET_MS = 400;
let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture({ env: { requestBudgetMs: BUDGET_MS } });
});
afterEach(() => f.close());

async function timed(route: string, options: Parameters<FilesApiFixture["call"]>[1]) {
  const started = performance.now();
  const result = await f.call(route, options);
  return { result, ms: performance.now() - started, body: JSON.parse(result.body ?? "null") as Record<string, unknown> };
}

function expect503(answer: Awaited<ReturnType<typeof timed>>, error: string) {
  expect(answer.result.statusCode).toBe(503);
  expect(answer.result.headers).toMatchObject({ "content-type": expect.stringMatching(/^application\/json/), "retry-after": "1" });
  expect(answer.body).toMatchObject({ error, requestId: expect.stringMatching(/^req-/) });
}

describe("silent services", () => {
  it("S3 never answers: 503 storage_timeout within the budget", async () => {
    const token = f.tokenFor("alice");
    await f.call(ROUTES.list, { token }); // credentials cached
    f.s3.faults.hangNext("GetObject", 10);
    const answer = await timed(ROUTES.get, { token, key: "a.txt" });
    expect503(answer, "storage_timeout");
    expect(answer.ms).toBeLessThan(BUDGET_MS + 200);
  });

  it("Cognito never answers: 503 identity_service_timeout within the budget", async () => {
    f.cognito.faults.hangNext("GetId", 10);
    const answer = await timed(ROUTES.list, { token: f.tokenFor("alice") });
    expect503(answer, "identity_service_timeout");
    expect(answer.ms).toBeLessThan(BUDGET_MS + 200);
  });

  it("the JWKS endpoint never answers (its own timeout is longer than the budget): 503 deadline_exceeded at the budget", async () => {
    f.jwks.answer = "silent";
    const answer = await timed(ROUTES.list, { token: f.tokenFor("alice") });
    expect503(answer, "deadline_exceeded");
    expect(answer.ms).toBeGreaterThanOrEqual(BUDGET_MS - 20);
    expect(answer.ms).toBeLessThan(BUDGET_MS + 200);
  });

  it("takes Lambda's remaining time when it is shorter than the budget (a late start)", async () => {
    f.s3.faults.hangNext("ListObjectsV2", 10);
    const token = f.tokenFor("alice");
    const started = performance.now();
    // 550 ms left, of which the function keeps 500 for itself: 50 ms for the request, far below the budget.
    const result = await f.handler(f.event(ROUTES.list, { token }), { awsRequestId: "l1", getRemainingTimeInMillis: () => 550 });
    expect(result.statusCode).toBe(503);
    // Well before the budget would end it: a handler that ignored the remaining time gives up on
    // S3 at the budget less the 100 ms kept to answer (300 ms), this one after about 50.
    expect(performance.now() - started).toBeLessThan(BUDGET_MS / 2);
  });
});

describe("the key endpoint misbehaving", () => {
  it.each([["answers an HTML page", "html"], ["makes the fetcher throw", "throw"], ["answers 503", "503"]] as const)("%s: 503 signing_keys_unavailable, not 401 or 500", async (_name, answer) => {
    f.jwks.answer = answer;
    expect503(await timed(ROUTES.list, { token: f.tokenFor("alice") }), "signing_keys_unavailable");
    expect(f.awsCalls()).toBe(0);
    f.jwks.answer = "keys"; // control: the same kind of request succeeds once the keys come
    expect((await f.call(ROUTES.list, { token: f.tokenFor("alice") })).statusCode).toBe(200);
  });
});

describe("trouble S3 passes on", () => {
  beforeEach(async () => {
    await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "a.txt", body: "a body longer than sixteen bytes" });
  });

  it("a response stream that breaks off once is read again; the caller gets the whole file", async () => {
    f.s3.faults.failNext("GetObjectBody", () => Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    const result = await f.call(ROUTES.get, { token: f.tokenFor("alice"), key: "a.txt" });
    expect(result.statusCode).toBe(200);
    expect(Buffer.from(result.body!, "base64").toString()).toBe("a body longer than sixteen bytes");
    expect(f.s3.calls.GetObject).toBe(2);
  });

  it("a stream that keeps breaking off: 503 storage_busy, not 500", async () => {
    f.s3.faults.failAlways("GetObjectBody", () => Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    expect503(await timed(ROUTES.get, { token: f.tokenFor("alice"), key: "a.txt" }), "storage_busy");
  });

  it("KMS throttling of an SSE-KMS object is retried, then 503 storage_busy", async () => {
    f.s3.faults.failNext("GetObject", s3Errors.kmsThrottling, 1);
    expect((await f.call(ROUTES.get, { token: f.tokenFor("alice"), key: "a.txt" })).statusCode).toBe(200);
    f.s3.faults.failAlways("GetObject", s3Errors.kmsThrottling);
    expect503(await timed(ROUTES.get, { token: f.tokenFor("alice"), key: "a.txt" }), "storage_busy");
  });
});

it("Cognito LimitExceededException: 503 identity_service_limit, not 500", async () => {
  f.cognito.faults.failNext("GetId", () => new LimitExceededException({ message: "Limit exceeded", $metadata: { httpStatusCode: 400 } }));
  expect503(await timed(ROUTES.list, { token: f.tokenFor("alice") }), "identity_service_limit");
});
