/**
 * Every IAM document the stack writes, as pure functions of plain strings: no Pulumi resources,
 * no Outputs. Components call these inside `.apply`; tests, the reviewer command and the policy
 * pack call them directly. Inputs are validated here so that a document can never be built from
 * a value that would widen what it matches.
 */
import { IDENTITY_POOL_ID, REGION } from "../contract/aws-ids";
import { assertStoragePrefix } from "../contract/storage-prefix";
import { AMR_CONDITION_KEY, AUD_CONDITION_KEY, COGNITO_IDENTITY_PRINCIPAL, IDENTITY_ID_VARIABLE } from "../iam/cognito";
import type { PolicyDocument, PolicyStatement } from "../iam/document";

export type { PolicyDocument, PolicyStatement };

/** Object actions an identity gets on its own folder. No ACL, no version access, no wildcards. */
export const OWN_FOLDER_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;
/** What a group with `readAllFolders` additionally gets on every identity's folder. */
export const ALL_FOLDERS_READ_ACTIONS = ["s3:GetObject"] as const;
/** KMS actions S3 performs on the caller's behalf for SSE-KMS reads and (multipart) writes. */
export const KMS_OBJECT_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

function requireMatch(value: string, pattern: RegExp, label: string, expected: string): void {
  if (!pattern.test(value)) throw new Error(`${label} ${JSON.stringify(value)} is not ${expected}`);
}

/** The folder an identity owns, relative to the bucket: `<prefix>/${sub}/`. */
export function ownFolder(prefix: string): string {
  return `${prefix}/${IDENTITY_ID_VARIABLE}/`;
}

export interface TrustPolicyArgs {
  /** The identity pool whose authenticated identities may assume the role (`<region>:<uuid>`). */
  identityPoolId: string;
}

/**
 * Trust for a role handed out by an identity pool: web-identity federation from
 * cognito-identity.amazonaws.com, only for tokens this pool issued (`aud`) to authenticated
 * identities (`amr`). Without the `aud` condition any identity pool, in any account, could
 * obtain credentials for the role.
 */
export function identityPoolTrustPolicy(args: TrustPolicyArgs): PolicyDocument {
  requireMatch(args.identityPoolId, IDENTITY_POOL_ID, "identityPoolId", "an identity pool id (<region>:<uuid>)");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeFromThisIdentityPoolAuthenticatedOnly",
        Effect: "Allow",
        Principal: { Federated: COGNITO_IDENTITY_PRINCIPAL },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [AUD_CONDITION_KEY]: args.identityPoolId },
          "ForAnyValue:StringLike": { [AMR_CONDITION_KEY]: "authenticated" },
        },
      },
    ],
  };
}

export interface StorageGrantsArgs {
  /** ARN of the storage bucket (`arn:aws:s3:::name`). */
  bucketArn: string;
  /** Folder root inside the bucket; each identity owns `<prefix>/<identityId>/`. */
  prefix: string;
  /** Also grant read-only access to every identity's folder (e.g. for an `admin` group). */
  readAllFolders?: boolean;
  /** When the bucket uses SSE-KMS: the key, and the region S3 calls it from. */
  kms?: { keyArn: string; region: string };
}

/**
 * What one group role may do in the bucket: the five object actions on its own folder, and
 * ListBucket only for `s3:prefix` values inside that folder. The list condition names the folder
 * with its trailing slash: `<prefix>/<id>` alone would also list `<prefix>/<id>x/…`, another
 * identity's folder whose id merely starts with this one.
 */
