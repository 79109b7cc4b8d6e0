/**
 * IdentityScopedBucket and CognitoIdentity refuse bad args before they register anything: a
 * program (or another language, through the component package) that passes them sees one error
 * naming the argument, and the engine is never asked to create the component or any of its
 * children. Checked under Pulumi's mock runtime by what reached the monitor, beside the control
 * that good args do register. (FilesApi's refusals are checked so in files-api.test.ts.)
 */
import { CognitoIdentity, type CognitoIdentityArgs } from "./cognito-identity";
import { IdentityScopedBucket, type IdentityScopedBucketArgs } from "./identity-scoped-bucket";
import { registrationsOf as registered } from "../synth/synthesize";

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
    "CognitoIdentity: two groups of one name (up to case)",
    () => new CognitoIdentity("auth", identityArgs({ groups: [{ name: "user", precedence: 1 }, { name: "User", precedence: 2 }] })),
    () => new CognitoIdentity("auth", identityArgs({ groups: [{ name: "user", precedence: 1 }, { name: "admin", precedence: 2 }] })),
    /group names must differ \(ignoring case\); repeated: user/,
  ],
  [
    "CognitoIdentity: two groups of one precedence (a member of both would get no role)",
    () => new CognitoIdentity("auth", identityArgs({ groups: [{ name: "user", precedence: 5 }, { name: "admin", precedence: 5 }] })),
    () => new CognitoIdentity("auth", identityArgs({ groups: [{ name: "user", precedence: 5 }, { name: "admin", precedence: 0 }] })),
    /group precedences must differ; repeated: 5/,
  ],
  [
    "CognitoIdentity: a domain prefix Cognito refuses",
    () => new CognitoIdentity("auth", identityArgs({ domainPrefix: "my-aws-login" })),
    () => new CognitoIdentity("auth", identityArgs({ domainPrefix: "my-login" })),
    /CognitoIdentity auth: "my-aws-login" is not a Cognito domain prefix/,
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
