/**
 * Defence in depth: even if this code joined the wrong folder, the caller's credentials could not
 * reach it, neither through the function's own S3 calls nor through a URL it presigns. FilesStore
 * and Transfers are driven directly with one user's session and another user's folder; the S3
 * stand-in (SDK calls) and its HTTP side (presigned URLs, signature checked) decide by IAM's
 * evaluation of the role policy the stack deploys. Every refusal stands beside its control: the
 * owner's same request, allowed.
 */
import { ROUTES } from "./create-handler";
import { Deadline } from "./deadline";
import { FilesStore } from "./files-store";
import { HttpError } from "./http-errors";
import { identityFolder } from "../contract/object-keys";
import { productionDeps } from "./production-deps";
import { Transfers } from "./transfers";
import type { RetryPolicy } from "../aws-retry/retry";
import { createFilesApiFixture, type FilesApiFixture } from "../stand-ins/files-api-fixture";

const NO_RETRIES: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined, random: () => 0 };
let f: FilesApiFixture;
beforeEach(async () => {
  f = await createFilesApiFixture();
  await f.call(ROUTES.put, { token: f.tokenFor("alice"), key: "diary.txt", body: "dear diary" });
});
afterEach(() => f.close());

/** `sub`'s own credentials, aimed at `folderOf`'s folder. */
async function toolsFor(sub: string, group: "user" | "admin", folderOf: string) {
  const deps = productionDeps(f.env, { jwksFetcher: f.jwks.fetcher, s3Endpoint: f.front.url, retry: NO_RETRIES, log: () => undefined, now: f.clock.now });
  const deadline = Deadline.after(5000);
  const session = await deps.sessions.sessionFor(await deps.verifyIdToken(f.tokenFor(sub, group)), deadline);
  const options = { s3: session.s3, bucket: f.env.bucketName, folder: identityFolder(f.env.storagePrefix, f.cognito.identityIdFor(folderOf)), retry: NO_RETRIES, deadline };
  return { store: new FilesStore(options), transfers: new Transfers({ ...options, urlSeconds: 300, now: f.clock.now }) };
}

const rejection = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);
const aliceKey = () => `private/${f.cognito.identityIdFor("alice")}/diary.txt`;

it("a user's credentials are refused on every operation in another user's folder (403); the owner's are not", async () => {
  const { store: bobInAlicesFolder } = await toolsFor("bob", "user", "alice");
  const { store: alice } = await toolsFor("alice", "user", "alice");
  const write = { contentType: "text/plain" };
  for (const [name, attempt, control] of [
    ["get", () => bobInAlicesFolder.get("diary.txt"), () => alice.get("diary.txt")],
    ["head", () => bobInAlicesFolder.head("diary.txt"), () => alice.head("diary.txt")],
    ["put", () => bobInAlicesFolder.put("diary.txt", Buffer.from("overwritten"), write), () => alice.put("other.txt", Buffer.from("mine"), write)],
    ["copy", () => bobInAlicesFolder.copy("diary.txt", "stolen.txt"), () => alice.copy("diary.txt", "copy.txt")],
    ["list", () => bobInAlicesFolder.list({ limit: 10 }), () => alice.list({ limit: 10 })],
    ["delete", () => bobInAlicesFolder.delete("diary.txt"), () => alice.delete("other.txt")],
  ] as const) {
    const error = await rejection((attempt as () => Promise<unknown>)());
    expect({ name, error }).toEqual({ name, error: expect.any(HttpError) });
    expect({ name, status: (error as HttpError).status }).toEqual({ name, status: 403 });
    await (control as () => Promise<unknown>)(); // throws if the owner were refused
  }
  expect(f.s3.objects.get(aliceKey())!.body.toString()).toBe("dear diary");
});

it("a multipart upload into another user's folder is refused at its start", async () => {
  const { transfers: bob } = await toolsFor("bob", "user", "alice");
  const { transfers: alice } = await toolsFor("alice", "user", "alice");
  expect(await rejection(bob.createMultipart("big.bin", { contentType: "application/octet-stream" }))).toMatchObject({ status: 403 });
  await expect(alice.createMultipart("big.bin", { contentType: "application/octet-stream" })).resolves.toMatchObject({ uploadId: expect.any(String) });
});

