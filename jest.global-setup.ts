/**
 * Runs once before jest starts its workers: builds the Lambda bundle of this checkout once for the
 * whole run (synth/synthesize.ts uses it instead of running esbuild again in every test file that
 * synthesizes a stack) and removes it when jest exits. The workers inherit the variable.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLambdaBundle, PREBUILT_LAMBDA_BUNDLE_ENV } from "./build/lambda-bundle";

export default async function globalSetup(): Promise<void> {
  const bundle = await buildLambdaBundle(fs.mkdtempSync(path.join(os.tmpdir(), "iss-lambda-run-")));
  process.env[PREBUILT_LAMBDA_BUNDLE_ENV] = bundle.outdir;
  process.once("exit", () => fs.rmSync(bundle.outdir, { recursive: true, force: true }));
}
