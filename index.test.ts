/**
 * index.ts is the program `pulumi up` runs. Each test runs it fresh under the mock runtime with a
 * stage's config, as the CLI would.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./contract/project";
import { STACK_OUTPUT_NAMES } from "./contract/stack-outputs";
import { RecordingMocks } from "./synth/mocks";
import { stackConfig } from "./synth/project-config";
import { resolve, settled } from "./synth/synthesize";

/** Runs index.ts with `config`; returns its exports, or the error it threw. */
async function runProgram(mocks: RecordingMocks, config: Record<string, string>): Promise<Record<string, unknown> | Error> {
  await pulumi.runtime.setMocks(mocks, PROJECT, "dev", false);
  pulumi.runtime.setAllConfig(config, []);
  let outcome: Record<string, unknown> | Error = new Error("index.ts did not run");
  jest.isolateModules(() => {
    try {
      outcome = require("./index"); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch (e) {
      outcome = e as Error;
    }
  });
  // Let every registration the program started reach the mocks (the Lambda bundle builds first).
  await settled();
  return outcome;
}

describe("index.ts", () => {
  it("exports every declared output (sign-in endpoints, the client secret as a secret), and a role ARN per group", async () => {
    const mocks = new RecordingMocks("ap-northeast-1");
    const exports = await runProgram(mocks, stackConfig("dev"));
    if (exports instanceof Error) throw exports;
    const values = Object.fromEntries(await Promise.all(Object.entries(exports).map(async ([k, v]) => [k, await resolve(v)])));
    expect(Object.keys(values).sort()).toEqual([...STACK_OUTPUT_NAMES].sort());
    // What only applies with a custom domain or KMS is left out of the dev stack's outputs.
    expect(Object.entries(values).filter(([, v]) => v === undefined).map(([k]) => k).sort()).toEqual(["customDomainAliasTarget", "kmsKeyArn"]);
    expect(await pulumi.isSecret(exports.userPoolClientSecret as pulumi.Output<string>)).toBe(true);
    expect(await pulumi.isSecret(exports.userPoolClientId as pulumi.Output<string>)).toBe(false);
    expect(values.region).toBe("ap-northeast-1");
    expect(values.userPoolId).toMatch(/^ap-northeast-1_\w+$/);
    expect(values.identityPoolId).toMatch(/^ap-northeast-1:[0-9a-f-]{36}$/);
    expect(Object.keys(values.roleArns as object).sort()).toEqual(["admin", "user"]);
    expect(values.filesApiEndpoint).toMatch(/^https:\/\/\w+\.execute-api\.ap-northeast-1\.amazonaws\.com$/);
    expect(mocks.resources.length).toBeGreaterThan(10);
  });

  it("fails on bad stage config before creating any resource, naming each bad key", async () => {
    const mocks = new RecordingMocks("ap-northeast-1");
    const outcome = await runProgram(mocks, stackConfig("dev", { prefix: "private/", groups: [] }));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/identity-scoped-storage:prefix: "private\/" ends with '\/'[\s\S]*identity-scoped-storage:groups: is empty/);
    expect(mocks.resources).toEqual([]);
  });

  it("fails on an array past its bound (100 CORS origins) before creating any resource", async () => {
    const mocks = new RecordingMocks("ap-northeast-1");
    const origins = Array.from({ length: 100 }, (_, i) => `https://app${i}.example.com`);
    const outcome = await runProgram(mocks, stackConfig("dev", { corsOrigins: origins }));
    expect((outcome as Error).message).toMatch(/identity-scoped-storage:corsOrigins: has 100 items; at most 20 are allowed/);
    expect(mocks.resources).toEqual([]);
  });
});
