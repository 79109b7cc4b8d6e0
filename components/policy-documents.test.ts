import fc from "fast-check";
import {
  identityPoolTrustPolicy,
  identityStorageGrants,
  lambdaExecutionPolicy,
  storageBucketPolicy,
  type PolicyStatement,
} from "./policy-documents";
import { inspectBucketPolicy, inspectStorageGrants, inspectTrustPolicy } from "../iam/inspect";

// Intent, written here independently of the code: the variable, the actions, the folder shape.
const SUB = "${cognito-identity.amazonaws.com:sub}";
const BUCKET_ARN = "arn:aws:s3:::iss-dev-files-e09c853";
const POOL_ID = "ap-northeast-1:c0ce0d6b-cad2-4cf0-8a38-4c2b6dd7c621";
const OWNER_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"];
const KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/0b7e2f7c-8e51-4c0e-9a59-3f1a5b1b9d11";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const actionsOf = (statements: PolicyStatement[]) => statements.flatMap((s) => list(s.Action)).sort();

/** A prefix made of 1-4 segments of the allowed alphabet, never "." or "..". */
const validPrefix = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join("/"));

describe("identityPoolTrustPolicy", () => {
  it("trusts only web-identity federation from this identity pool's authenticated identities", () => {
    expect(identityPoolTrustPolicy({ identityPoolId: POOL_ID })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: expect.any(String),
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": POOL_ID },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
          },
        },
      ],
    });
  });

  it.each(["*", "", "ap-northeast-1:*", "us-east-1_AbCdEf", `${POOL_ID} `, "ap-northeast-1:C0CE0D6B-CAD2-4CF0-8A38-4C2B6DD7C621"])(
    "refuses %j as an identity pool id (a wildcard or malformed aud would trust other pools)",
    (identityPoolId) => {
      expect(() => identityPoolTrustPolicy({ identityPoolId })).toThrow(/identityPoolId/);
    },
  );
});

describe("identityStorageGrants", () => {
  it("grants exactly the five object actions on the own folder and a folder-confined list", () => {
    const doc = identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: "private" });
    expect(doc.Version).toBe("2012-10-17");
    const objects = doc.Statement.filter((s) => list(s.Resource).some((r) => r.startsWith(`${BUCKET_ARN}/`)));
    expect(objects).toHaveLength(1);
    expect(list(objects[0]!.Action).sort()).toEqual(OWNER_ACTIONS);
    expect(list(objects[0]!.Resource)).toEqual([`${BUCKET_ARN}/private/${SUB}/*`]);
    expect(objects[0]!.Condition).toBeUndefined();

    const lists = doc.Statement.filter((s) => list(s.Action).includes("s3:ListBucket"));
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({ Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN });
    expect(lists[0]!.Condition).toEqual({ StringLike: { "s3:prefix": [`private/${SUB}/`, `private/${SUB}/*`] } });
    expect(doc.Statement.every((s) => s.Effect === "Allow" && s.NotAction === undefined && s.NotResource === undefined)).toBe(true);
  });

  it("grants nothing dangerous: no ACL, version, bucket-level or wildcard action", () => {
    for (const readAllFolders of [false, true]) {
      const actions = actionsOf(identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: "private", readAllFolders }).Statement);
      for (const action of actions) {
        expect(action).not.toMatch(/[*?]|Acl|Version|Policy|Tagging|Lifecycle|Encryption|PublicAccess/);
      }
    }
  });

  it("adds read-only access to every folder only when asked", () => {
    const doc = identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: "private", readAllFolders: true });
    const extra = doc.Statement.filter((s) => !list(s.Resource).some((r) => r.includes(SUB)) && !JSON.stringify(s.Condition ?? {}).includes(SUB));
    expect(extra).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: ["s3:GetObject"], Resource: `${BUCKET_ARN}/private/*` }),
      expect.objectContaining({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: BUCKET_ARN,
        Condition: { StringLike: { "s3:prefix": ["private/", "private/*"] } },
      }),
    ]);
  });

  it("confines KMS key use to the own folder through the S3 encryption context", () => {
    const doc = identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: "private", kms: { keyArn: KEY_ARN, region: "ap-northeast-1" } });
    const kms = doc.Statement.filter((s) => list(s.Action).some((a) => a.startsWith("kms:")));
    expect(kms).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: KEY_ARN,
        Condition: {
          StringEquals: { "kms:ViaService": "s3.ap-northeast-1.amazonaws.com" },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": `${BUCKET_ARN}/private/${SUB}/*` },
        },
      }),
    ]);
  });

  it("property: for any valid prefix, objects end in /${sub}/* and lists stay in the same folder", () => {
    fc.assert(
      fc.property(validPrefix, fc.boolean(), (prefix, withKms) => {
        const doc = identityStorageGrants({
          bucketArn: BUCKET_ARN,
          prefix,
          kms: withKms ? { keyArn: KEY_ARN, region: "eu-west-1" } : undefined,
        });
        const folder = `${prefix}/${SUB}/`;
        for (const s of doc.Statement) {
          const actions = list(s.Action);
          if (actions.some((a) => a.startsWith("s3:") && a !== "s3:ListBucket")) {
            for (const r of list(s.Resource)) {
              expect(r.endsWith(`/${SUB}/*`)).toBe(true);
              expect(r).toBe(`${BUCKET_ARN}/${folder}*`);
            }
          }
          if (actions.includes("s3:ListBucket")) {
            expect(Object.keys(s.Condition ?? {})).toEqual(["StringLike"]);
            const prefixes = list(s.Condition!.StringLike!["s3:prefix"]);
            expect(prefixes.length).toBeGreaterThan(0);
            for (const p of prefixes) expect(p === folder || p === `${folder}*`).toBe(true);
          }
          if (actions.some((a) => a.startsWith("kms:"))) {
            expect(s.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"]).toBe(`${BUCKET_ARN}/${folder}*`);
          }
        }
      }),
    );
  });

  it("property: any prefix with a wildcard, variable, traversal or stray slash is refused", () => {
    const poison = fc.constantFrom("*", "?", "$", "{", "}", "..", "/", "//", " ", "\n", "%2F", "${aws:username}");
    fc.assert(
      fc.property(validPrefix, poison, fc.nat(), (prefix, bad, at) => {
        const i = at % (prefix.length + 1);
        const candidate = prefix.slice(0, i) + bad + prefix.slice(i);
        const shouldFail =
          /[*?${}\s%]/.test(candidate) || candidate.startsWith("/") || candidate.endsWith("/") || candidate.includes("//") || candidate.split("/").some((s) => s === ".." || s === ".");
        if (shouldFail) expect(() => identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: candidate })).toThrow(/prefix/);
      }),
    );
  });

  it.each(["arn:aws:s3:::*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::b?cket", "bucket", "arn:aws:s3:::"])("refuses bucket ARN %j", (bucketArn) => {
    expect(() => identityStorageGrants({ bucketArn, prefix: "private" })).toThrow(/bucketArn/);
  });
});

