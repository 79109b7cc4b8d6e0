/**
 * S3 as the function sees it, behind the real S3Client (its `send` is replaced by
 * aws-sdk-client-mock). Each request is authenticated by the credentials of the client that sent
 * it, which must be ones the Cognito stand-in issued and not expired or revoked, and authorized
 * by IAM's decision (iam-decisions.ts) on the issued role's policy (the stack's own policy
 * documents) with the identity id as `${cognito-identity.amazonaws.com:sub}`. So a request
 * outside the caller's folder is refused here for the same reason AWS would refuse it, not
 * because a test expects it. The same bucket answers presigned URLs (s3-presigned-front.ts).
 */
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import type { PolicyDocument } from "../iam/document";
import type { CognitoIdentityStandIn } from "./cognito-identity-stand-in";
import { Faults } from "./faults";
import { IamDecisions } from "./iam-decisions";
import { parseRangeHeader, S3ObjectStore, s3ServiceError, type StoredObject } from "./s3-object-store";

export { s3ServiceError };

/** SDK operations, and `GetObjectBody`: a response body that breaks off after its first bytes. */
export type S3Operation =
  | "GetObject"
  | "GetObjectBody"
  | "HeadObject"
  | "PutObject"
  | "DeleteObject"
  | "ListObjectsV2"
  | "CopyObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload";

export const s3Errors = {
  slowDown: () => s3ServiceError("SlowDown", 503, "Please reduce your request rate."),
  internalError: () => s3ServiceError("InternalError", 500, "We encountered an internal error. Please try again."),
  accessDenied: () => s3ServiceError("AccessDenied", 403, "Access Denied"),
  expiredToken: () => s3ServiceError("ExpiredToken", 400, "The provided token has expired."),
  /** GetObject or CopyObject of an object in an archive storage class (S3 answers 403). */
  invalidObjectState: () => s3ServiceError("InvalidObjectState", 403, "The operation is not valid for the object's storage class"),
  /** What S3 passes through when KMS throttles an SSE-KMS request. */
  kmsThrottling: () => s3ServiceError("KMS.ThrottlingException", 400, "Rate exceeded"),
};

export interface Caller {
  identityId: string;
  roleArn: string;
}

export class S3StandIn {
  readonly faults = new Faults<S3Operation>();
  readonly calls: Record<Exclude<S3Operation, "GetObjectBody">, number> = {
    GetObject: 0,
    HeadObject: 0,
    PutObject: 0,
    DeleteObject: 0,
    ListObjectsV2: 0,
    CopyObject: 0,
    CreateMultipartUpload: 0,
    UploadPart: 0,
    CompleteMultipartUpload: 0,
    AbortMultipartUpload: 0,
  };
  readonly store: S3ObjectStore;
  readonly iam: IamDecisions;
  /** Identity ids that sent each request, in order. */
  readonly callers: string[] = [];
  private stub?: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

  constructor(
    readonly options: {
      bucket: string;
      identities: CognitoIdentityStandIn;
      /** The policy of each role the identity pool hands out, by role ARN. */
      rolePolicies: Record<string, PolicyDocument>;
      bucketPolicy?: PolicyDocument;
      now?: () => number;
    },
  ) {
    this.store = new S3ObjectStore(() => this.now);
    this.iam = new IamDecisions({ rolePolicies: options.rolePolicies, ...(options.bucketPolicy ? { bucketPolicy: options.bucketPolicy } : {}) });
  }

  get objects(): Map<string, StoredObject> {
    return this.store.objects;
  }

  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  get bucketArn(): string {
    return `arn:aws:s3:::${this.options.bucket}`;
  }

  get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Replaces S3Client.prototype.send for every instance until `restore`. */
  install(): this {
    const stub = (this.stub = mockClient(S3Client));
    const route = <C extends new (input: never) => unknown>(command: C, operation: Exclude<S3Operation, "GetObjectBody">, handle: (input: any, caller: Caller) => Promise<unknown>) => // eslint-disable-line @typescript-eslint/no-explicit-any
      stub.on(command as never).callsFake((input: unknown, getClient: () => unknown) => {
        // Read synchronously: getClient() names the client whose send is running now.
        const client = getClient() as S3Client;
        return this.serve(operation, client, (caller) => handle(input, caller));
      });
    route(GetObjectCommand, "GetObject", (i, c) => this.getObject(i, c));
    route(HeadObjectCommand, "HeadObject", (i, c) => this.headObject(i, c));
    route(PutObjectCommand, "PutObject", (i, c) => this.putObject(i, c));
    route(DeleteObjectCommand, "DeleteObject", (i, c) => this.deleteObject(i, c));
    route(ListObjectsV2Command, "ListObjectsV2", (i, c) => this.listObjects(i, c));
    route(CopyObjectCommand, "CopyObject", (i, c) => this.copyObject(i, c));
    route(CreateMultipartUploadCommand, "CreateMultipartUpload", (i, c) => this.createUpload(i, c));
    route(UploadPartCommand, "UploadPart", (i, c) => this.uploadPart(i, c));
    route(CompleteMultipartUploadCommand, "CompleteMultipartUpload", (i, c) => this.complete(i, c));
    route(AbortMultipartUploadCommand, "AbortMultipartUpload", (i, c) => this.abort(i, c));
    return this;
  }

