/**
 * Bundles the handler with esbuild into one minified CommonJS file, dist/lambda/index.js, for the
 * Node.js 22 runtime (handler `index.handler`). No node_modules are shipped.
 *
 * The AWS SDK clients are bundled, not left to the runtime's copy: the function then runs the
 * exact SDK versions the tests ran (the runtime's SDK changes under us with runtime updates),
 * at the cost of size: minified, the bundle is about 365 KiB (115 KiB deflated, as Lambda stores
 * it), over the 300 KB goal (see BENCHMARKS.md); the runtime-SDK alternative is 36 KB but loads
 * slower and drifts with runtime updates. The SDK's default credential chain is replaced by a
 * module that throws (see lambda/no-default-credentials.ts): this function never signs a request
 * with its own role, which also keeps the chain's providers out of the bundle.
 *
 *   npm run build:lambda            writes dist/lambda/index.js
 */
import { build, type Metafile } from "esbuild";
import { statSync } from "node:fs";
import * as path from "node:path";

const LAMBDA_DIR = path.join(__dirname, "..", "lambda");
export const LAMBDA_ENTRY = path.join(LAMBDA_DIR, "handler.ts");
export const DEFAULT_LAMBDA_OUTDIR = path.join(__dirname, "..", "dist", "lambda");

/**
 * Names a directory holding this checkout's bundle, already built, for synth/ to use instead of
 * building one: jest's global setup (jest.global-setup.ts) builds it once per test run, so the test
 * files that synthesize a stack do not each run esbuild again on the same sources.
 */
export const PREBUILT_LAMBDA_BUNDLE_ENV = "ISS_PREBUILT_LAMBDA_BUNDLE";

export interface LambdaBundle {
  /** The directory to zip (it holds index.js only). */
  outdir: string;
  /** `<outdir>/index.js`. */
  file: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * Builds the bundle into `outdir` (replacing index.js) and reports its size. `alias` replaces
 * further modules (the bench builds a variant without the presigner to weigh it).
 */
export async function buildLambdaBundle(outdir: string = DEFAULT_LAMBDA_OUTDIR, options: { alias?: Record<string, string> } = {}): Promise<LambdaBundle> {
  const file = path.join(outdir, "index.js");
  const result = await build({
    entryPoints: [LAMBDA_ENTRY],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
    mainFields: ["module", "main"],
    alias: { "@aws-sdk/credential-provider-node": path.join(LAMBDA_DIR, "no-default-credentials.ts"), ...options.alias },
  });
  return { outdir, file, bytes: statSync(file).size, metafile: result.metafile };
}

if (require.main === module) {
  buildLambdaBundle().then(
    (bundle) => console.log(`${path.relative(process.cwd(), bundle.file)}: ${(bundle.bytes / 1024).toFixed(1)} KiB`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
