/**
 * The Files API Lambda: bundle size, cold module init of the built bundle, warm handler overhead
 * with stand-in AWS clients, and AWS calls per warm request.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import { ROUTES } from "../lambda/create-handler";
import { buildLambdaBundle } from "../build/lambda-bundle";
import { createFilesApiFixture } from "../stand-ins/files-api-fixture";
import { TEST_LAMBDA_ENV } from "../stand-ins/lambda-env";
import { percentile, type Bench, type BenchRow } from "./harness";

const SIZE_GOAL_BYTES = 300 * 1024;
const INIT_GOAL_MS = 100;
const INIT_RUNS = 9;
const WARM_REQUESTS = 2000;
/** The article's Lambda: AdminGetUser, GetId, GetCredentialsForIdentity, then S3. */
const ARTICLE_CALLS_PER_REQUEST = 4;

const BUNDLE_ENV = TEST_LAMBDA_ENV;

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Median time to `require` the bundle in fresh Node processes (the init phase's module work). */
function coldInitMs(bundleFile: string, workdir: string): number[] {
  const script = path.join(workdir, "measure-init.js");
  writeFileSync(
    script,
    `const t = performance.now(); require(${JSON.stringify(bundleFile)}); process.stdout.write(String(performance.now() - t));`,
  );
  const samples: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    const out = execFileSync(process.execPath, [script], { env: { PATH: process.env.PATH, ...BUNDLE_ENV }, encoding: "utf8" });
    samples.push(Number(out));
  }
  return samples;
}

async function warmFigures(): Promise<{ latencies: number[]; callsPerRoute: Record<string, number>; coldCalls: number }> {
  const f = await createFilesApiFixture();
  try {
    const token = f.tokenFor("bench-user");
    const before = f.awsCalls();
    await f.call(ROUTES.put, { token, key: "bench/object.txt", body: "x".repeat(1024), headers: { "content-type": "text/plain" } });
    const coldCalls = f.awsCalls() - before;

    const callsPerRoute: Record<string, number> = {};
    for (const [route, options] of [
      [ROUTES.get, { key: "bench/object.txt" }],
      [ROUTES.put, { key: "bench/object.txt", body: "y".repeat(1024) }],
      [ROUTES.list, {}],
      [ROUTES.delete, { key: "bench/other.txt" }],
    ] as const) {
      const start = f.awsCalls();
      const result = await f.call(route, { token, ...options });
      if (result.statusCode !== 200) throw new Error(`bench: ${route} answered ${result.statusCode}`);
      callsPerRoute[route] = f.awsCalls() - start;
    }

    const event = f.event(ROUTES.get, { token, key: "bench/object.txt" });
    for (let i = 0; i < 200; i++) await f.handler(event); // let the JIT settle
    const latencies: number[] = [];
    for (let i = 0; i < WARM_REQUESTS; i++) {
      const t = performance.now();
      await f.handler(event);
      latencies.push(performance.now() - t);
    }
    return { latencies, callsPerRoute, coldCalls };
  } finally {
    await f.close();
  }
}

export const bench: Bench = async () => {
  const workdir = mkdtempSync(path.join(tmpdir(), "lambda-bench-"));
  try {
    const bundle = await buildLambdaBundle(workdir);
    const zipped = deflateRawSync(readFileSync(bundle.file), { level: 9 }).byteLength;
    const init = coldInitMs(bundle.file, workdir);
    const initMedian = percentile(init, 50);
    const { latencies, callsPerRoute, coldCalls } = await warmFigures();
    const maxWarmCalls = Math.max(...Object.values(callsPerRoute));

    const rows: BenchRow[] = [
      { metric: "Bundle size (index.js, minified, SDK included)", value: `${kib(bundle.bytes)} (${bundle.bytes} bytes; deflated ${kib(zipped)})`, goal: "<= 300 KB", met: bundle.bytes <= SIZE_GOAL_BYTES },
      { metric: `Cold module init (require of the bundle, median of ${INIT_RUNS})`, value: `${ms(initMedian)} (min ${ms(Math.min(...init))}, max ${ms(Math.max(...init))})`, goal: `<= ${INIT_GOAL_MS} ms`, met: initMedian <= INIT_GOAL_MS },
      { metric: `Warm handler overhead, GET 1 KiB, p50 (${WARM_REQUESTS} requests)`, value: ms(percentile(latencies, 50)) },
      { metric: `Warm handler overhead, GET 1 KiB, p99 (${WARM_REQUESTS} requests)`, value: ms(percentile(latencies, 99)) },
      {
        metric: "AWS calls per warm request (GET / PUT / LIST / DELETE)",
        value: `${Object.values(callsPerRoute).join(" / ")} (the article's Lambda: ${ARTICLE_CALLS_PER_REQUEST})`,
        goal: "1",
        met: maxWarmCalls === 1,
      },
      { metric: "AWS calls on a user's first request (GetId, GetCredentialsForIdentity, S3)", value: String(coldCalls) },
    ];
    return {
      notes: [
        "The bundle misses the 300 KB goal uncompressed: @aws-sdk/client-s3 alone (its schema of every S3 operation and its endpoint rules) " +
          "bundles to about 294 KiB. The deployment package Lambda stores is a zip, about the deflated figure; the function loads the unzipped file. Leaving the SDK to the " +
          "runtime's copy gives a 36 KB bundle but measured 76-119 ms module init here and an SDK version that changes with runtime " +
          "updates; the bundled SDK was kept (see build/lambda-bundle.ts).",
      ],
      title: "Files API Lambda",
      method:
        `esbuild bundle of lambda/handler.ts (build/lambda-bundle.ts) built into a temp dir; init = time to require() it in a fresh \`node\` ` +
        `(${process.version}) with the function's environment set; warm figures run createHandler wired as in production ` +
        "(real SDK clients, real RS256 verification against a loopback JWKS) with aws-sdk-client-mock stand-ins for Cognito Identity " +
        "and S3 (their in-process work is included); AWS calls counted at the clients' send()",
      rows,
    };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
};