  restore(): void {
    this.stub?.restore();
  }

  /** Puts an object directly (as another writer would), bypassing authorization. */
  seed(key: string, body: string | Buffer, contentType = "application/octet-stream"): void {
    this.store.put(key, Buffer.from(body), { contentType, metadata: {} });
  }

  /** The caller behind credentials, as S3 authenticates them; throws S3's error otherwise. */
  authenticate(credentials: { accessKeyId: string; secretAccessKey?: string; sessionToken?: string }): Caller {
    const issued = this.options.identities.issued.get(credentials.accessKeyId);
    if (!issued) throw s3ServiceError("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
    if (credentials.secretAccessKey !== undefined && issued.secretAccessKey !== credentials.secretAccessKey) throw s3ServiceError("SignatureDoesNotMatch", 403);
    if (issued.sessionToken !== credentials.sessionToken) throw s3ServiceError("InvalidToken", 400, "The provided token is malformed or otherwise invalid.");
    if (issued.revoked || this.now >= issued.expiresAtMs) throw s3Errors.expiredToken();
    return { identityId: issued.identityId, roleArn: issued.roleArn };
  }

  /** Refuses the request unless IAM allows `action` on `resource` for the caller. */
  async authorize(caller: Caller, action: string, resource: string, context?: Record<string, string>): Promise<void> {
    const decision = await this.iam.decide({ ...caller, action, resource, ...(context ? { context } : {}) });
    if (decision !== "Allowed") throw s3Errors.accessDenied();
  }

  objectArn(key: string): string {
    return `${this.bucketArn}/${key}`;
  }

  checkBucket(bucket: string | undefined): void {
    if (bucket !== this.options.bucket) throw s3ServiceError("NoSuchBucket", 404, "The specified bucket does not exist");
  }

  private async serve(operation: Exclude<S3Operation, "GetObjectBody">, client: S3Client, handle: (caller: Caller) => Promise<unknown>): Promise<unknown> {
    this.calls[operation]++;
    const credentials = await client.config.credentials();
    await this.faults.raise(operation);
    const caller = this.authenticate(credentials);
    this.callers.push(caller.identityId);
    return handle(caller);
  }

  /** A body stream that, with a `GetObjectBody` fault queued, breaks off after its first bytes. */
  private bodyStream(body: Buffer): Readable {
    const faults = this.faults;
    return Readable.from(
      (async function* () {
        yield body.subarray(0, Math.min(body.byteLength, 16));
        await faults.raise("GetObjectBody");
        if (body.byteLength > 16) yield body.subarray(16);
      })(),
    );
  }

  private output(object: StoredObject, size: number) {
    return {
      ContentLength: size,
      ContentType: object.contentType,
      ETag: object.etag,
      LastModified: object.lastModified,
      ...(object.cacheControl ? { CacheControl: object.cacheControl } : {}),
      ...(object.contentDisposition ? { ContentDisposition: object.contentDisposition } : {}),
      Metadata: { ...object.metadata },
    };
  }

  private async getObject(input: { Bucket?: string; Key?: string; Range?: string; IfNoneMatch?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:GetObject", this.objectArn(input.Key!));
    const object = this.store.find(input.Key!);
    this.store.checkRead(object, input.IfNoneMatch);
    const { body, contentRange } = this.store.slice(object, parseRangeHeader(input.Range));
    return { ...this.output(object, body.byteLength), Body: this.bodyStream(body), ...(contentRange ? { ContentRange: contentRange } : {}) };
  }

  private async headObject(input: { Bucket?: string; Key?: string; IfNoneMatch?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:GetObject", this.objectArn(input.Key!));
    const object = this.store.find(input.Key!, true);
    this.store.checkRead(object, input.IfNoneMatch);
    return this.output(object, object.body.byteLength);
  }

  private async putObject(
    input: { Bucket?: string; Key?: string; Body?: unknown; ContentType?: string; ContentDisposition?: string; CacheControl?: string; Metadata?: Record<string, string>; IfMatch?: string; IfNoneMatch?: string },
    caller: Caller,
  ) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:PutObject", this.objectArn(input.Key!));
    const body = input.Body;
    if (!(body instanceof Uint8Array) && typeof body !== "string") throw new Error("S3 stand-in: PutObject body must be bytes or a string");
    const object = this.store.put(
      input.Key!,
      Buffer.from(body),
      { contentType: input.ContentType ?? "binary/octet-stream", contentDisposition: input.ContentDisposition, cacheControl: input.CacheControl, metadata: { ...input.Metadata } },
      { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch },
    );
    return { ETag: object.etag };
  }

  private async deleteObject(input: { Bucket?: string; Key?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:DeleteObject", this.objectArn(input.Key!));
    // S3 answers 204 whether or not the key existed.
    this.store.objects.delete(input.Key!);
    return {};
  }

  private async listObjects(input: { Bucket?: string; Prefix?: string; Delimiter?: string; MaxKeys?: number; ContinuationToken?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    const prefix = input.Prefix ?? "";
    await this.authorize(caller, "s3:ListBucket", this.bucketArn, { "s3:prefix": prefix });
    const page = this.store.list(prefix, {
      ...(input.Delimiter ? { delimiter: input.Delimiter } : {}),
      ...(input.MaxKeys ? { maxKeys: input.MaxKeys } : {}),
      ...(input.ContinuationToken !== undefined ? { continuationToken: input.ContinuationToken } : {}),
    });
    return {
      Contents: page.objects.map(({ key, object }) => ({ Key: key, Size: object.body.byteLength, ETag: object.etag, LastModified: object.lastModified })),
      CommonPrefixes: page.folders.map((Prefix) => ({ Prefix })),
      KeyCount: page.objects.length + page.folders.length,
      IsTruncated: page.nextContinuationToken !== undefined,
      ...(page.nextContinuationToken ? { NextContinuationToken: page.nextContinuationToken } : {}),
    };
  }

  private async copyObject(input: { Bucket?: string; Key?: string; CopySource?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    const source = decodeURIComponent(input.CopySource ?? "");
    const [bucket, ...rest] = source.replace(/^\//, "").split("/");
    this.checkBucket(bucket);
    const sourceKey = rest.join("/");
    await this.authorize(caller, "s3:GetObject", this.objectArn(sourceKey));
    await this.authorize(caller, "s3:PutObject", this.objectArn(input.Key!));
    const object = this.store.copy(sourceKey, input.Key!);
    return { CopyObjectResult: { ETag: object.etag, LastModified: object.lastModified } };
  }

  private async createUpload(input: { Bucket?: string; Key?: string; ContentType?: string; ContentDisposition?: string; CacheControl?: string; Metadata?: Record<string, string> }, caller: Caller) {
    this.checkBucket(input.Bucket);
    // CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all authorized as s3:PutObject.
    await this.authorize(caller, "s3:PutObject", this.objectArn(input.Key!));
    const uploadId = this.store.createUpload(input.Key!, {
      contentType: input.ContentType ?? "binary/octet-stream",
      contentDisposition: input.ContentDisposition,
      cacheControl: input.CacheControl,
      metadata: { ...input.Metadata },
    });
    return { Bucket: input.Bucket, Key: input.Key, UploadId: uploadId };
  }

  private async uploadPart(input: { Bucket?: string; Key?: string; UploadId?: string; PartNumber?: number; Body?: unknown }, caller: Caller) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:PutObject", this.objectArn(input.Key!));
    const body = input.Body;
    if (!(body instanceof Uint8Array)) throw new Error("S3 stand-in: UploadPart body must be bytes");
    return { ETag: this.store.putPart(input.Key!, input.UploadId!, input.PartNumber!, Buffer.from(body)) };
  }

  private async complete(
    input: { Bucket?: string; Key?: string; UploadId?: string; MultipartUpload?: { Parts?: { PartNumber?: number; ETag?: string }[] }; IfMatch?: string; IfNoneMatch?: string },
    caller: Caller,
  ) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:PutObject", this.objectArn(input.Key!));
    const parts = (input.MultipartUpload?.Parts ?? []).map((p) => ({ partNumber: p.PartNumber!, etag: p.ETag! }));
    const object = this.store.complete(input.Key!, input.UploadId!, parts, { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch });
    return { Bucket: input.Bucket, Key: input.Key, ETag: object.etag };
  }

  private async abort(input: { Bucket?: string; Key?: string; UploadId?: string }, caller: Caller) {
    this.checkBucket(input.Bucket);
    await this.authorize(caller, "s3:AbortMultipartUpload", this.objectArn(input.Key!));
    this.store.abort(input.Key!, input.UploadId!);
    return {};
  }
}
