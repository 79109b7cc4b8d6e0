/**
 * The Files API Lambda: bundle size and cold module init of the built bundle, side by side with
 * a build without the presigner (it may add at most 20 % to cold init); warm handler overhead and
 * AWS calls per warm request for every route, with stand-in AWS clients.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import { ROUTES } from "../lambda/create-handler";
import { buildLambdaBundle, type LambdaBundle } from "../build/lambda-bundle";
import type { FilesApiRouteName } from "../contract/files-api";
import { createFilesApiFixture, type EventOptions, type FilesApiFixture } from "../stand-ins/files-api-fixture";
import { TEST_LAMBDA_ENV } from "../stand-ins/lambda-env";
import { percentile, type Bench, type BenchRow } from "./harness";

const SIZE_GOAL_BYTES = 300 * 1024;
const INIT_GOAL_MS = 100;
const PRESIGNER_INIT_GOAL = 1.2;
const INIT_RUNS = 11;
const WARM_REQUESTS = 200;
/** The article's Lambda: AdminGetUser, GetId, GetCredentialsForIdentity, then S3. */
const ARTICLE_CALLS_PER_REQUEST = 4;
const MiB = 1024 * 1024;

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Times to `require` each bundle in fresh Node processes, the bundles taking turns so drift hits both alike. */
function coldInitMs(files: string[], workdir: string): number[][] {
  const script = path.join(workdir, "measure-init.js");
  writeFileSync(script, `const t = performance.now(); require(process.argv[2]); process.stdout.write(String(performance.now() - t));`);
  const samples = files.map(() => [] as number[]);
  for (let i = 0; i < INIT_RUNS; i++) {
    files.forEach((file, j) => {
      const out = execFileSync(process.execPath, [script, file], { env: { PATH: process.env.PATH, ...TEST_LAMBDA_ENV }, encoding: "utf8" });
      samples[j]!.push(Number(out));
    });
  }
  return samples;
}

interface RouteCase {
  route: FilesApiRouteName;
  /** The request, built fresh each time (after any setup it needs). */
  request: (f: FilesApiFixture) => Promise<EventOptions> | EventOptions;
}

function routeCases(token: string): RouteCase[] {
  const object = { token, key: "bench/object.txt" };
  let upload = "";
  const newUpload = async (f: FilesApiFixture) =>
    (upload = (JSON.parse((await f.call(ROUTES.multipartCreate, { token, json: { key: "bench/big.bin", size: 6 * MiB } })).body!) as { uploadId: string }).uploadId);
  return [
    { route: "list", request: () => ({ token, query: { prefix: "bench/", delimiter: "/" } }) },
    { route: "get", request: () => object },
    { route: "head", request: () => object },
    { route: "put", request: () => ({ ...object, body: "y".repeat(1024), headers: { "content-type": "text/plain" } }) },
    { route: "delete", request: () => ({ token, key: "bench/missing.txt" }) },
    { route: "headByQuery", request: () => ({ token, query: { key: "bench/object.txt" } }) },
    { route: "deleteByQuery", request: () => ({ token, query: { key: "bench/missing.txt" } }) },
    { route: "downloadUrl", request: () => ({ token, json: { key: "bench/object.txt", filename: "object.txt" } }) },
    { route: "uploadUrl", request: () => ({ token, json: { key: "bench/new.bin", size: 10 * MiB, contentType: "application/octet-stream" } }) },
    { route: "copy", request: () => ({ token, json: { source: "bench/object.txt", destination: "bench/copy.txt" } }) },
    { route: "multipartCreate", request: () => ({ token, json: { key: "bench/big.bin", size: 64 * MiB } }) },
    { route: "multipartPartUrls", request: async (f) => ({ token, json: { key: "bench/big.bin", uploadId: upload || (await newUpload(f)), size: 6 * MiB, partSize: 5 * MiB, partNumbers: [1, 2] } }) },
    {
      route: "multipartComplete",
      request: async (f) => {
        const uploadId = await newUpload(f);
        const etag = f.s3.store.putPart(`private/${f.cognito.identityIdFor("bench-user")}/bench/big.bin`, uploadId, 1, Buffer.alloc(1024));
        return { token, json: { key: "bench/big.bin", uploadId, parts: [{ partNumber: 1, etag }] } };
      },
    },
    { route: "multipartAbort", request: async (f) => ({ token, json: { key: "bench/big.bin", uploadId: await newUpload(f) } }) },
  ];
}

