/**
 * Moving large files: a 64 MiB upload through FilesClient in presigned parts (straight to the
 * storage server) against 4 MiB uploads through the API inline (base64 in the Lambda payload), in
 * the same run, as throughput and their ratio; then the same 64 MiB up and down against s3rver,
 * a disk-backed S3 server nobody here wrote.
 */
import { createFilesApiFixture } from "../stand-ins/files-api-fixture";
import { createS3rverFixture } from "../stand-ins/s3rver-fixture";
import { offsetPattern as pattern } from "../stand-ins/byte-pattern";
import { percentile, type Bench, type BenchRow } from "./harness";

const MiB = 1024 * 1024;
const RUNS = 3;
const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

export const bench: Bench = async () => {
  const big = pattern(64 * MiB);
  const inline = pattern(4 * MiB);
  const multipart: number[] = [];
  const single: number[] = [];
  const f = await createFilesApiFixture({ maxUploadBytes: 4 * MiB });
  try {
    const client = f.client("bench-user");
    await client.upload("warm.bin", pattern(1024)); // credentials cached, JIT warm
    for (let i = 0; i < RUNS; i++) {
      multipart.push(mibPerSecond(big.byteLength, await timedMs(() => client.upload(`big-${i}.bin`, big))));
      // 16 inline uploads of 4 MiB: the same 64 MiB through the function.
      single.push(mibPerSecond(big.byteLength, await timedMs(async () => {
        for (let j = 0; j < 16; j++) await client.upload(`inline-${i}-${j}.bin`, inline);
      })));
    }
  } finally {
    await f.close();
  }

  const s = await createS3rverFixture();
  let s3rverUp: number;
  let s3rverDown: number;
  try {
    const client = s.client("bench-user");
    s3rverUp = mibPerSecond(big.byteLength, await timedMs(() => client.upload("big.bin", big)));
    s3rverDown = mibPerSecond(big.byteLength, await timedMs(() => client.download("big.bin")));
  } finally {
    await s.close();
  }

  const [up, through] = [percentile(multipart, 50), percentile(single, 50)];
  const rows: BenchRow[] = [
    { metric: `64 MiB in presigned parts (8 × 8 MiB, 4 at a time), median of ${RUNS}`, value: `${up.toFixed(0)} MiB/s` },
    { metric: `64 MiB as 16 inline uploads of 4 MiB through the API, median of ${RUNS}`, value: `${through.toFixed(0)} MiB/s` },
    { metric: "Presigned parts / inline, same run", value: `${(up / through).toFixed(1)}×`, goal: "> 1×", met: up > through },
    { metric: "64 MiB up in parts against s3rver (disk-backed), one run", value: `${s3rverUp.toFixed(0)} MiB/s` },
    { metric: "64 MiB down through a download URL against s3rver, one run", value: `${s3rverDown.toFixed(0)} MiB/s` },
  ];
  return {
    title: "Large files (FilesClient, presigned URLs)",
    method:
      "FilesClient against the API Gateway stand-in on loopback in front of the handler wired as in production; the presigned parts go to the S3 stand-in's HTTP side " +
      "(signature recomputed, IAM decided, bytes kept in memory), the inline uploads through API Gateway's base64 event into the handler and the mocked S3 client. " +
      "Everything runs on this one machine, so the figures compare the two paths' own costs (base64, JSON, the 4 MiB payload cap), not network bandwidth",
    notes: [
      "Through the API a request holds at most 4 MiB of file (6 MB Lambda payload, base64-inflated), so a large file needs many sequential invocations; presigned parts " +
        "go to S3 in parallel and never pass through the function.",
    ],
    rows,
  };
};
