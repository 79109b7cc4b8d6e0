/**
 * The aws engine against a real IAMClient whose `send` is stubbed by aws-sdk-client-mock: the
 * stub answers with AWS-shaped responses (aws-responses/recorded-shapes.ts); the assertions are
 * on the requests the engine builds and on how it reads those responses.
 */
import { defaultIntent } from "../../intent";
import {
  IAMClient,
  IAMServiceException,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type SimulateCustomPolicyCommandInput,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { identityStorageGrants, storageBucketPolicy } from "../../../components/policy-documents";
import type { ReviewTarget, RoleUnderReview } from "../../review-target";
import { backoffDelay } from "../../../aws-retry/retry";
import { createAwsEngine, type AwsEngineOptions } from "./aws-engine";
import { contextKeyType } from "./request-context";
import type { S3Request } from "../engine";
import * as shapes from "./recorded-responses/recorded-shapes";

const ID_A = "us-east-1:11111111-1111-4111-8111-111111111111";
const ID_B = "us-east-1:22222222-2222-4222-8222-222222222222";
const ROLE_ARN = "arn:aws:iam::111122223333:role/users-role";

const role: RoleUnderReview = {
  group: "users",
  roleArn: ROLE_ARN,
  identityPolicies: [{ name: "users-storage-grants", document: identityStorageGrants({ bucketArn: shapes.BUCKET, prefix: "private" }) }],
  readAllFolders: false,
};
const target: ReviewTarget = {
  label: "stack test",
  region: "us-east-1",
  accountId: "111122223333",
  bucketName: "photo-bucket-1234",
  prefix: "private",
  intent: defaultIntent("private"),
  aclsDisabled: false,
  identityPoolId: "us-east-1:33333333-3333-4333-8333-333333333333",
  roles: [role],
  bucketPolicy: { name: "bucket-policy", document: storageBucketPolicy({ bucketArn: shapes.BUCKET }) },
};

const request = (action: string, resourceArn: string, extra: Partial<S3Request> = {}): S3Request => ({
  role,
  identityId: ID_A,
  action,
  resourceArn,
  context: { "aws:SecureTransport": "true" },
  deliberatelyAbsent: [],
  ...extra,
});
const getPut = [
  request("s3:GetObject", shapes.OBJECT_A),
  request("s3:GetObject", shapes.OBJECT_B),
  request("s3:PutObject", shapes.OBJECT_A),
  request("s3:PutObject", shapes.OBJECT_B),
];

function setup(options: AwsEngineOptions = {}) {
  const client = new IAMClient({ region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
  const iam = mockClient(client);
  const delays: number[] = [];
  const engine = createAwsEngine({
    client,
    retry: { maxAttempts: 3, sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    ...options,
  });
  const customInputs = () => iam.commandCalls(SimulateCustomPolicyCommand).map((c) => c.args[0].input);
  return { iam, engine, delays, customInputs };
}

const entry = (entries: ContextEntry[] | undefined, name: string) => entries?.find((e) => e.ContextKeyName === name);
const throttling = () =>
  new IAMServiceException({ name: "Throttling", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });

describe("aws engine: requests it builds", () => {
  test("documents: SimulateCustomPolicy with the role's policies unsubstituted, the sub as a string entry, the bucket policy with a user caller and the bucket owner", async () => {
    const { iam, engine, customInputs } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.olderShapeGetPut);
    await engine.evaluateS3(target, getPut);
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(0);
    const [input] = customInputs() as [SimulateCustomPolicyCommandInput];
    expect(input.PolicyInputList).toHaveLength(1);
    expect(JSON.parse(input.PolicyInputList![0]!)).toEqual(role.identityPolicies[0]!.document);
    expect(input.PolicyInputList![0]).toContain("private/${cognito-identity.amazonaws.com:sub}/*");
    expect(entry(input.ContextEntries, "cognito-identity.amazonaws.com:sub")).toEqual({
      ContextKeyName: "cognito-identity.amazonaws.com:sub",
      ContextKeyValues: [ID_A],
      ContextKeyType: "string",
    });
    expect(entry(input.ContextEntries, "aws:SecureTransport")).toMatchObject({ ContextKeyValues: ["true"], ContextKeyType: "boolean" });
    expect(entry(input.ContextEntries, "aws:PrincipalArn")).toMatchObject({ ContextKeyValues: [ROLE_ARN], ContextKeyType: "string" });
    expect(JSON.parse(input.ResourcePolicy!)).toEqual(target.bucketPolicy!.document);
    expect(input.CallerArn).toBe("arn:aws:iam::111122223333:user/policy-review-simulated-caller");
    expect(input.ResourceOwner).toBe("arn:aws:iam::111122223333:root");
    expect(input.Marker).toBeUndefined();
  });

  test("context key types come from the key; arrays are list types; a value the type cannot hold is a problem, not a call", async () => {
    expect(contextKeyType("aws:SecureTransport", "true")).toBe("boolean");
    expect(contextKeyType("s3:prefix", "private/x/")).toBe("string");
    expect(contextKeyType("s3:prefix", ["a/", "b/"])).toBe("stringList");
    expect(contextKeyType("s3:max-keys", "10")).toBe("numeric");
    expect(contextKeyType("custom:flag", "true")).toBe("string");
    const { iam, engine, customInputs } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.listBucketMissingPrefix);
    const verdicts = await engine.evaluateS3(target, [
      request("s3:ListBucket", shapes.BUCKET, { context: { "aws:SecureTransport": "yes" } }),
      request("s3:ListBucket", shapes.BUCKET, { context: { "aws:SecureTransport": "true", "s3:prefix": ["private/a/", "private/b/"] } }),
    ]);
    expect(verdicts[0]!.problems.join()).toMatch(/aws:SecureTransport is boolean: "yes"/);
    expect(customInputs()).toHaveLength(1);
    expect(entry(customInputs()[0]!.ContextEntries, "s3:prefix")).toMatchObject({ ContextKeyValues: ["private/a/", "private/b/"], ContextKeyType: "stringList" });
  });

  test("batches requests sharing role, identity and context into one grid; other identities, action sets and non-bucket resources get their own calls", async () => {
    const { iam, engine, customInputs } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves({ EvaluationResults: [], IsTruncated: false });
    const kmsKey = "arn:aws:kms:us-east-1:111122223333:key/0b7f3c2e-0000-4000-8000-000000000000";
    await engine.evaluateS3(target, [
      ...getPut,
      request("s3:GetObject", shapes.OBJECT_A, { identityId: ID_B }),
      request("s3:ListBucket", shapes.BUCKET),
      request("kms:Decrypt", kmsKey),
    ]);
    const calls = customInputs().map((i) => ({
      actions: i.ActionNames,
      resources: i.ResourceArns,
      sub: entry(i.ContextEntries, "cognito-identity.amazonaws.com:sub")!.ContextKeyValues![0],
      bucketPolicy: i.ResourcePolicy !== undefined,
    }));
    expect(calls).toHaveLength(4);
    expect(calls).toContainEqual({ actions: ["s3:GetObject", "s3:PutObject"], resources: [shapes.OBJECT_A, shapes.OBJECT_B], sub: ID_A, bucketPolicy: true });
    expect(calls).toContainEqual({ actions: ["s3:GetObject"], resources: [shapes.OBJECT_A], sub: ID_B, bucketPolicy: true });
    expect(calls).toContainEqual({ actions: ["s3:ListBucket"], resources: [shapes.BUCKET], sub: ID_A, bucketPolicy: true });
    expect(calls).toContainEqual({ actions: ["kms:Decrypt"], resources: [kmsKey], sub: ID_A, bucketPolicy: false });
  });

  test("respects the per-call resource and action limits", async () => {
    const { iam, engine, customInputs } = setup({ maxResourcesPerCall: 2, maxActionsPerCall: 1 });
    iam.on(SimulateCustomPolicyCommand).resolves({ EvaluationResults: [], IsTruncated: false });
    const objects = [1, 2, 3, 4, 5].map((n) => `${shapes.BUCKET}/private/${ID_A}/${n}.jpg`);
    await engine.evaluateS3(target, objects.flatMap((o) => [request("s3:GetObject", o), request("s3:PutObject", o)]));
    expect(customInputs()).toHaveLength(6);
    for (const input of customInputs()) {
      expect(input.ResourceArns!.length).toBeLessThanOrEqual(2);
      expect(input.ActionNames).toHaveLength(1);
    }
    expect(customInputs().flatMap((i) => i.ResourceArns!.flatMap((r) => i.ActionNames!.map((a) => `${a} ${r}`))).sort()).toEqual(
      objects.flatMap((o) => [`s3:GetObject ${o}`, `s3:PutObject ${o}`]).sort(),
    );
  });

  test("deployed: SimulatePrincipalPolicy on the role ARN, without our policies; placeholder ARNs are refused", async () => {
    const { iam, engine } = setup({ mode: "deployed" });
    iam.on(SimulatePrincipalPolicyCommand).resolves(shapes.deployedRoleGetObject);
    const [verdict] = await engine.evaluateS3(target, [request("s3:GetObject", shapes.OBJECT_A)]);
    const input = iam.commandCalls(SimulatePrincipalPolicyCommand)[0]!.args[0].input;
    expect(input.PolicySourceArn).toBe(ROLE_ARN);
    expect(input.PolicyInputList).toBeUndefined();
    expect(input.CallerArn).toBe("arn:aws:iam::111122223333:user/policy-review-simulated-caller");
    expect(entry(input.ContextEntries, "cognito-identity.amazonaws.com:sub")!.ContextKeyValues).toEqual([ID_A]);
    expect(verdict).toEqual({
      decision: "Allowed",
      decidedBy: [{ policy: "users-storage-grants", statement: "at line 1, column 41", effect: "Allow" }],
      problems: [],
    });
    const placeholder = { ...role, roleArn: "files:users" };
    await expect(engine.evaluateS3(target, [request("s3:GetObject", shapes.OBJECT_A, { role: placeholder })])).rejects.toThrow(/needs real role ARNs: group users/);
  });

  test("reachability: one permissive control policy for exactly the call's grid, no bucket policy, same context", async () => {
    const { iam, engine, customInputs } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.singleResultPerActionGetPut);
    const verdicts = await engine.evaluateReachability(target, getPut);
    const [input] = customInputs();
    expect(JSON.parse(input!.PolicyInputList![0]!)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "ReachabilityControl", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [shapes.OBJECT_A, shapes.OBJECT_B] }],
    });
    expect(input!.ResourcePolicy).toBeUndefined();
    expect(input!.CallerArn).toBeUndefined();
    expect(entry(input!.ContextEntries, "cognito-identity.amazonaws.com:sub")!.ContextKeyValues).toEqual([ID_A]);
    expect(verdicts.map((v) => v.decision)).toEqual(["Allowed", "ImplicitlyDenied", "Allowed", "ImplicitlyDenied"]);
  });

  test("has no evaluateTrust (the simulator skips trust policies for sts:Assume*)", () => {
    expect(setup().engine.evaluateTrust).toBeUndefined();
  });
});

