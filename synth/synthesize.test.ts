/**
 * Where a synthesis gets the Files API's code: the bundle jest's global setup built once for the
 * test run, or, outside jest (`npm run review`, the bench), a bundle of lambda/ it builds itself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PREBUILT_LAMBDA_BUNDLE_ENV } from "../build/lambda-bundle";
import { synthesizeStack, type SynthesizedStack } from "./synthesize";

const PREBUILT = process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
const codePathOf = async (s: SynthesizedStack) => (await (s.one("aws:lambda/function:Function").inputs.code as { path: Promise<string> }).path) as string;

/** Runs `work` with the variable set to `value` (or unset), then restores it. */
async function withPrebuilt<T>(value: string | undefined, work: () => Promise<T>): Promise<T> {
  if (value === undefined) delete process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
  else process.env[PREBUILT_LAMBDA_BUNDLE_ENV] = value;
  try {
    return await work();
  } finally {
    if (PREBUILT === undefined) delete process.env[PREBUILT_LAMBDA_BUNDLE_ENV];
    else process.env[PREBUILT_LAMBDA_BUNDLE_ENV] = PREBUILT;
  }
}

it("under jest, uses the bundle the global setup built for the run", async () => {
  expect(PREBUILT).toBeDefined();
  expect(fs.readFileSync(path.join(PREBUILT!, "index.js"), "utf8")).toMatch(/exports\.handler|module\.exports/);
  expect(await codePathOf(await synthesizeStack())).toBe(PREBUILT);
});

it("without one, builds the handler bundle itself, into a directory of its own: the same bundle", async () => {
  const built = await withPrebuilt(undefined, async () => {
    // A fresh synthesize.ts: a loaded one keeps the code it chose for the rest of the process.
    let fresh!: typeof import("./synthesize");
    jest.isolateModules(() => {
      fresh = require("./synthesize"); // eslint-disable-line @typescript-eslint/no-require-imports
    });
    return codePathOf(await fresh.synthesizeStack());
  });
  try {
    expect(built).not.toBe(PREBUILT);
    expect(path.dirname(built)).toBe(os.tmpdir());
    expect(fs.readFileSync(path.join(built, "index.js"), "utf8")).toBe(fs.readFileSync(path.join(PREBUILT!, "index.js"), "utf8"));
  } finally {
    fs.rmSync(built, { recursive: true, force: true });
  }
});

it("refuses a prebuilt directory that holds no bundle, naming the variable", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "iss-no-bundle-"));
  try {
    await withPrebuilt(empty, () => expect(synthesizeStack()).rejects.toThrow(`synth: ${PREBUILT_LAMBDA_BUNDLE_ENV}=${empty} holds no index.js`));
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