export function identityStorageGrants(args: StorageGrantsArgs): PolicyDocument {
  requireMatch(args.bucketArn, BUCKET_ARN, "bucketArn", "an S3 bucket ARN without wildcards");
  assertStoragePrefix(args.prefix, "prefix");
  const folder = ownFolder(args.prefix);
  const statements: PolicyStatement[] = [
    {
      Sid: "OwnFolderObjects",
      Effect: "Allow",
      Action: [...OWN_FOLDER_OBJECT_ACTIONS],
      Resource: `${args.bucketArn}/${folder}*`,
    },
    {
      Sid: "OwnFolderList",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: args.bucketArn,
      Condition: { StringLike: { "s3:prefix": [folder, `${folder}*`] } },
    },
  ];
  if (args.readAllFolders) {
    statements.push(
      {
        Sid: "AllFoldersRead",
        Effect: "Allow",
        Action: [...ALL_FOLDERS_READ_ACTIONS],
        Resource: `${args.bucketArn}/${args.prefix}/*`,
      },
      {
        Sid: "AllFoldersList",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: args.bucketArn,
        Condition: { StringLike: { "s3:prefix": [`${args.prefix}/`, `${args.prefix}/*`] } },
      },
    );
  }
  if (args.kms) statements.push(...kmsKeyGrants(args.bucketArn, args.prefix, args.kms, !!args.readAllFolders));
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * SSE-KMS key use, confined to the same folders through the encryption context S3 sends
 * (`aws:s3:arn` is the object's ARN). This only holds while S3 Bucket Keys are off: with a
 * Bucket Key the context is the bucket ARN and a folder-scoped grant would match nothing.
 */
function kmsKeyGrants(
  bucketArn: string,
  prefix: string,
  kms: { keyArn: string; region: string },
  readAllFolders: boolean,
): PolicyStatement[] {
  requireMatch(kms.keyArn, KMS_KEY_ARN, "kms.keyArn", "a KMS key ARN");
  requireMatch(kms.region, REGION, "kms.region", "an AWS region");
  const viaS3 = { "kms:ViaService": `s3.${kms.region}.amazonaws.com` };
  const statements: PolicyStatement[] = [
    {
      Sid: "OwnFolderKmsKey",
      Effect: "Allow",
      Action: [...KMS_OBJECT_ACTIONS],
      Resource: kms.keyArn,
      Condition: {
        StringEquals: viaS3,
        StringLike: { "kms:EncryptionContext:aws:s3:arn": `${bucketArn}/${ownFolder(prefix)}*` },
      },
    },
  ];
  if (readAllFolders) {
    statements.push({
      Sid: "AllFoldersKmsDecrypt",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: kms.keyArn,
      Condition: {
        StringEquals: viaS3,
        StringLike: { "kms:EncryptionContext:aws:s3:arn": `${bucketArn}/${prefix}/*` },
      },
    });
  }
  return statements;
}

export interface BucketPolicyArgs {
  /** ARN of the storage bucket (`arn:aws:s3:::name`). */
  bucketArn: string;
}

/** The bucket's own policy: refuse every request that does not use TLS. */
export function storageBucketPolicy(args: BucketPolicyArgs): PolicyDocument {
  requireMatch(args.bucketArn, BUCKET_ARN, "bucketArn", "an S3 bucket ARN without wildcards");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [args.bucketArn, `${args.bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

export interface LambdaExecutionPolicyArgs {
  /** ARN of the function's own log group (`arn:aws:logs:<region>:<account>:log-group:<name>`). */
  logGroupArn: string;
}

/**
 * The files Lambda's own permissions: write to its own log group, nothing else. It reaches S3
 * only with the caller's identity-pool credentials (GetId and GetCredentialsForIdentity are
 * public APIs that need no IAM permission), so its own role must not be able to read the bucket.
 */
export function lambdaExecutionPolicy(args: LambdaExecutionPolicyArgs): PolicyDocument {
  requireMatch(args.logGroupArn, /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[\w/.#-]+$/, "logGroupArn", "a log group ARN without wildcards");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${args.logGroupArn}:log-stream:*`,
      },
    ],
  };
}

/** Trust for a Lambda function's execution role. */
export function lambdaTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "LambdaService", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  };
}
