/**
 * Cognito Identity as the function sees it, behind the real CognitoIdentityClient (its `send` is
 * replaced by aws-sdk-client-mock). It checks the login token as the service does (RS256
 * signature against the pool's key, issuer, audience, expiry), maps users to roles the way token
 * role mapping with ambiguous resolution "Deny" does, issues credentials that expire, and
 * remembers them so the S3 stand-in can tell whose they are.
 */
import { createHash, randomBytes, verify } from "node:crypto";
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
  type GetCredentialsForIdentityCommandInput,
  type GetCredentialsForIdentityCommandOutput,
  type GetIdCommandInput,
  type GetIdCommandOutput,
  type CognitoIdentityClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-cognito-identity";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { Faults } from "./faults";
import type { TestUserPool } from "./test-user-pool";

export type CognitoOperation = "GetId" | "GetCredentialsForIdentity";

export interface IssuedCredentials {
  identityId: string;
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAtMs: number;
  /** Made invalid before its expiry (as after a session revocation). */
  revoked: boolean;
}

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

export const cognitoErrors = {
  notAuthorized: (message: string) => new NotAuthorizedException({ message, ...metadata(400) }),
};

interface TokenClaims {
  sub: string;
  preferredRole?: string;
}

export class CognitoIdentityStandIn {
  readonly faults = new Faults<CognitoOperation>();
  readonly calls: Record<CognitoOperation, number> = { GetId: 0, GetCredentialsForIdentity: 0 };
  /** Every credential issued, by access key id. */
  readonly issued = new Map<string, IssuedCredentials>();
  /** Subs whose tokens the pool rejects (ServerSideTokenCheck after sign-out). */
  readonly signedOut = new Set<string>();
  private readonly identities = new Map<string, string>();
  private stub?: AwsStub<ServiceInputTypes, ServiceOutputTypes, CognitoIdentityClientResolvedConfig>;

  constructor(
    readonly options: {
      identityPoolId: string;
      pool: TestUserPool;
      /** Lifetime of issued credentials. @default 1 hour */
      credentialLifetimeMs?: number;
      /** The stand-in's own clock (ms). @default Date.now */
      now?: () => number;
      /** Told of every credential before it is handed out (e.g. to register it with an S3 server). */
      onIssue?: (credentials: IssuedCredentials) => Promise<void> | void;
    },
  ) {}

  get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Replaces CognitoIdentityClient.prototype.send for every instance until `restore`. */
  install(): this {
    const stub = (this.stub = mockClient(CognitoIdentityClient));
    stub.on(GetIdCommand).callsFake((input: GetIdCommandInput) => this.getId(input));
    stub.on(GetCredentialsForIdentityCommand).callsFake((input: GetCredentialsForIdentityCommandInput) => this.getCredentialsForIdentity(input));
    return this;
  }

  restore(): void {
    this.stub?.restore();
  }

  /** Invalidates every credential issued so far, before its expiry. */
  revokeAllIssued(): void {
    for (const credentials of this.issued.values()) credentials.revoked = true;
  }

  identityIdFor(sub: string): string {
    const h = createHash("sha256").update(`${this.options.identityPoolId}/${sub}`).digest("hex");
    return `${this.options.pool.region}:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  private checkLogin(logins: Record<string, string> | undefined): TokenClaims {
    const { pool } = this.options;
    const entries = Object.entries(logins ?? {});
    if (entries.length !== 1 || entries[0]![0] !== pool.providerName) {
      throw cognitoErrors.notAuthorized("Invalid login token. Not a valid provider for this identity pool.");
    }
    const token = entries[0]![1];
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || signature === undefined) throw cognitoErrors.notAuthorized("Invalid login token. Not a valid OpenId Connect identity token.");
    const ok = verify("sha256", Buffer.from(`${header}.${payload}`), pool.publicKey, Buffer.from(signature, "base64url"));
    if (!ok) throw cognitoErrors.notAuthorized("Invalid login token. Signature verification failed.");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    if (claims.iss !== pool.issuer) throw cognitoErrors.notAuthorized("Invalid login token. Issuer doesn't match providerName");
    if (claims.aud !== pool.clientId) throw cognitoErrors.notAuthorized("Invalid login token. Incorrect audience.");
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) throw cognitoErrors.notAuthorized("Invalid login token. Token expired.");
    const sub = String(claims.sub);
    if (this.signedOut.has(sub)) throw cognitoErrors.notAuthorized("Invalid login token. Token is revoked.");
    const preferredRole = typeof claims["cognito:preferred_role"] === "string" ? claims["cognito:preferred_role"] : undefined;
    return { sub, ...(preferredRole ? { preferredRole } : {}) };
  }

  async getId(input: GetIdCommandInput): Promise<Partial<GetIdCommandOutput>> {
    this.calls.GetId++;
    await this.faults.raise("GetId");
    if (input.IdentityPoolId !== this.options.identityPoolId) {
      throw new ResourceNotFoundException({ message: `IdentityPool '${input.IdentityPoolId}' not found.`, ...metadata(404) });
    }
    const { sub } = this.checkLogin(input.Logins);
    const identityId = this.identityIdFor(sub);
    this.identities.set(identityId, sub);
    return { IdentityId: identityId };
  }

  async getCredentialsForIdentity(input: GetCredentialsForIdentityCommandInput): Promise<Partial<GetCredentialsForIdentityCommandOutput>> {
    this.calls.GetCredentialsForIdentity++;
    await this.faults.raise("GetCredentialsForIdentity");
    const owner = input.IdentityId ? this.identities.get(input.IdentityId) : undefined;
    if (!owner) throw new ResourceNotFoundException({ message: `Identity '${input.IdentityId}' not found.`, ...metadata(404) });
    const { sub, preferredRole } = this.checkLogin(input.Logins);
    if (sub !== owner) throw cognitoErrors.notAuthorized("Invalid login token. Logins don't match.");
    // Token role mapping, ambiguous resolution "Deny": no preferred role, no credentials.
    if (!preferredRole) {
      throw cognitoErrors.notAuthorized(`The ambiguous role mapping rules for: ${this.options.pool.providerName} denied this request.`);
    }
    const credentials: IssuedCredentials = {
      identityId: input.IdentityId!,
      roleArn: preferredRole,
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(96).toString("base64"),
      expiresAtMs: this.now + (this.options.credentialLifetimeMs ?? 3_600_000),
      revoked: false,
    };
    this.issued.set(credentials.accessKeyId, credentials);
    await this.options.onIssue?.(credentials);
    return {
      IdentityId: credentials.identityId,
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: new Date(credentials.expiresAtMs),
      },
    };
  }
}
