/**
 * Hand-built resources for the policies' own tests: a minimal identity-storage stack whose
 * documents come from the project's pure document builders (the good case), the statements of the
 * article this project started from (the bad case), and helpers to change one resource at a time.
 */
import { identityPoolTrustPolicy, identityStorageGrants, lambdaTrustPolicy, storageBucketPolicy } from "../../components/policy-documents";
import { TYPES } from "../policies/resources";
import { UNKNOWN_STRING } from "../policies/unknowns";
import type { TestResource } from "./validation-args";

export const POOL_ID = "ap-northeast-1:0b6c1a6e-3f0e-4c55-9a7e-2d3f4a5b6c7d";
export const BUCKET = "files-0a1b2c3";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const SUB = "${cognito-identity.amazonaws.com:sub}";
export const ROLE_NAME = "reader-role-5d6e7f8";
export const UNKNOWN = UNKNOWN_STRING;

/** The article's trust: amr only, no aud, so any identity pool in any account could use the role. */
export const ARTICLE_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" } },
    },
  ],
};

/** The article's list statement: matches only the exact prefix `cognito-test`, then lists every identity's keys. */
export const ARTICLE_LIST_STATEMENT = {
  Effect: "Allow",
  Action: "s3:ListBucket",
  Resource: BUCKET_ARN,
  Condition: { StringLike: { "s3:prefix": ["cognito-test"] } },
};

/** The article's object statement: confined to the identity's folder, but with every S3 action. */
export const ARTICLE_OBJECT_STATEMENT = {
  Effect: "Allow",
  Action: "s3:*",
  Resource: `${BUCKET_ARN}/cognito-test/${SUB}/*`,
};

export const trust = (identityPoolId = POOL_ID) => JSON.stringify(identityPoolTrustPolicy({ identityPoolId }));
export const grants = (options: { prefix?: string; readAllFolders?: boolean } = {}) =>
  JSON.stringify(identityStorageGrants({ bucketArn: BUCKET_ARN, prefix: options.prefix ?? "private", readAllFolders: options.readAllFolders ?? false }));
export const document = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** An identity pool, one identity role with its grant, and a bucket with its settings: every policy passes. */
export function identityStack(): TestResource[] {
  return [
    {
      type: TYPES.identityPool,
      name: "pool",
      inputs: {
        identityPoolName: "pool_identities",
        allowUnauthenticatedIdentities: false,
        allowClassicFlow: false,
        cognitoIdentityProviders: [{ clientId: "client0123456789", providerName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_abc", serverSideTokenCheck: true }],
      },
      outputs: { id: POOL_ID, identityPoolName: "pool_identities" },
    },
    {
      type: TYPES.role,
      name: "reader-role",
      inputs: { assumeRolePolicy: trust() },
      outputs: { name: ROLE_NAME, id: ROLE_NAME, arn: `arn:aws:iam::123456789012:role/${ROLE_NAME}`, assumeRolePolicy: trust() },
      dependsOn: { assumeRolePolicy: ["pool"] },
    },
    {
      type: TYPES.rolePolicy,
      name: "reader-grant",
      inputs: { role: ROLE_NAME, policy: grants() },
      dependsOn: { role: ["reader-role"], policy: ["files"] },
    },
    { type: "aws:s3/bucket:Bucket", name: "files", inputs: {}, outputs: { bucket: BUCKET, id: BUCKET, arn: BUCKET_ARN } },
    {
      type: TYPES.publicAccessBlock,
      name: "files-public-access",
      inputs: { bucket: BUCKET, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      dependsOn: { bucket: ["files"] },
    },
    {
      type: TYPES.ownershipControls,
      name: "files-ownership",
      inputs: { bucket: BUCKET, rule: { objectOwnership: "BucketOwnerEnforced" } },
      dependsOn: { bucket: ["files"] },
    },
    {
      type: TYPES.bucketPolicy,
      name: "files-policy",
      inputs: { bucket: BUCKET, policy: JSON.stringify(storageBucketPolicy({ bucketArn: BUCKET_ARN })) },
      dependsOn: { bucket: ["files"], policy: ["files"] },
    },
  ];
}

/** A Lambda execution role (not an identity role) with a grant that would be wrong for one. */
export function lambdaRoleWithBroadGrant(): TestResource[] {
  return [
    { type: TYPES.role, name: "fn-role", inputs: { name: "fn-role", assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()) } },
    { type: TYPES.rolePolicy, name: "fn-s3", inputs: { role: "fn-role", policy: document({ Effect: "Allow", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] }) } },
  ];
}

/** `resources` with the one named `name` changed: set (or, with `undefined`, delete) input keys. */
export function withInputs(resources: TestResource[], name: string, changes: Record<string, unknown>): TestResource[] {
  if (!resources.some((r) => r.name === name)) throw new Error(`no resource named ${name}`);
  return resources.map((r) => {
    if (r.name !== name) return r;
    const apply = (props: Record<string, unknown>) => {
      const out = { ...props };
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) delete out[k];
        else out[k] = v;
      }
      return out;
    };
    return { ...r, inputs: apply(r.inputs), ...(r.outputs ? { outputs: apply(r.outputs) } : {}) };
  });
}

export const without = (resources: TestResource[], name: string) => {
  if (!resources.some((r) => r.name === name)) throw new Error(`no resource named ${name}`);
  return resources.filter((r) => r.name !== name);
};
