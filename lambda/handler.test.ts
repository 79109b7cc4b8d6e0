/**
 * The entry point: built once per container from the environment, failing init on a bad one.
 */
import { TEST_LAMBDA_ENV } from "../stand-ins/lambda-env";
const GOOD_ENV = TEST_LAMBDA_ENV;

const saved = { ...process.env };
let stdout: string[];
beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
});

function loadEntry(env: Record<string, string | undefined>): { handler: typeof import("./handler").handler } {
  process.env = { ...saved, ...env };
  let loaded: { handler: typeof import("./handler").handler } | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require("./handler");
  });
  return loaded!;
}

it("fails at init, naming the problem, when the environment is incomplete", () => {
  expect(() => loadEntry({ ...GOOD_ENV, BUCKET_NAME: undefined })).toThrow("Invalid Lambda environment (a deploy bug): BUCKET_NAME is not set");
});

it("exports a handler built from a good environment that answers a tokenless request with a JSON 401", async () => {
  const { handler } = loadEntry(GOOD_ENV);
  const result = await handler({ routeKey: "GET /files", headers: {}, requestContext: { requestId: "r1" } } as never, { awsRequestId: "l1" });
  expect(result.statusCode).toBe(401);
  expect(JSON.parse(result.body!)).toMatchObject({ error: "missing_token", requestId: "r1" });
  // One bare JSON line on stdout per request.
  expect(stdout).toHaveLength(1);
  expect(JSON.parse(stdout[0]!)).toMatchObject({ requestId: "r1", lambdaRequestId: "l1", route: "GET /files", status: 401, error: "missing_token" });
});

it("answers a malformed invocation (no event) with JSON, not a thrown error", async () => {
  const { handler } = loadEntry(GOOD_ENV);
  const result = await handler(undefined as never, { awsRequestId: "l2" });
  expect(result.statusCode).toBe(404);
  expect(JSON.parse(result.body!)).toMatchObject({ error: "route_not_found", requestId: "l2" });
});
