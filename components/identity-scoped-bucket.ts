import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUCKET_CORS, corsOriginProblem } from "../contract/files-api";
import { componentType } from "../contract/project";
import type { BucketEncryption } from "../contract/stage-options";
import { assertStoragePrefix } from "../contract/storage-prefix";
import { identityStorageGrants, storageBucketPolicy } from "./policy-documents";

export type { BucketEncryption };

/** A role that receives per-identity access to the bucket. */
export interface IdentityRoleGrant {
  /** Short logical name used to name the grant (e.g. the group name). */
  key: string;
  /** Name (not ARN) of the IAM role, e.g. `cognitoIdentity.groupRoles.user.name`. */
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

/**
 * A private, versioned, encrypted bucket owned by the stack, TLS-only, in which each
 * identity-pool identity may touch only `<prefix>/${cognito-identity.amazonaws.com:sub}/…`.
 */
export class IdentityScopedBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly kmsKey?: aws.kms.Key;
  public readonly bucketPolicy: aws.s3.BucketPolicy;
  /** Browser access for presigned URLs, when `corsOrigins` is not empty. */
  public readonly corsConfiguration?: aws.s3.BucketCorsConfiguration;
  /** The inline grant on each role, keyed by `IdentityRoleGrant.key`. */
  public readonly roleGrants: Record<string, aws.iam.RolePolicy>;

  constructor(name: string, args: IdentityScopedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(componentType("IdentityScopedBucket"), name, args, opts);
    assertStoragePrefix(args.prefix, `IdentityScopedBucket ${name}: prefix`);
    const corsProblems = (args.corsOrigins ?? []).map((o) => corsOriginProblem(o, args.allowWildcardCors ?? false)).filter((p) => p !== undefined);
    if (corsProblems.length > 0) throw new Error(`IdentityScopedBucket ${name}: ${corsProblems.join("; ")}`);
    const tags = args.tags;
    const parent = { parent: this };

    this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags }, parent);
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );

    if ((args.encryption ?? "S3") === "KMS") {
      this.kmsKey = new aws.kms.Key(
        `${name}-key`,
        { description: `Encrypts objects in the ${name} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
        parent,
      );
    }
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [
          this.kmsKey
            ? {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKey.arn },
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
      { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: this.bucket.id,
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
      this.corsConfiguration = new aws.s3.BucketCorsConfiguration(
        `${name}-cors`,
        {
          bucket: this.bucket.id,
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

    this.bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: this.bucket.id,
        policy: this.bucketArn.apply((bucketArn) => JSON.stringify(storageBucketPolicy({ bucketArn }))),
      },
      // S3 rejects some policies while the public access block is being changed; order them.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    const kms = this.kmsKey
      ? pulumi.all([this.kmsKey.arn, args.region]).apply(([keyArn, region]) => ({ keyArn, region }))
      : pulumi.output(undefined);
    this.roleGrants = {};
    for (const grant of args.identityRoles) {
      this.roleGrants[grant.key] = new aws.iam.RolePolicy(
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
      kmsKeyArn: this.kmsKey?.arn,
    });
  }
}
