/**
 * The resource-type memo answers exactly what the evaluator's own function answers, for resources
 * it has seen in another shape-mate or never: random ARNs (object keys with case variants, accents,
 * separators, wildcards, `${…}`), S3 actions of every resource type, access points, jobs, other
 * services and unknown actions.
 */
import * as path from "node:path";
import fc from "fast-check";
import { memoStats, originalFn } from "./resource-type-memo";

type Fn = (service: string, action: string, resource: string) => Promise<unknown[]>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module the evaluator calls through
const internal = require(path.join(path.dirname(require.resolve("@cloud-copilot/iam-simulate")), "simulation_engine", "resourceTypes.js")) as { getResourceTypesForAction: Fn };

/** The answer as comparable text: the resource types' ARN patterns, or the error. */
async function answer(fn: Fn, service: string, action: string, resource: string): Promise<string> {
  try {
    return JSON.stringify((await fn(service, action, resource)).map((rt) => (rt as { arn: string }).arn));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

const ACTIONS: [string, string][] = [
  ["s3", "GetObject"],
  ["s3", "PutObject"],
  ["s3", "ListBucket"],
  ["s3", "ListBucketMultipartUploads"],
  ["s3", "GetObjectVersionTagging"],
  ["s3", "PutBucketPolicy"],
  ["s3", "GetAccessPoint"],
  ["s3", "DescribeJob"],
  ["s3", "CreateAccessPoint"],
  ["s3", "GetStorageLensConfiguration"],
  ["sts", "AssumeRoleWithWebIdentity"],
  ["iam", "PassRole"],
  ["s3", "NoSuchAction"],
];

// Characters the patterns use as literals (a, c, o, b, j, …), separators, wildcards, case and accent variants.
const keyChar = fc.constantFrom(..."aAbcCjoOpstxXzZ019-_.é É ß$#{}:/*?".split(""), "İ", "😀", "ｂ");
const key = fc.array(keyChar, { maxLength: 24 }).map((cs) => cs.join(""));
const short = fc.array(keyChar, { maxLength: 3 }).map((cs) => cs.join(""));
const resource = fc.oneof(
  fc.tuple(fc.constantFrom("amzn-s3-bucket", "Bucket.Name", "b"), fc.option(key, { nil: undefined })).map(([b, k]) => `arn:aws:s3:::${b}${k === undefined ? "" : `/${k}`}`),
  fc.tuple(fc.constantFrom("us-east-1", ""), fc.constantFrom("123456789012", ""), key).map(([r, a, k]) => `arn:aws:s3:${r}:${a}:${k}`),
  fc
    .tuple(fc.constantFrom("accesspoint", "AccessPoint"), short, fc.constantFrom("object", "OBJECT"), short)
    .map(([a, ap, o, k]) => `arn:aws:s3:us-east-1:123456789012:${a}/${ap}/${o}/${k}`),
  // The words of S3's resource-type patterns, and words of the same length that are not them.
  fc.tuple(fc.constantFrom("accesspoint", "AccessPoint", "qqqqqqqqqqq", "job", "JOB", "qqq", "storage-lens", "object"), key).map(([w, k]) => `arn:aws:s3:us-east-1:123456789012:${w}/${k}`),
  fc.tuple(fc.constantFrom("role", "assumed-role"), key).map(([kind, k]) => `arn:aws:iam::123456789012:${kind}/${k}`),
  fc.constant("*"),
);
/**
 * A resource and a neighbour: one to three characters of its resource part (past the fifth `:`)
 * changed to others of the pool,
 * `q` (a letter no S3 pattern has) included. Some neighbours are shape-mates, whose answer the memo
 * shares; the others differ exactly where a coarser shape would wrongly merge them (a separator,
 * a wildcard, a pattern's literal letter), so a memo keyed too coarsely answers one of them wrongly.
 */
const twins = fc
  .tuple(resource, fc.array(fc.tuple(fc.nat(), fc.oneof(keyChar, fc.constant("q"))), { minLength: 1, maxLength: 3 }))
  .map(([r, changes]) => {
    const chars = [...r];
    const from = r.split(":").slice(0, 5).join(":").length + 1;
    for (const [at, by] of changes) if (chars.length > from) chars[from + (at % (chars.length - from))] = by;
    return { first: r, second: chars.join("") };
  });

it("is installed (a release that moved the function would silently lose it)", () => {
  expect(memoStats.installed).toBe(true);
  expect(originalFn).toBeDefined();
  expect(internal.getResourceTypesForAction).not.toBe(originalFn);
});

it("is one memo per evaluator: a second copy of this module, as the next test file of a jest worker loads it, reports the installed one", () => {
  let copy: typeof import("./resource-type-memo") | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy, in a registry of its own
    copy = require("./resource-type-memo") as typeof import("./resource-type-memo");
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- this file's copy
  expect(copy).not.toBe(require("./resource-type-memo"));
  expect(copy!.memoStats).toBe(memoStats);
  expect(copy!.originalFn).toBe(originalFn);
  expect(internal.getResourceTypesForAction).not.toBe(originalFn);
});

it("answers what the evaluator answers, for random resources and their shape-mates", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ACTIONS), twins, async ([service, action], { first, second }) => {
      for (const r of [first, second]) {
        expect(await answer(internal.getResourceTypesForAction, service, action, r)).toBe(await answer(originalFn!, service, action, r));
      }
    }),
    { numRuns: 1000, seed: 1511 },
  );
});

it("shares one answer between identity folders (the control: it is a memo at all), and not between object and bucket", async () => {
  const object = (id: string) => `arn:aws:s3:::bucket-for-memo-test/users/us-east-1:${id}/notes.txt`;
  await internal.getResourceTypesForAction("s3", "GetObject", object("11111111-2222-4333-8444-555555555555"));
  const before = { ...memoStats };
  const other = await answer(internal.getResourceTypesForAction, "s3", "GetObject", object("99999999-8888-4777-8666-555555555555"));
  expect(memoStats.misses - before.misses).toBe(0);
  expect(memoStats.hits - before.hits).toBe(1);
  expect(other).toBe(JSON.stringify(["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]));
  const bucket = await answer(internal.getResourceTypesForAction, "s3", "GetObject", "arn:aws:s3:::bucket-for-memo-test");
  expect(bucket).toBe(await answer(originalFn!, "s3", "GetObject", "arn:aws:s3:::bucket-for-memo-test"));
  expect(bucket).not.toBe(other);
});

it("keeps apart resources whose ARN head iam-utils matches only through localeCompare (an ignorable character equals the empty string)", async () => {
  // iam-utils compares an ARN part that is empty on one side by localeCompare, where a soft hyphen
  // (U+00AD, completely ignorable) equals "": `arn:aws:iam:\u00AD:…:role/x` is a role, `…:user/x` is not.
  expect("\u00AD".localeCompare("", undefined, { sensitivity: "accent" })).toBe(0);
  const arn = (kind: string) => `arn:aws:iam:\u00AD:123456789012:${kind}/memo-test`;
  const role = await answer(internal.getResourceTypesForAction, "iam", "PassRole", arn("role"));
  const user = await answer(internal.getResourceTypesForAction, "iam", "PassRole", arn("user"));
  // The control: the evaluator itself tells them apart.
  expect(await answer(originalFn!, "iam", "PassRole", arn("role"))).not.toBe(await answer(originalFn!, "iam", "PassRole", arn("user")));
  expect(role).toBe(await answer(originalFn!, "iam", "PassRole", arn("role")));
  expect(user).toBe(await answer(originalFn!, "iam", "PassRole", arn("user")));
});
