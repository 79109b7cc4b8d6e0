/**
 * The stage's own names must make physical names AWS accepts. Intent, from the AWS API references:
 * Lambda function and IAM role names hold 64 characters, S3 bucket names 63 of a-z 0-9 . -; Pulumi
 * auto-names `<logical name>-<7 hex>` and refuses (at preview) what does not fit. The synthesis
 * mock refuses the same way, so the longest names allowed here are proven to synthesize.
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordingMocks } from "../synth/mocks";
import { synthesizeStack } from "../synth/synthesize";
import { StageConfigError } from "./stage-config";
import { MAX_STAGE_AND_GROUP_NAME_LENGTH, MAX_STAGE_NAME_LENGTH } from "./stage-names";

const longest = "s".repeat(MAX_STAGE_NAME_LENGTH);
const groupsBeside = (stack: string, extra = 0) => [{ name: "g".repeat(MAX_STAGE_AND_GROUP_NAME_LENGTH - stack.length + extra), precedence: 0 }];

async function refusal(stack: string, overrides: Record<string, unknown> = {}): Promise<StageConfigError> {
  const error = await synthesizeStack({ stack, configOf: "dev", overrides }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StageConfigError);
  return error as StageConfigError;
}

it("the longest stage name and, beside it, the longest group name synthesize: every auto-name fits", async () => {
  const s = await synthesizeStack({ stack: longest, configOf: "dev", overrides: { groups: groupsBeside(longest) } });
  const names = s.resources.filter((r) => r.custom && ["aws:lambda/function:Function", "aws:iam/role:Role"].includes(r.type)).map((r) => r.state.name as string);
  expect(Math.max(...names.map((n) => n.length))).toBe(64);
  expect(s.outputs.bucketName).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
});

it("one character more in the stage name is refused before any resource, naming the stack", async () => {
  const e = await refusal(`${longest}s`);
  expect(e.problems).toEqual([{ key: "stack", message: expect.stringMatching(/at most \d+, so the Files API function's auto-name .* fits Lambda's 64/) }]);
});

it("one character more in a group name (beside the longest stack) is refused, naming the group", async () => {
  const e = await refusal(longest, { groups: groupsBeside(longest, 1) });
  expect(e.problems).toEqual([{ key: "identity-scoped-storage:groups[0].name", message: expect.stringMatching(/fits IAM's 64/) }]);
});

it.each(["Dev", "feature_x", "v1.2"])("stack %j cannot name a bucket: refused with the reason", async (stack) => {
  const e = await refusal(stack);
  expect(e.problems[0]).toEqual({ key: "stack", message: expect.stringMatching(/S3 bucket names take only a-z 0-9 -/) });
});

it("control: the mock provider refuses an over-long auto-name as Pulumi would (so the first test could fail)", () => {
  const mocks = new RecordingMocks("us-east-1");
  const role = (name: string) => mocks.newResource({ type: "aws:iam/role:Role", name, inputs: {}, custom: true, id: undefined } as unknown as pulumi.runtime.MockResourceArgs);
  expect(() => role("r".repeat(57))).toThrow(/plus 7 random chars is longer than maximum length 64/);
  expect(role("r".repeat(56)).id).toMatch(/^r{56}-[0-9a-f]{7}$/);
});
