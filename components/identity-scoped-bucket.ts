import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_CORS, corsOriginProblem } from "../contract/files-api";
import { componentType } from "../contract/project";
import type { BucketEncryption } from "../contract/stage-options";
import { PREFIX_RULES, storagePrefixProblems } from "../contract/storage-prefix";
import { identityStorageGrants, storageBucketPolicy } from "./policy-documents";

export type { BucketEncryption };

/** A role that receives per-identity access to the bucket. */
export interface IdentityRoleGrant {
  /** Short logical name used to name the grant (e.g. the group name). */
  key: string;
  /** Name (not ARN) of the IAM role, e.g. `cognitoIdentity.roleNames.apply((names) => names.user)`. */
  roleName: pulumi.Input<string>;
  /** Also read, never write, every identity's folder. @default false */
  readAllFolders?: boolean;
}

export interface IdentityScopedBucketArgs {
  /** Folder root; identity `<id>` owns `<prefix>/<id>/`. See `PREFIX_RULES`. */
  prefix: string;
  /** Roles assumed through the identity pool, each confined to the caller's own folder. */
  identityRoles: IdentityRoleGrant[];
  /** Region of the bucket (needed to scope KMS grants to S3 in that region). */
  region: pulumi.Input<string>;
  /** Server-side encryption: S3-managed keys, or a customer-managed KMS key made here. @default "S3" */
  encryption?: BucketEncryption;
  /** Days after which incomplete multipart uploads are aborted. @default 7 */
  abortIncompleteUploadDays?: number;
  /** Days after which noncurrent object versions are deleted. @default 30 */
  noncurrentVersionExpirationDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds objects. @default false */
  forceDestroy?: boolean;
  /**
   * Browser origins that may use presigned URLs (GET, HEAD, PUT; ETag exposed for multipart), as
   * for the Files API (`https://host[:port]` or `http://localhost[:port]`). Empty: no CORS rule.
   * @default []
   */
  corsOrigins?: string[];
  /** Let `corsOrigins` hold `*` (any origin). Only a dev stage should set this. @default false */
  allowWildcardCors?: boolean;
  /** Tags for every taggable resource. */
  tags?: Record<string, string>;
}

/** Every rule the args break, so a wrong stack config fails before any resource is made. */
export function identityScopedBucketArgProblems(args: IdentityScopedBucketArgs): string[] {
  const problems = storagePrefixProblems(args.prefix).map((p) => `prefix ${JSON.stringify(args.prefix)} ${p} (allowed: ${PREFIX_RULES})`);
  for (const origin of args.corsOrigins ?? []) {
    const problem = corsOriginProblem(origin, args.allowWildcardCors ?? false);
    if (problem) problems.push(problem);
  }
  // Each key names a grant resource: a repeated one would collide after the bucket was registered.
  const keys = args.identityRoles.map((grant) => grant.key);
  const repeated = [...new Set(keys.filter((key, i) => keys.indexOf(key) !== i))];
  if (repeated.length > 0) problems.push(`identityRoles keys must be unique; repeated: ${repeated.map((k) => JSON.stringify(k)).join(", ")}`);
  for (const [name, value] of [
    ["abortIncompleteUploadDays", args.abortIncompleteUploadDays],
    ["noncurrentVersionExpirationDays", args.noncurrentVersionExpirationDays],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) problems.push(`${name} must be a whole number of days, at least 1`);
  }
  return problems;
}

function checkedArgs(name: string, args: IdentityScopedBucketArgs): IdentityScopedBucketArgs {
  const problems = identityScopedBucketArgProblems(args);
  if (problems.length > 0) throw new Error(`IdentityScopedBucket ${name}: ${problems.join("; ")}`);
  return args;
}

/**
 * A private, versioned, encrypted bucket owned by the stack, TLS-only, in which each
 * identity-pool identity may touch only `<prefix>/${cognito-identity.amazonaws.com:sub}/…`.
 */
export class IdentityScopedBucket extends pulumi.ComponentResource {
  /** The bucket's name (auto-named: unique across accounts). */
  public readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN. */
  public readonly bucketArn: pulumi.Output<string>;
  /** With `encryption: "KMS"` only: ARN of the bucket's customer-managed key. */
  public readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, args: IdentityScopedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before super(): a refused component is never registered.
    super(componentType("IdentityScopedBucket"), name, checkedArgs(name, args), opts);
    const tags = args.tags;
    const parent = { parent: this };

    const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags }, parent);
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );

    let kmsKey: aws.kms.Key | undefined;
    if ((args.encryption ?? "S3") === "KMS") {
      kmsKey = new aws.kms.Key(
        `${name}-key`,
        { description: `Encrypts objects in the ${name} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
        parent,
      );
      this.kmsKeyArn = kmsKey.arn;
    }
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          kmsKey
            ? {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKey.arn },
                // Off on purpose: with a Bucket Key the KMS encryption context is the bucket ARN,
                // and the per-folder key grants (which match the object ARN) would match nothing.
                bucketKeyEnabled: false,
              }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadDays ?? 7 },
          },
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays ?? 30 },
            expiration: { expiredObjectDeleteMarker: true },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );

    if ((args.corsOrigins ?? []).length > 0) {
      // Browser access for presigned URLs.
      new aws.s3.BucketCorsConfiguration(
        `${name}-cors`,
        {
          bucket: bucket.id,
          corsRules: [
            {
              id: "presigned-urls",
              allowedOrigins: args.corsOrigins!,
              allowedMethods: [...BUCKET_CORS.allowedMethods],
              allowedHeaders: [...BUCKET_CORS.allowedHeaders],
              exposeHeaders: [...BUCKET_CORS.exposeHeaders],
              maxAgeSeconds: BUCKET_CORS.maxAgeSeconds,
            },
          ],
        },
        parent,
      );
    }

    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: this.bucketArn.apply((bucketArn) => JSON.stringify(storageBucketPolicy({ bucketArn }))),
      },
      // S3 rejects some policies while the public access block is being changed; order them.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    const kms = kmsKey
      ? pulumi.all([kmsKey.arn, args.region]).apply(([keyArn, region]) => ({ keyArn, region }))
      : pulumi.output(undefined);
    for (const grant of args.identityRoles) {
      new aws.iam.RolePolicy(
        `${name}-${grant.key}-grant`,
        {
          role: grant.roleName,
          policy: pulumi.all([this.bucketArn, kms]).apply(([bucketArn, kmsKey]) =>
            JSON.stringify(
              identityStorageGrants({
                bucketArn,
                prefix: args.prefix,
                readAllFolders: grant.readAllFolders ?? false,
                kms: kmsKey,
              }),
            ),
          ),
        },
        parent,
      );
    }

    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
