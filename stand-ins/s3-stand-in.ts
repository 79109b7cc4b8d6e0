/**
 * S3 as the function sees it, behind the real S3Client (its `send` is replaced by
 * aws-sdk-client-mock). Each request is authenticated by the credentials of the client that sent
 * it, which must be ones the Cognito stand-in issued and not expired or revoked, and authorized
 * by evaluating the issued role's policy (the stack's own policy documents) with the identity id
 * as `${cognito-identity.amazonaws.com:sub}`. So a request outside the caller's folder is refused
 * here for the same reason AWS would refuse it, not because a test expects it.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AccessDenied,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type DeleteObjectCommandInput,
  type GetObjectCommandInput,
  type ListObjectsV2CommandInput,
  type PutObjectCommandInput,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import type { PolicyDocument } from "../iam/document";
import type { CognitoIdentityStandIn } from "./cognito-identity-stand-in";
import { Faults } from "./faults";
import { evaluate } from "./iam-evaluator";

export type S3Operation = "GetObject" | "PutObject" | "DeleteObject" | "ListObjectsV2";

export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

/** An S3 error as the SDK deserializes one the service did not model. */
export function s3ServiceError(name: string, httpStatusCode: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } });
}

export const s3Errors = {
  slowDown: () => s3ServiceError("SlowDown", 503, "Please reduce your request rate."),
  internalError: () => s3ServiceError("InternalError", 500, "We encountered an internal error. Please try again."),
  accessDenied: () => new AccessDenied({ message: "Access Denied", $metadata: { httpStatusCode: 403 } }),
  expiredToken: () => s3ServiceError("ExpiredToken", 400, "The provided token has expired."),
};

interface Caller {
  identityId: string;
  roleArn: string;
}

export class S3StandIn {
  readonly faults = new Faults<S3Operation>();
  readonly calls: Record<S3Operation, number> = { GetObject: 0, PutObject: 0, DeleteObject: 0, ListObjectsV2: 0 };
  readonly objects = new Map<string, StoredObject>();
  /** Identity ids that sent each request, in order. */
  readonly callers: string[] = [];
  private stub?: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

  constructor(
    readonly options: {
      bucket: string;
      identities: CognitoIdentityStandIn;
      /** The policy of each role the identity pool hands out, by role ARN. */
      rolePolicies: Record<string, PolicyDocument>;
      now?: () => number;
    },
  ) {}

  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  private get bucketArn(): string {
    return `arn:aws:s3:::${this.options.bucket}`;
  }

  /** Replaces S3Client.prototype.send for every instance until `restore`. */
  install(): this {
    const stub = (this.stub = mockClient(S3Client));
    const route = <I>(operation: S3Operation, handle: (input: I, caller: Caller) => Promise<unknown>) =>
      (input: I, getClient: () => unknown) => {
        // Read synchronously: getClient() names the client whose send is running now.
        const client = getClient() as S3Client;
        return this.serve(operation, client, (caller) => handle(input, caller));
      };
    stub.on(GetObjectCommand).callsFake(route("GetObject", (i: GetObjectCommandInput, c) => this.getObject(i, c)));
    stub.on(PutObjectCommand).callsFake(route("PutObject", (i: PutObjectCommandInput, c) => this.putObject(i, c)));
    stub.on(DeleteObjectCommand).callsFake(route("DeleteObject", (i: DeleteObjectCommandInput, c) => this.deleteObject(i, c)));
    stub.on(ListObjectsV2Command).callsFake(route("ListObjectsV2", (i: ListObjectsV2CommandInput, c) => this.listObjects(i, c)));
    return this;
  }

  restore(): void {
    this.stub?.restore();
  }

