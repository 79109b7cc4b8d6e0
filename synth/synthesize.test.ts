/**
 * Where a synthesis gets the Files API's code: the bundle jest's global setup built once for the
 * test run, or, outside jest (`npm run review`, the bench), a bundle of lambda/ it builds itself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PREBUILT_LAMBDA_BUNDLE_ENV } from "../build/lambda-bundle";

type Synthesize = typeof import("./synthesize");

/** synthesize.ts loaded afresh (it keeps the code it chose for the rest of the process), with the variable as given. */
async function codePathWith(prebuilt: string | undefined): Promise<string> {
  const before = process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
  if (prebuilt === undefined) delete process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
  else process.env[PREBUILT_LAMBDA_BUNDLE_ENV] = prebuilt;
  try {
    let synth!: Synthesize;
    jest.isolateModules(() => {
      synth = require("./synthesize"); // eslint-disable-line @typescript-eslint/no-require-imports
    });
    const s = await synth.synthesizeStack();
    return (await (s.one("aws:lambda/function:Function").inputs.code as { path: Promise<string> }).path) as string;
  } finally {
    if (before === undefined) delete process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
    else process.env[PREBUILT_LAMBDA_BUNDLE_ENV] = before;
  }
}

it("under jest, uses the bundle the global setup built for the run", async () => {
  const prebuilt = process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
  expect(prebuilt).toBeDefined();
  expect(fs.readFileSync(path.join(prebuilt!, "index.js"), "utf8")).toMatch(/exports|module\.exports/);
  expect(await codePathWith(prebuilt)).toBe(prebuilt);
});

it("without one, builds the handler bundle itself, into a directory of its own", async () => {
  const built = await codePathWith(undefined);
  expect(built).not.toBe(process.env[PREBUILT_LAMBDA_BUNDLE_ENV]);
  expect(path.dirname(built)).toBe(os.tmpdir());
  const bundle = fs.readFileSync(path.join(built, "index.js"), "utf8");
  // The control: the bundle it built is the same handler the prebuilt one is.
  expect(bundle).toBe(fs.readFileSync(path.join(process.env[PREBUILT_LAMBDA_BUNDLE_ENV]!, "index.js"), "utf8"));
  fs.rmSync(built, { recursive: true, force: true });
});

it("refuses a prebuilt directory that holds no bundle, naming the variable", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "iss-no-bundle-"));
  try {
    await expect(codePathWith(empty)).rejects.toThrow(`synth: ${PREBUILT_LAMBDA_BUNDLE_ENV}=${empty} holds no index.js`);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