describe("aws engine: reading responses", () => {
  const expectedGetPut = ["Allowed", "ImplicitlyDenied", "Allowed", "ImplicitlyDenied"];
  const ownFolder = { policy: "users-storage-grants", statement: "OwnFolderObjects", effect: "Allow" };

  test("older shape: one result per action × resource, statements located in the text we sent", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.olderShapeGetPut);
    const verdicts = await engine.evaluateS3(target, getPut);
    expect(verdicts.map((v) => v.decision)).toEqual(expectedGetPut);
    expect(verdicts[0]!.decidedBy).toEqual([ownFolder]);
    expect(verdicts[2]!.decidedBy).toEqual([ownFolder]);
    expect(verdicts[1]!.decidedBy).toEqual([]);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
  });

  test("2026 shape: per-resource decisions from ResourceSpecificResults, not the aggregate top level", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.singleResultPerActionGetPut);
    const verdicts = await engine.evaluateS3(target, getPut);
    expect(verdicts.map((v) => v.decision)).toEqual(expectedGetPut);
    expect(verdicts[0]!.decidedBy).toEqual([ownFolder]);
    expect(verdicts[1]!.decidedBy).toEqual([]);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
  });

  test("follows IsTruncated/Marker with the same request", async () => {
    const { iam, engine, customInputs } = setup();
    iam.on(SimulateCustomPolicyCommand).resolvesOnce(shapes.truncatedPage1).resolvesOnce(shapes.truncatedPage2);
    const verdicts = await engine.evaluateS3(target, getPut);
    const [first, second] = customInputs();
    expect(first!.Marker).toBeUndefined();
    expect(second).toEqual({ ...first, Marker: shapes.truncatedPage1.Marker });
    expect(verdicts.map((v) => v.decision)).toEqual(expectedGetPut);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
  });

  test("MissingContextValues is a problem, unless the key was left out on purpose", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.listBucketMissingPrefix);
    const [unexpected] = await engine.evaluateS3(target, [request("s3:ListBucket", shapes.BUCKET)]);
    expect(unexpected!.problems).toEqual([expect.stringMatching(/missing context value for s3:prefix/)]);
    const [deliberate] = await engine.evaluateS3(target, [request("s3:ListBucket", shapes.BUCKET, { deliberatelyAbsent: ["s3:prefix"] })]);
    expect(deliberate).toEqual({ decision: "ImplicitlyDenied", decidedBy: [], problems: [] });
  });

  test("explicit deny: the bucket policy's Deny and the identity policy's Allow, each with its effect", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.explicitDenyInsecureTransport);
    const [verdict] = await engine.evaluateS3(target, [request("s3:GetObject", shapes.OBJECT_A, { context: { "aws:SecureTransport": "false" } })]);
    expect(verdict).toEqual({
      decision: "ExplicitlyDenied",
      decidedBy: [{ policy: "bucket-policy", statement: "DenyInsecureTransport", effect: "Deny" }, ownFolder],
      problems: [],
    });
  });

  test("a result for something not asked, or no result for something asked, is a problem", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.resultForUnaskedAction);
    const [asked] = await engine.evaluateS3(target, [request("s3:GetObject", shapes.OBJECT_A)]);
    expect(asked!.decision).toBe("Allowed");
    expect(asked!.problems).toEqual([expect.stringMatching(/did not ask for \(s3:deleteobject on .*cat\.jpg\)/)]);
    const [unanswered] = await engine.evaluateS3(target, [request("s3:GetObject", shapes.OBJECT_B)]);
    expect(unanswered!.problems).toEqual(expect.arrayContaining([expect.stringMatching(/no result for s3:GetObject on .*2222.*cat\.jpg/)]));
  });

  test("a bucket policy naming a principal the stand-in caller cannot match is a problem on its verdicts", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.olderShapeGetPut);
    const named = {
      ...target,
      bucketPolicy: {
        name: "named-bucket-policy",
        document: { Version: "2012-10-17", Statement: [{ Sid: "OnlyAdmins", Effect: "Allow" as const, Principal: { AWS: "arn:aws:iam::111122223333:role/admins" }, Action: "s3:*", Resource: `${shapes.BUCKET}/*` }] },
      },
    };
    const verdicts = await engine.evaluateS3(named, getPut);
    expect(verdicts[0]!.problems).toEqual([expect.stringMatching(/OnlyAdmins names principal\(s\) AWS:arn:aws:iam::111122223333:role\/admins/)]);
  });

  test("reports progress up to the total", async () => {
    const { iam, engine } = setup();
    iam.on(SimulateCustomPolicyCommand).resolves(shapes.olderShapeGetPut);
    const progress: [number, number][] = [];
    await engine.evaluateS3(target, [...getPut, request("s3:GetObject", shapes.OBJECT_A, { identityId: ID_B })], (d, t) => progress.push([d, t]));
    expect(progress[0]).toEqual([0, 5]);
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(progress.map(([d]) => d)).toEqual([...progress.map(([d]) => d)].sort((a, b) => a - b));
  });
});