  /** Puts an object directly (as another writer would), bypassing authorization. */
  seed(key: string, body: string | Buffer, contentType = "application/octet-stream"): void {
    const bytes = Buffer.from(body);
    this.objects.set(key, { body: bytes, contentType, etag: `"${createHash("md5").update(bytes).digest("hex")}"`, lastModified: new Date(this.now) });
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async serve(operation: S3Operation, client: S3Client, handle: (caller: Caller) => Promise<unknown>): Promise<unknown> {
    this.calls[operation]++;
    const credentials = await client.config.credentials();
    this.faults.raise(operation);
    const issued = this.options.identities.issued.get(credentials.accessKeyId);
    if (!issued) throw s3ServiceError("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
    if (issued.secretAccessKey !== credentials.secretAccessKey) throw s3ServiceError("SignatureDoesNotMatch", 403);
    if (issued.sessionToken !== credentials.sessionToken) throw s3ServiceError("InvalidToken", 400, "The provided token is malformed or otherwise invalid.");
    if (issued.revoked || this.now >= issued.expiresAtMs) throw s3Errors.expiredToken();
    this.callers.push(issued.identityId);
    return handle({ identityId: issued.identityId, roleArn: issued.roleArn });
  }

  private authorize(caller: Caller, action: string, resource: string, context: Record<string, string | undefined> = {}): void {
    const policy = this.options.rolePolicies[caller.roleArn];
    const decision = policy
      ? evaluate(policy, { action, resource, context }, { "cognito-identity.amazonaws.com:sub": caller.identityId })
      : "Deny";
    if (decision !== "Allow") throw s3Errors.accessDenied();
  }

  private checkBucket(bucket: string | undefined): void {
    if (bucket !== this.options.bucket) throw new NoSuchBucket({ message: "The specified bucket does not exist", $metadata: { httpStatusCode: 404 } });
  }

  private async getObject(input: GetObjectCommandInput, caller: Caller) {
    this.checkBucket(input.Bucket);
    this.authorize(caller, "s3:GetObject", `${this.bucketArn}/${input.Key}`);
    const object = this.objects.get(input.Key!);
    if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });
    return {
      Body: Readable.from([object.body]),
      ContentLength: object.body.byteLength,
      ContentType: object.contentType,
      ETag: object.etag,
      LastModified: object.lastModified,
    };
  }

  private async putObject(input: PutObjectCommandInput, caller: Caller) {
    this.checkBucket(input.Bucket);
    this.authorize(caller, "s3:PutObject", `${this.bucketArn}/${input.Key}`);
    const body = input.Body;
    if (!(body instanceof Uint8Array) && typeof body !== "string") throw new Error("S3 stand-in: PutObject body must be bytes or a string");
    this.seed(input.Key!, Buffer.from(body), input.ContentType ?? "binary/octet-stream");
    return { ETag: this.objects.get(input.Key!)!.etag };
  }

  private async deleteObject(input: DeleteObjectCommandInput, caller: Caller) {
    this.checkBucket(input.Bucket);
    this.authorize(caller, "s3:DeleteObject", `${this.bucketArn}/${input.Key}`);
    // S3 answers 204 whether or not the key existed.
    this.objects.delete(input.Key!);
    return {};
  }

  private async listObjects(input: ListObjectsV2CommandInput, caller: Caller) {
    this.checkBucket(input.Bucket);
    const prefix = input.Prefix ?? "";
    this.authorize(caller, "s3:ListBucket", this.bucketArn, { "s3:prefix": prefix });
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    let start = 0;
    if (input.ContinuationToken !== undefined) {
      const after = Buffer.from(input.ContinuationToken, "base64").toString("utf8");
      if (!after.startsWith("after:")) throw s3ServiceError("InvalidArgument", 400, "The continuation token provided is incorrect");
      start = keys.findIndex((k) => k > after.slice("after:".length));
      if (start < 0) start = keys.length;
    }
    const maxKeys = input.MaxKeys ?? 1000;
    const page = keys.slice(start, start + maxKeys);
    const truncated = start + maxKeys < keys.length;
    return {
      Contents: page.map((Key) => {
        const o = this.objects.get(Key)!;
        return { Key, Size: o.body.byteLength, ETag: o.etag, LastModified: o.lastModified };
      }),
      KeyCount: page.length,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: Buffer.from(`after:${page[page.length - 1]}`).toString("base64") } : {}),
    };
  }
}