async function warmFigures(): Promise<{ rows: { route: string; p50: number; p99: number; calls: number }[]; coldCalls: number }> {
  const f = await createFilesApiFixture();
  try {
    const token = f.tokenFor("bench-user");
    const before = f.awsCalls();
    await f.call(ROUTES.put, { token, key: "bench/object.txt", body: "x".repeat(1024), headers: { "content-type": "text/plain" } });
    const coldCalls = f.awsCalls() - before;
    const rows = [];
    for (const { route, request } of routeCases(token)) {
      const routeKey = ROUTES[route];
      const latencies: number[] = [];
      let calls = 0;
      for (let i = 0; i < WARM_REQUESTS + 50; i++) {
        const event = f.event(routeKey, await request(f));
        const start = f.awsCalls();
        const t = performance.now();
        const result = await f.handler(event);
        const elapsed = performance.now() - t;
        if (result.statusCode >= 300) throw new Error(`bench: ${routeKey} answered ${result.statusCode} ${result.body}`);
        if (i >= 50) latencies.push(elapsed); // the first 50 let the JIT settle
        calls = f.awsCalls() - start;
      }
      rows.push({ route: routeKey, p50: percentile(latencies, 50), p99: percentile(latencies, 99), calls });
    }
    return { rows, coldCalls };
  } finally {
    await f.close();
  }
}

export const bench: Bench = async () => {
  const workdir = mkdtempSync(path.join(tmpdir(), "lambda-bench-"));
  try {
    const bundle = await buildLambdaBundle(path.join(workdir, "with"));
    const without: LambdaBundle = await buildLambdaBundle(path.join(workdir, "without"), { alias: { "@aws-sdk/s3-request-presigner": path.join(__dirname, "no-presigner.ts") } });
    const zipped = deflateRawSync(readFileSync(bundle.file), { level: 9 }).byteLength;
    const [initWith, initWithout] = coldInitMs([bundle.file, without.file], workdir) as [number[], number[]];
    const [medianWith, medianWithout] = [percentile(initWith, 50), percentile(initWithout, 50)];
    const { rows: routes, coldCalls } = await warmFigures();

    const rows: BenchRow[] = [
      { metric: "Bundle size (index.js, minified, SDK and presigner included)", value: `${kib(bundle.bytes)} (${bundle.bytes} bytes; deflated ${kib(zipped)})`, goal: "<= 300 KB", met: bundle.bytes <= SIZE_GOAL_BYTES },
      { metric: "Bundle size of a build without the presigner", value: `${kib(without.bytes)} (presigner adds ${kib(bundle.bytes - without.bytes)})` },
      { metric: `Cold module init with the presigner (median of ${INIT_RUNS})`, value: `${ms(medianWith)} (min ${ms(Math.min(...initWith))}, max ${ms(Math.max(...initWith))})`, goal: `<= ${INIT_GOAL_MS} ms`, met: medianWith <= INIT_GOAL_MS },
      { metric: `Cold module init without the presigner (median of ${INIT_RUNS}, same run, alternating)`, value: `${ms(medianWithout)} (min ${ms(Math.min(...initWithout))}, max ${ms(Math.max(...initWithout))})` },
      {
        metric: "Cold init with / without the presigner",
        value: `${(medianWith / medianWithout).toFixed(2)}×`,
        goal: `<= ${PRESIGNER_INIT_GOAL}× (at most +20 %)`,
        met: medianWith / medianWithout <= PRESIGNER_INIT_GOAL,
      },
      ...routes.map((r) => ({
        metric: `Warm overhead and AWS calls, \`${r.route}\` (p50 / p99 of ${WARM_REQUESTS})`,
        value: `${ms(r.p50)} / ${ms(r.p99)}; ${r.calls} AWS call${r.calls === 1 ? "" : "s"}`,
        goal: "<= 1 AWS call",
        met: r.calls <= 1,
      })),
      { metric: "AWS calls on a user's first request (GetId, GetCredentialsForIdentity, S3)", value: `${coldCalls} (the article's Lambda: ${ARTICLE_CALLS_PER_REQUEST} on every request)` },
    ];
    return {
      notes: [
        "The bundle misses the 300 KB goal uncompressed: @aws-sdk/client-s3 alone (its schema of every S3 operation and its endpoint rules) " +
          "bundles to about 294 KiB. The deployment package Lambda stores is a zip, about the deflated figure; the function loads the unzipped file. Leaving the SDK to the " +
          "runtime's copy gives a 36 KB bundle but measured 76-119 ms module init here and an SDK version that changes with runtime " +
          "updates; the bundled SDK was kept (see build/lambda-bundle.ts).",
        "The URL routes (download-url, upload-url, part-urls) make no AWS call once the caller's credentials are cached: presigning is local signing. " +
          "Overhead figures include the stand-ins' own in-process work (IAM decisions are memoised per request shape, as the bench repeats requests).",
      ],
      title: "Files API Lambda",
      method:
        `esbuild bundle of lambda/handler.ts (build/lambda-bundle.ts) built into a temp dir, and a second build with @aws-sdk/s3-request-presigner replaced by a stub; ` +
        `init = time to require() each in a fresh \`node\` (${process.version}) with the function's environment set, the two builds alternating; warm figures run ` +
        "createHandler wired as in production (real SDK clients, real RS256 verification against a loopback JWKS) with aws-sdk-client-mock stand-ins for Cognito Identity " +
        "and S3, one user's credentials cached; AWS calls counted at the clients' send()",
      rows,
    };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
};