describe("aws engine: failures", () => {
  test("retries throttling with jittered exponential backoff, then succeeds", async () => {
    const { iam, engine, delays } = setup();
    iam.on(SimulateCustomPolicyCommand).rejectsOnce(throttling()).rejectsOnce(throttling()).resolves(shapes.olderShapeGetPut);
    const verdicts = await engine.evaluateS3(target, getPut);
    expect(verdicts.map((v) => v.decision)).toEqual(["Allowed", "ImplicitlyDenied", "Allowed", "ImplicitlyDenied"]);
    expect(iam.commandCalls(SimulateCustomPolicyCommand)).toHaveLength(3);
    expect(delays).toEqual([125, 250]); // random 0.5 × 250 ms × 2^attempt
  });

  test("retries a 5xx; a throttle that never ends fails with a clear error", async () => {
    const { iam, engine } = setup();
    const serverError = new IAMServiceException({ name: "ServiceFailureException", $fault: "server", $metadata: { httpStatusCode: 500 }, message: "internal" });
    iam.on(SimulateCustomPolicyCommand).rejectsOnce(serverError).resolves(shapes.olderShapeGetPut);
    await expect(engine.evaluateS3(target, getPut)).resolves.toHaveLength(4);
    iam.reset();
    iam.on(SimulateCustomPolicyCommand).rejects(throttling());
    await expect(engine.evaluateS3(target, getPut)).rejects.toThrow(/SimulateCustomPolicy was still throttled after 3 attempts \(last error Throttling: Rate exceeded\)/);
  });

  test("IAM rejecting a simulation's input is a problem on its verdicts, not a crash", async () => {
    const { iam, engine } = setup();
    const invalid = new IAMServiceException({ name: "InvalidInputException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Invalid Entity Arn" });
    iam.on(SimulateCustomPolicyCommand).rejects(invalid);
    const verdicts = await engine.evaluateS3(target, getPut);
    expect(verdicts).toHaveLength(4);
    for (const v of verdicts) expect(v.problems).toEqual(expect.arrayContaining([expect.stringMatching(/IAM rejected the simulation \(InvalidInputException: Invalid Entity Arn\)/)]));
  });

  test("missing credentials: a clear error (real client, no network)", async () => {
    const client = new IAMClient({
      region: "us-east-1",
      credentials: async () => {
        throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
      },
    });
    const engine = createAwsEngine({ client });
    await expect(engine.evaluateS3(target, getPut)).rejects.toThrow(/^the aws engine needs AWS credentials: Could not load credentials/);
  });

  test("backoff is bounded by maxDelayMs", () => {
    expect(backoffDelay({ baseDelayMs: 250, maxDelayMs: 8000, random: () => 0.999 }, 20)).toBeLessThan(8000);
    expect(backoffDelay({ baseDelayMs: 250, maxDelayMs: 8000, random: () => 0 }, 0)).toBe(0);
  });
});
