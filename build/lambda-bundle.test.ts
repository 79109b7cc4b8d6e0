/**
 * The bundle as Lambda would load it: one file, no packages left to resolve, `index.handler`
 * working in a fresh Node process with only the environment set.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildLambdaBundle, type LambdaBundle } from "./lambda-bundle";
import { TEST_LAMBDA_ENV } from "../stand-ins/lambda-env";

let bundle: LambdaBundle;
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), "files-api-bundle-"));
  bundle = await buildLambdaBundle(outdir);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it("writes index.js alone and reports its real size", () => {
  expect(readdirSync(outdir)).toEqual(["index.js"]);
  expect(bundle.bytes).toBe(readFileSync(bundle.file).byteLength);
});

it("leaves nothing to require but Node built-ins (the SDK, the presigner and aws-jwt-verify are inside)", () => {
  // esbuild's own record of what the output still imports at run time.
  const output = Object.values(bundle.metafile.outputs)[0]!;
  const external = output.imports.filter((i) => i.external).map((i) => i.path);
  expect(external.filter((name) => !builtinModules.includes(name.replace(/^node:/, "")))).toEqual([]);
  for (const bundled of ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner", "content-disposition", "aws-jwt-verify"]) {
    expect({ bundled, inside: Object.keys(bundle.metafile.inputs).some((input) => input.includes(`node_modules/${bundled}/`)) }).toEqual({ bundled, inside: true });
  }
});

it("loads in a fresh Node process and answers index.handler with a JSON 401 for a tokenless request", () => {
  const script = `
    const { handler } = require(${JSON.stringify(bundle.file)});
    handler({ routeKey: "GET /files", headers: {}, requestContext: { requestId: "r1" } }, { awsRequestId: "l1" })
      .then((r) => process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"));
  `;
  const out = execFileSync(process.execPath, ["-e", script], {
    env: {
      PATH: process.env.PATH,
      ...TEST_LAMBDA_ENV,
    },
    encoding: "utf8",
  });
  const lines = out.trim().split("\n");
  const result = JSON.parse(lines.find((l) => l.startsWith("RESULT "))!.slice("RESULT ".length)) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(401);
  expect(JSON.parse(result.body)).toMatchObject({ error: "missing_token" });
  // The request log line went to stdout as bare JSON.
  expect(JSON.parse(lines.find((l) => l.startsWith("{"))!)).toMatchObject({ route: "GET /files", status: 401 });
});

it("fails to load, naming the variable, when the environment is incomplete", () => {
  let stderr = "";
  try {
    execFileSync(process.execPath, ["-e", `require(${JSON.stringify(bundle.file)})`], { env: { PATH: process.env.PATH }, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    stderr = String((error as { stderr?: string }).stderr);
  }
  expect(stderr).toContain("Invalid Lambda environment (a deploy bug): REGION is not set");
});