describe("storageBucketPolicy", () => {
  it("denies every non-TLS request to the bucket and its objects, and allows nothing", () => {
    expect(storageBucketPolicy({ bucketArn: BUCKET_ARN })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: expect.any(String),
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });
});

describe("lambdaExecutionPolicy", () => {
  it("writes only to its own log group", () => {
    const logGroupArn = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/lambda/files";
    const doc = lambdaExecutionPolicy({ logGroupArn });
    expect(actionsOf(doc.Statement)).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(doc.Statement.flatMap((s) => list(s.Resource))).toEqual([`${logGroupArn}:log-stream:*`]);
  });

  it("refuses a wildcard log group", () => {
    expect(() => lambdaExecutionPolicy({ logGroupArn: "arn:aws:logs:ap-northeast-1:123456789012:log-group:*" })).toThrow(/logGroupArn/);
  });
});

describe("the IAM core's structural inspection finds nothing wrong in our documents", () => {
  const bucketArn = BUCKET_ARN;
  const pool = POOL_ID;
  const kmsKey = { keyArn: KEY_ARN, region: "ap-northeast-1" };

  it("trust, with and without the pool id to compare", () => {
    const ours = identityPoolTrustPolicy({ identityPoolId: pool });
    expect(inspectTrustPolicy(ours, pool)).toEqual([]);
    expect(inspectTrustPolicy(ours)).toEqual([]);
  });

  it.each([false, true])("grants (readAllFolders %s, with and without KMS)", (readAllFolders) => {
    for (const kms of [undefined, kmsKey]) {
      const ours = identityStorageGrants({ bucketArn, prefix: "private", readAllFolders, kms });
      expect(inspectStorageGrants(ours, { bucketArn, prefix: "private", readAllFolders })).toEqual([]);
    }
  });

  it("control: the read-all grant is reported for a role that is not meant to read every folder", () => {
    const ours = identityStorageGrants({ bucketArn, prefix: "private", readAllFolders: true });
    expect(inspectStorageGrants(ours, { bucketArn, prefix: "private", readAllFolders: false }).map((i) => [i.rule, i.statement])).toEqual([
      ["object-not-confined", "AllFoldersRead"],
      ["list-not-confined", "AllFoldersList"],
    ]);
  });

  it("bucket policy", () => {
    expect(inspectBucketPolicy(storageBucketPolicy({ bucketArn }), bucketArn)).toEqual([]);
  });
});