describe("presigned URLs", () => {
  it("B's presigned URL for A's key is refused by S3 (IAM), while A's own URL for it works", async () => {
    const { transfers: bob } = await toolsFor("bob", "user", "alice");
    const { transfers: alice } = await toolsFor("alice", "user", "alice");
    const bobs = await bob.downloadUrl("diary.txt");
    const refused = await fetch(bobs.url);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("<Code>AccessDenied</Code>");
    const control = await fetch((await alice.downloadUrl("diary.txt")).url);
    expect(control.status).toBe(200);
    expect(await control.text()).toBe("dear diary");
  });

  it("B's presigned PUT URL into A's folder is refused and A's file is unchanged; A's own PUT URL works", async () => {
    const { transfers: bob } = await toolsFor("bob", "user", "alice");
    const { transfers: alice } = await toolsFor("alice", "user", "alice");
    const body = Buffer.from("overwritten");
    const bobs = await bob.uploadUrl("diary.txt", body.byteLength, { contentType: "text/plain" });
    expect((await fetch(bobs.url, { method: "PUT", headers: bobs.headers, body })).status).toBe(403);
    expect(f.s3.objects.get(aliceKey())!.body.toString()).toBe("dear diary");
    const own = await alice.uploadUrl("notes.txt", body.byteLength, { contentType: "text/plain" });
    expect((await fetch(own.url, { method: "PUT", headers: own.headers, body })).status).toBe(200);
  });

  it("A's URL with the key changed to another file is refused: the signature no longer matches", async () => {
    const { transfers: alice } = await toolsFor("alice", "user", "alice");
    const url = new URL((await alice.downloadUrl("diary.txt")).url);
    url.pathname = url.pathname.replace("diary.txt", "other.txt");
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("a GET URL used for a PUT is refused (the method is signed)", async () => {
    const { transfers: alice } = await toolsFor("alice", "user", "alice");
    const { url } = await alice.downloadUrl("diary.txt");
    expect((await fetch(url, { method: "PUT", body: "overwritten" })).status).toBe(403);
    expect(f.s3.objects.get(aliceKey())!.body.toString()).toBe("dear diary");
  });

  it("a URL stops working when it expires, and when its credentials expire", async () => {
    const { transfers: alice } = await toolsFor("alice", "user", "alice");
    const { url } = await alice.downloadUrl("diary.txt");
    expect((await fetch(url)).status).toBe(200);
    f.clock.advance(301_000); // the URL was made for 300 s
    expect((await fetch(url)).status).toBe(403);
    f.cognito.revokeAllIssued();
    const { transfers: again } = await toolsFor("alice", "user", "alice");
    f.cognito.revokeAllIssued();
    const response = await fetch((await again.downloadUrl("diary.txt")).url);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>ExpiredToken</Code>");
  });
});

it("the admin role reads every folder but still writes only its own", async () => {
  const { store: adminInAlicesFolder } = await toolsFor("root", "admin", "alice");
  const { store: adminInOwnFolder } = await toolsFor("root", "admin", "root");
  expect((await adminInAlicesFolder.get("diary.txt")).body.toString()).toBe("dear diary");
  for (const [name, attempt] of [
    ["put", () => adminInAlicesFolder.put("diary.txt", Buffer.from("x"), { contentType: "text/plain" })],
    ["delete", () => adminInAlicesFolder.delete("diary.txt")],
    ["copy", () => adminInAlicesFolder.copy("diary.txt", "copy.txt")],
  ] as const) {
    const error = await rejection(attempt());
    expect({ name, status: (error as HttpError).status }).toEqual({ name, status: 403 });
  }
  expect(f.s3.objects.get(aliceKey())!.body.toString()).toBe("dear diary");
  // Control: the same credentials write, copy and delete in the admin's own folder.
  await adminInOwnFolder.put("mine.txt", Buffer.from("x"), { contentType: "text/plain" });
  await adminInOwnFolder.copy("mine.txt", "copy.txt");
  await adminInOwnFolder.delete("mine.txt");
});
