/**
 * Defence in depth: even if this code joined the wrong folder, the caller's credentials could not
 * reach it. FilesStore is driven directly with one user's session and another user's folder; the
 * S3 stand-in decides by evaluating the role policy the stack deploys (identityStorageGrants).
 */
import { ROUTES } from "./create-handler";
import { FilesStore } from "./files-store";
import { HttpError } from "./http-errors";
import { identityFolder } from "./object-keys";
import { productionDeps } from "./production-deps";
import type { RetryPolicy } from "../aws-retry/retry";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";

const NO_RETRIES: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined, random: () => 0 };
let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture();
});
afterEach(() => f.close());

async function storeFor(sub: string, group: "user" | "admin", folderOf: string): Promise<FilesStore> {
  const deps = productionDeps(f.env, { jwksCache: f.jwks.jwksCache, retry: NO_RETRIES, log: () => undefined, now: f.clock.now });
  const session = await deps.sessions.sessionFor(await deps.verifyIdToken(f.tokenFor(sub, group)));
  return new FilesStore({ s3: session.s3, bucket: f.env.bucketName, folder: identityFolder(f.env.storagePrefix, f.cognito.identityIdFor(folderOf)), retry: NO_RETRIES });
}

const rejection = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);

beforeEach(async () => {
  await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "diary.txt", body: "dear diary" });
});

it("a user's credentials are refused on every operation in another user's folder (403)", async () => {
  const bobInAlicesFolder = await storeFor("bob", "user", "alice");
  for (const attempt of [
    bobInAlicesFolder.get("diary.txt"),
    bobInAlicesFolder.put("diary.txt", Buffer.from("overwritten"), "text/plain"),
    bobInAlicesFolder.delete("diary.txt"),
    bobInAlicesFolder.list({ limit: 10 }),
  ]) {
    const error = await rejection(attempt);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(403);
  }
  expect(f.s3.objects.get(`private/${f.cognito.identityIdFor("alice")}/diary.txt`)!.body.toString()).toBe("dear diary");
});

it("the admin role reads every folder but still writes only its own", async () => {
  const adminInAlicesFolder = await storeFor("root", "admin", "alice");
  expect((await adminInAlicesFolder.get("diary.txt")).body.toString()).toBe("dear diary");
  const error = await rejection(adminInAlicesFolder.put("diary.txt", Buffer.from("x"), "text/plain"));
  expect((error as HttpError).status).toBe(403);
});
