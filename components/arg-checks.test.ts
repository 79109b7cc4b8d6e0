/**
 * Each component refuses bad args before it registers anything: a program (or another language,
 * through the component package) that passes them sees one error naming the argument, and the
 * engine is never asked to create the component or any of its children. Checked under Pulumi's
 * mock runtime by what reached the monitor, beside the control that good args do register.
 */
import * as pulumi from "@pulumi/pulumi";
import { CognitoIdentity, type CognitoIdentityArgs } from "./cognito-identity";
import { FilesApi, type FilesApiArgs } from "./files-api";
import { IdentityScopedBucket, type IdentityScopedBucketArgs } from "./identity-scoped-bucket";
import { RecordingMocks } from "../synth/mocks";
import { settled } from "../synth/synthesize";

const POOL_ID = "ap-northeast-1_AbCdEf123";

const identityArgs = (overrides: Partial<CognitoIdentityArgs> = {}): CognitoIdentityArgs => ({
  groups: [{ name: "user", precedence: 100 }],
  callbackUrls: ["https://app.example.com/api/auth/callback/cognito"],
  logoutUrls: ["https://app.example.com/"],
  ...overrides,
});

const bucketArgs = (overrides: Partial<IdentityScopedBucketArgs> = {}): IdentityScopedBucketArgs => ({
  prefix: "private",
  region: "ap-northeast-1",
  identityRoles: [{ key: "user", roleName: "user-role" }],
  ...overrides,
});

const apiArgs = (overrides: Partial<FilesApiArgs> = {}): FilesApiArgs => ({
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});") }),
  userPoolId: POOL_ID,
  userPoolClientId: "1example23456789abcdefghij",
  identityPoolId: "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b",
  issuerUrl: `https://cognito-idp.ap-northeast-1.amazonaws.com/${POOL_ID}`,
  region: "ap-northeast-1",
  bucketName: "iss-test-files",
  prefix: "private",
  maxUploadBytes: 1048576,
  corsOrigins: [],
  throttle: { burstLimit: 50, rateLimit: 20 },
  logRetentionDays: 30,
  ...overrides,
});

/** What reached the (mock) monitor while `build` ran, and what it threw. */
async function registered(build: () => unknown): Promise<{ types: string[]; error: unknown }> {
  const mocks = new RecordingMocks("ap-northeast-1");
  await pulumi.runtime.setMocks(mocks, "arg-checks", "test", false);
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  await settled();
  return { types: mocks.resources.map((r) => r.type), error };
}

const CASES: Array<[string, () => unknown, () => unknown, RegExp]> = [
  [
    "IdentityScopedBucket: a prefix with a wildcard",
    () => new IdentityScopedBucket("files", bucketArgs({ prefix: "private/*" })),
    () => new IdentityScopedBucket("files", bucketArgs()),
    /IdentityScopedBucket files: prefix "private\/\*" contains '\*'/,
  ],
  [
    "IdentityScopedBucket: a '*' CORS origin where wildcards are not allowed",
    () => new IdentityScopedBucket("files", bucketArgs({ corsOrigins: ["*"] })),
    () => new IdentityScopedBucket("files", bucketArgs({ corsOrigins: ["*"], allowWildcardCors: true })),
    /'\*' \(any origin\) is allowed only on a dev stage/,
  ],
  [
    "IdentityScopedBucket: two grants under one key",
    () => new IdentityScopedBucket("files", bucketArgs({ identityRoles: [{ key: "user", roleName: "a" }, { key: "user", roleName: "b" }] })),
    () => new IdentityScopedBucket("files", bucketArgs({ identityRoles: [{ key: "user", roleName: "a" }, { key: "admin", roleName: "b" }] })),
    /identityRoles keys must be unique; repeated: "user"/,
  ],
  [
    "IdentityScopedBucket: zero days before incomplete uploads are aborted",
    () => new IdentityScopedBucket("files", bucketArgs({ abortIncompleteUploadDays: 0 })),
    () => new IdentityScopedBucket("files", bucketArgs({ abortIncompleteUploadDays: 1 })),
    /abortIncompleteUploadDays must be a whole number of days, at least 1/,
  ],
  [
    "CognitoIdentity: a domain prefix Cognito refuses",
    () => new CognitoIdentity("auth", identityArgs({ domainPrefix: "my-aws-login" })),
    () => new CognitoIdentity("auth", identityArgs({ domainPrefix: "my-login" })),
    /CognitoIdentity auth: "my-aws-login" is not a Cognito domain prefix/,
  ],
  [
    "FilesApi: a timeout the API cannot wait for",
    () => new FilesApi("api", apiArgs({ timeoutSeconds: 30 })),
    () => new FilesApi("api", apiArgs({ timeoutSeconds: 29 })),
    /FilesApi api: timeoutSeconds must be a whole number from 3 to 29/,
  ],
];

it.each(CASES)("%s: refused with the argument named, and nothing registered; good args register (control)", async (_name, refused, control, message) => {
  const bad = await registered(refused);
  expect(bad.error).toBeInstanceOf(Error);
  expect((bad.error as Error).message).toMatch(message);
  expect(bad.types).toEqual([]);
  const good = await registered(control);
  expect(good.error).toBeUndefined();
  expect(good.types.length).toBeGreaterThan(1);
  expect(good.types[0]).toMatch(/^identity-scoped-storage:index:/);
});
