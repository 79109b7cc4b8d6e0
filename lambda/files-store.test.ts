/**
 * FilesStore details the service stand-in does not reach: S3 answers without a Content-Length
 * (the stream is capped while read), and keys handed back relative to the folder.
 */
import { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { Deadline } from "./deadline";
import { FilesStore } from "./files-store";
import type { RetryPolicy } from "../aws-retry/retry";

const NO_RETRIES: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined, random: () => 0 };
const FOLDER = "private/ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b/";
const s3Mock = mockClient(S3Client);
afterEach(() => s3Mock.reset());
afterAll(() => s3Mock.restore());

const store = (maxInlineBytes = 10) =>
  new FilesStore({ s3: new S3Client({ region: "ap-northeast-1", maxAttempts: 1, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" } }), bucket: "b", folder: FOLDER, retry: NO_RETRIES, deadline: Deadline.after(5000), maxInlineBytes });

it("stops reading a body with no stated length as soon as it passes the limit, and answers 413", async () => {
  let chunksRead = 0;
  const body = Readable.from(
    (function* () {
      for (let i = 0; i < 100; i++) {
        chunksRead++;
        yield Buffer.alloc(4, i);
      }
    })(),
  );
  s3Mock.on(GetObjectCommand).resolves({ Body: body as never });
  await expect(store(10).get("a")).rejects.toMatchObject({ status: 413, code: "object_too_large_to_return" });
  expect(chunksRead).toBeLessThan(5);
  expect(body.destroyed).toBe(true);
});

it("reads a body with no stated length that fits, whole", async () => {
  s3Mock.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from("12345"), Buffer.from("678")]) as never });
  expect((await store(10).get("a")).body.toString()).toBe("12345678");
});

it("lists keys relative to the folder and drops any S3 returned outside it", async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `${FOLDER}a.txt`, Size: 1 }, { Key: "private/other/b.txt", Size: 2 }], IsTruncated: false });
  const page = await store().list({ limit: 10 });
  expect(page.items.map((i) => i.key)).toEqual(["a.txt"]);
  expect(page.nextContinuationToken).toBeNull();
  expect(s3Mock.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: "b", Prefix: FOLDER, MaxKeys: 10 });
});
