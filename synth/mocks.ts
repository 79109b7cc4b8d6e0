/**
 * A stand-in for the AWS provider under Pulumi's mock runtime. It computes what the provider
 * would compute (ids, ARNs, auto-names, the user pool endpoint, random values) in AWS's formats,
 * derived deterministically from the resource's name so that repeated syntheses print the same
 * stack. A `deployment` seed stands in for the randomness that sets two real deployments apart
 * (Pulumi's auto-name suffixes, generated ids, @pulumi/random): syntheses with different seeds
 * are two stacks that never shared a state file. It never decides anything a test asserts:
 * policies, settings and fixed names come from the program.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

export interface RecordedResource {
  type: string;
  name: string;
  /** What the program passed in. */
  inputs: Record<string, unknown>;
  /** Inputs plus the attributes the stand-in provider computed. */
  state: Record<string, unknown>;
  id: string | undefined;
  custom: boolean;
}

function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Auto-name like Pulumi does: logical name plus a 7-character random suffix (seeded by the
 * deployment). Like Pulumi, it refuses a name the suffix would push over the physical limit
 * rather than shorten it.
 */
function autoNameOf(name: string, maxLength: number, deployment: string): string {
  if (name.length + 8 > maxLength) throw new Error(`synth: name '${name}-' plus 7 random chars is longer than maximum length ${maxLength}`);
  return `${name}-${hex(deployment + name, 7)}`;
}

type Computed = { id: string; state: Record<string, unknown> };
/** The stand-in reads only string-valued inputs (names, ids, paths). */
type StringInputs = Record<string, string | undefined>;

function compute(type: string, name: string, inputs: StringInputs, region: string, deployment: string): Computed | undefined {
  const seed = `${deployment}${type}::${name}`;
  const autoName = (maxLength = 63) => autoNameOf(name, maxLength, deployment);
  switch (type) {
    case "aws:cognito/userPool:UserPool": {
      const id = `${region}_${hex(seed, 9).replace(/[^a-zA-Z0-9]/g, "A")}`;
      return {
        id,
        state: {
          name: inputs.name ?? autoName(128),
          arn: `arn:aws:cognito-idp:${region}:${MOCK_ACCOUNT_ID}:userpool/${id}`,
          endpoint: `cognito-idp.${region}.amazonaws.com/${id}`,
          region,
        },
      };
    }
    case "aws:cognito/userPoolClient:UserPoolClient":
      return { id: hex(seed, 26), state: { clientSecret: "mock-client-secret" } };
    case "aws:cognito/identityPool:IdentityPool": {
      const id = `${region}:${uuid(seed)}`;
      return { id, state: { arn: `arn:aws:cognito-identity:${region}:${MOCK_ACCOUNT_ID}:identitypool/${id}` } };
    }
    case "aws:cognito/userGroup:UserGroup":
      return { id: `${inputs.userPoolId}/${inputs.name}`, state: {} };
    case "aws:cognito/userPoolDomain:UserPoolDomain":
      return { id: inputs.domain ?? name, state: { cloudfrontDistribution: `${hex(seed, 14)}.cloudfront.net`, awsAccountId: MOCK_ACCOUNT_ID } };
    case "aws:cognito/managedLoginBranding:ManagedLoginBranding": {
      const brandingId = uuid(seed);
      return { id: `${inputs.userPoolId},${brandingId}`, state: { managedLoginBrandingId: brandingId } };
    }
    case "random:index/randomId:RandomId": {
      const bytes = Buffer.from(hex(seed, Number(inputs.byteLength) * 2), "hex");
      const b64Url = bytes.toString("base64url");
      return { id: b64Url, state: { hex: bytes.toString("hex"), b64Url, b64Std: bytes.toString("base64"), dec: BigInt(`0x${bytes.toString("hex")}`).toString() } };
    }
    case "aws:iam/role:Role": {
      const roleName = inputs.name ?? autoName(64);
      return { id: roleName, state: { name: roleName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${inputs.path ?? "/"}${roleName}`.replace("role//", "role/"), uniqueId: `AROA${hex(seed, 17).toUpperCase()}` } };
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      const policyName = inputs.name ?? autoName(128);
      return { id: `${inputs.role}:${policyName}`, state: { name: policyName } };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? autoName(63);
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`synth: ${JSON.stringify(bucket)} is not an S3 bucket name (a-z 0-9 . -)`);
      return {
        id: bucket,
        state: { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region },
      };
    }
    case "aws:kms/key:Key": {
      const id = uuid(seed);
      return { id, state: { keyId: id, arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${id}` } };
    }
    case "aws:cloudwatch/logGroup:LogGroup": {
      const logName = inputs.name ?? autoName(512);
      return { id: logName, state: { name: logName, arn: `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${logName}` } };
    }
    case "aws:lambda/function:Function": {
      const fnName = inputs.name ?? autoName(64);
      const arn = `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:function:${fnName}`;
      return { id: fnName, state: { name: fnName, arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` } };
    }
    case "aws:apigatewayv2/api:Api": {
      const id = hex(seed, 10);
      return {
        id,
        state: {
          apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
          executionArn: `arn:aws:execute-api:${region}:${MOCK_ACCOUNT_ID}:${id}`,
          arn: `arn:aws:apigateway:${region}::/apis/${id}`,
        },
      };
    }
    default:
      return undefined;
  }
}

/** Mocks that record every registration, for `pulumi.runtime.setMocks`. */
export class RecordingMocks implements pulumi.runtime.Mocks {
  public readonly resources: RecordedResource[] = [];

  /** `deployment`: the seed of this deployment's random values ("" for the default, repeatable one). */
  constructor(
    private readonly region: string,
    private readonly deployment = "",
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const computed = args.custom ? compute(args.type, args.name, args.inputs as StringInputs, this.region, this.deployment) : undefined;
    const id = args.custom ? (computed?.id ?? `${args.name}-${hex(`${this.deployment}${args.type}::${args.name}`, 8)}`) : undefined;
    const state = { ...args.inputs, ...(computed?.state ?? {}) };
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, state, id, custom: !!args.custom });
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/synth`, userId: "AIDASYNTH" };
      case "aws:index/getRegion:getRegion":
        return { name: this.region, region: this.region, id: this.region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com" };
      default:
        throw new Error(`synth: no stand-in for the provider function ${args.token}`);
    }
  }
}
