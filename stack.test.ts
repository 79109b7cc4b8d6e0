/**
 * The dev stack as `pulumi up --stack dev` would build it, synthesized offline, checked against
 * the intent below (written here, not derived from the policy code).
 */
import { synthesizeStack, type SynthesizedStack, type SynthesizedResource } from "./synth/synthesize";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const OWNER_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"];
const T = {
  userPool: "aws:cognito/userPool:UserPool",
  client: "aws:cognito/userPoolClient:UserPoolClient",
  identityPool: "aws:cognito/identityPool:IdentityPool",
  attachment: "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
  group: "aws:cognito/userGroup:UserGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  bucket: "aws:s3/bucket:Bucket",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  kmsKey: "aws:kms/key:Key",
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const json = (r: SynthesizedResource, field: string): Json => JSON.parse(r.inputs[field] as string);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as string]);

/** The role that a group's UserGroup points at. */
function roleOfGroup(s: SynthesizedStack, group: string): SynthesizedResource {
  const g = s.ofType(T.group).find((r) => r.inputs.name === group)!;
  return s.ofType(T.role).find((r) => r.state.arn === g.inputs.roleArn)!;
}

/** Every inline policy attached to a role (by role name), parsed. */
function policiesOfRole(s: SynthesizedStack, role: SynthesizedResource): Json[] {
  return s.ofType(T.rolePolicy).filter((p) => p.inputs.role === role.state.name).map((p) => json(p, "policy"));
}

let dev: SynthesizedStack;
beforeAll(async () => {
  dev = await synthesizeStack({ stack: "dev" });
});

describe("dev stack: Cognito identity", () => {
  it("has a user pool for admin-created users signing in with email, with a strong password policy and optional TOTP", () => {
    const pool = dev.one(T.userPool).inputs as Json;
    expect(pool.usernameAttributes).toEqual(["email"]);
    expect(pool.adminCreateUserConfig).toEqual({ allowAdminCreateUserOnly: true });
    expect(pool.passwordPolicy.minimumLength).toBeGreaterThanOrEqual(12);
    expect(pool.passwordPolicy).toMatchObject({ requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true });
    expect(pool.mfaConfiguration).toBe("OPTIONAL");
    expect(pool.softwareTokenMfaConfiguration).toEqual({ enabled: true });
    expect(pool.deletionProtection).toBe("INACTIVE"); // dev only; see the prod test below
  });

  it("has an app client for a server-side web app: code flow only, URLs from config, no user-existence leaks", () => {
    const client = dev.one(T.client).inputs as Json;
    expect(client.userPoolId).toBe(dev.outputs.userPoolId);
    expect(client.generateSecret).toBe(true);
    expect(client.allowedOauthFlows).toEqual(["code"]);
    expect(client.allowedOauthFlowsUserPoolClient).toBe(true);
    expect(client.callbackUrls).toEqual(["http://localhost:3000/api/auth/callback/cognito"]);
    expect(client.logoutUrls).toEqual(["http://localhost:3000/"]);
    expect(client.preventUserExistenceErrors).toBe("ENABLED");
    expect(client.explicitAuthFlows).not.toContain("ALLOW_USER_PASSWORD_AUTH");
    expect([client.idTokenValidity, client.accessTokenValidity, client.refreshTokenValidity]).toEqual([60, 60, 30]);
    expect(client.tokenValidityUnits).toEqual({ idToken: "minutes", accessToken: "minutes", refreshToken: "days" });
  });

  it("lets the client write no attribute that role mapping or authorization could read", () => {
    const client = dev.one(T.client).inputs as Json;
    expect(client.writeAttributes).toBeDefined(); // unset would mean "all writable"
    for (const attribute of client.writeAttributes as string[]) {
      expect(attribute).not.toMatch(/^custom:|^dev:|groups|role|email|phone|sub/);
    }
  });

  it("has an identity pool bound to this pool and client: no guests, no classic flow, server-side token check", () => {
    const idp = dev.one(T.identityPool).inputs as Json;
    expect(idp.allowUnauthenticatedIdentities).toBe(false);
    expect(idp.allowClassicFlow).toBe(false);
    expect(idp.cognitoIdentityProviders).toEqual([
      {
        clientId: dev.outputs.userPoolClientId,
        providerName: `cognito-idp.ap-northeast-1.amazonaws.com/${dev.outputs.userPoolId}`,
        serverSideTokenCheck: true,
      },
    ]);
  });

  it("has groups admin (precedence 0) and user (precedence 100), each with its own role", () => {
    const groups = dev.ofType(T.group).map((g) => [g.inputs.name, g.inputs.precedence, g.inputs.userPoolId]);
    expect(groups.sort()).toEqual([
      ["admin", 0, dev.outputs.userPoolId],
      ["user", 100, dev.outputs.userPoolId],
    ]);
    const adminRole = roleOfGroup(dev, "admin");
    const userRole = roleOfGroup(dev, "user");
    expect(adminRole).toBeDefined();
    expect(userRole).toBeDefined();
    expect(adminRole.state.arn).not.toBe(userRole.state.arn);
    expect(dev.outputs.roleArns).toEqual({ admin: adminRole.state.arn, user: userRole.state.arn });
  });

  it("trusts, on every group role, only this identity pool's authenticated identities", () => {
    const roles = dev.ofType(T.role).filter((r) => r.parentType === "identity-scoped-storage:index:CognitoIdentity");
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(json(role, "assumeRolePolicy")).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: expect.any(String),
            Effect: "Allow",
            Principal: { Federated: "cognito-identity.amazonaws.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "cognito-identity.amazonaws.com:aud": dev.outputs.identityPoolId },
              "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
            },
          },
        ],
      });
      expect(role.inputs.managedPolicyArns).toBeUndefined();
      expect(role.inputs.inlinePolicies).toBeUndefined();
    }
  });

  it("maps roles from the token, denies ambiguous users and has no guest role", () => {
    const attachment = dev.one(T.attachment).inputs as Json;
    expect(attachment.identityPoolId).toBe(dev.outputs.identityPoolId);
    expect(Object.keys(attachment.roles)).toEqual(["authenticated"]);
    expect(Object.values(dev.outputs.roleArns)).toContain(attachment.roles.authenticated);
    expect(attachment.roleMappings).toEqual([
      {
        identityProvider: `cognito-idp.ap-northeast-1.amazonaws.com/${dev.outputs.userPoolId}:${dev.outputs.userPoolClientId}`,
        type: "Token",
        ambiguousRoleResolution: "Deny",
      },
    ]);
  });
});

describe("dev stack: identity-scoped bucket", () => {
  it("is owned by the stack, with all four public-access blocks and owner-enforced ownership", () => {
    const bucket = dev.one(T.bucket);
    expect(bucket.state.bucket).toBe(dev.outputs.bucketName);
    expect(bucket.inputs.forceDestroy).toBe(true); // dev config
    expect(dev.one(T.publicAccess).inputs).toEqual({
      bucket: dev.outputs.bucketName,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(dev.one(T.ownership).inputs).toEqual({ bucket: dev.outputs.bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } });
  });

  it("is encrypted with S3-managed keys by default and versioned", () => {
    expect((dev.one(T.encryption).inputs as Json).rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(dev.ofType(T.kmsKey)).toHaveLength(0);
    expect((dev.one(T.versioning).inputs as Json).versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("aborts incomplete multipart uploads and expires noncurrent versions", () => {
    const rules = (dev.one(T.lifecycle).inputs as Json).rules as Json[];
    expect(rules.every((r) => r.status === "Enabled")).toBe(true);
    expect(rules.find((r) => r.abortIncompleteMultipartUpload)?.abortIncompleteMultipartUpload).toEqual({ daysAfterInitiation: 7 });
    expect(rules.find((r) => r.noncurrentVersionExpiration)?.noncurrentVersionExpiration).toEqual({ noncurrentDays: 30 });
    for (const rule of rules) expect(rule.filter).toEqual({ prefix: "" }); // whole bucket
  });

  it("has a bucket policy that denies every non-TLS request and grants nothing", () => {
    const arn = `arn:aws:s3:::${dev.outputs.bucketName}`;
    expect(json(dev.one(T.bucketPolicy), "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: expect.any(String),
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [arn, `${arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it.each(["admin", "user"])("grants the %s role exactly the owner actions on its own folder, and a folder-confined list", (group) => {
    const arn = `arn:aws:s3:::${dev.outputs.bucketName}`;
    const policies = policiesOfRole(dev, roleOfGroup(dev, group));
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Statement as Json[];
    expect(statements.every((s) => s.Effect === "Allow" && !s.NotAction && !s.NotResource)).toBe(true);

    const objectStatements = statements.filter((s) => list(s.Resource).some((r) => r.startsWith(`${arn}/`)));
    expect(objectStatements).toHaveLength(1);
    expect(list(objectStatements[0]!.Action).sort()).toEqual(OWNER_ACTIONS);
    expect(list(objectStatements[0]!.Resource)).toEqual([`${arn}/private/${SUB}/*`]);

    const listStatements = statements.filter((s) => list(s.Action).includes("s3:ListBucket"));
    expect(listStatements).toHaveLength(1);
    expect(list(listStatements[0]!.Action)).toEqual(["s3:ListBucket"]);
    expect(list(listStatements[0]!.Resource)).toEqual([arn]);
    expect(listStatements[0]!.Condition).toEqual({ StringLike: { "s3:prefix": [`private/${SUB}/`, `private/${SUB}/*`] } });

    const all = statements.flatMap((s) => list(s.Action));
    expect(all.filter((a) => /[*?]|Acl|Version/.test(a))).toEqual([]);
    expect(new Set(all)).toEqual(new Set([...OWNER_ACTIONS, "s3:ListBucket"]));
  });

  it("puts every resource inside one of the three components", () => {
    const components = ["identity-scoped-storage:index:CognitoIdentity", "identity-scoped-storage:index:FilesApi", "identity-scoped-storage:index:IdentityScopedBucket"];
    expect(dev.resources.filter((r) => !r.custom).map((r) => r.type).sort()).toEqual(components);
    for (const r of dev.resources.filter((r) => r.custom)) expect({ name: r.name, parentType: r.parentType }).toEqual({ name: r.name, parentType: expect.stringMatching(/^identity-scoped-storage:index:/) });
  });

  it("exports the identifiers an app and a reviewer need", () => {
    const signIn = `https://${dev.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs.domain}.auth.ap-northeast-1.amazoncognito.com`;
    expect(dev.outputs).toEqual({
      region: "ap-northeast-1",
      userPoolId: dev.one(T.userPool).id,
      userPoolClientId: dev.one(T.client).id,
      userPoolClientSecret: dev.one(T.client).state.clientSecret,
      issuerUrl: `https://cognito-idp.ap-northeast-1.amazonaws.com/${dev.one(T.userPool).id}`,
      signInBaseUrl: signIn,
      authorizeEndpoint: `${signIn}/oauth2/authorize`,
      tokenEndpoint: `${signIn}/oauth2/token`,
      logoutEndpoint: `${signIn}/logout`,
      identityPoolId: dev.one(T.identityPool).id,
      bucketName: dev.one(T.bucket).state.bucket,
      storagePrefix: "private",
      roleArns: { admin: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//), user: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//) },
      filesApiEndpoint: dev.one("aws:apigatewayv2/api:Api").state.apiEndpoint,
    });
  });
});

describe("dev stack: Files API wiring", () => {
  it("authorizes with this user pool's tokens for this app client", () => {
    expect((dev.one("aws:apigatewayv2/authorizer:Authorizer").inputs as Json).jwtConfiguration).toEqual({
      audiences: [dev.outputs.userPoolClientId],
      issuer: `https://cognito-idp.ap-northeast-1.amazonaws.com/${dev.outputs.userPoolId}`,
    });
  });

  it("gives the function this stack's pools, bucket and prefix, and a role that cannot touch S3", () => {
    const fn = dev.one("aws:lambda/function:Function").inputs as Json;
    expect(fn.environment.variables).toMatchObject({
      REGION: "ap-northeast-1",
      USER_POOL_ID: dev.outputs.userPoolId,
      USER_POOL_CLIENT_ID: dev.outputs.userPoolClientId,
      IDENTITY_POOL_ID: dev.outputs.identityPoolId,
      BUCKET_NAME: dev.outputs.bucketName,
      STORAGE_PREFIX: "private",
      MAX_UPLOAD_BYTES: "4194304",
      PRESIGNED_URL_MAX_SECONDS: "900",
      CREDENTIALS_CACHE_SECONDS: "300",
    });
    const role = dev.ofType(T.role).find((r) => r.state.arn === fn.role)!;
    expect(role.parentType).toBe("identity-scoped-storage:index:FilesApi");
    const actions = policiesOfRole(dev, role).flatMap((p) => (p.Statement as Json[]).flatMap((st) => list(st.Action)));
    expect(actions.sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(role.inputs.managedPolicyArns).toBeUndefined();
  });

  it("routes HEAD, the ?key= forms, the URL routes and multipart to the function, each behind the JWT authorizer", () => {
    const authorizerId = dev.one("aws:apigatewayv2/authorizer:Authorizer").id;
    const routes = dev.ofType("aws:apigatewayv2/route:Route").map((r) => r.inputs as Json);
    const keys = routes.map((r) => r.routeKey as string);
    for (const key of ["HEAD /files/{key+}", "HEAD /files", "DELETE /files", "POST /files/download-url", "POST /files/upload-url", "POST /files/multipart", "POST /files/multipart/part-urls", "POST /files/multipart/complete", "POST /files/multipart/abort"]) {
      expect(keys).toContain(key);
    }
    expect(routes.every((r) => r.authorizationType === "JWT" && r.authorizerId === authorizerId)).toBe(true);
    // ListBucketMultipartUploads is never needed (uploads are driven by the id the client holds) nor granted.
    expect(JSON.stringify(dev.ofType(T.rolePolicy).map((p) => p.inputs.policy))).not.toContain("ListBucketMultipartUploads");
  });

  it("gives each request a budget below the function's timeout, so the caller gets the API's own 503 first", async () => {
    const fn = dev.one("aws:lambda/function:Function").inputs as Json;
    expect(fn.timeout).toBe(10);
    expect(Number(fn.environment.variables.REQUEST_BUDGET_MS)).toBe(9000);
    const slow = await synthesizeStack({ stack: "dev", overrides: { filesApiTimeoutSeconds: 29, presignedUrlMaxSeconds: 300, credentialsCacheSeconds: 60 } });
    const slowFn = slow.one("aws:lambda/function:Function").inputs as Json;
    expect(slowFn.timeout).toBe(29);
    expect(Number(slowFn.environment.variables.REQUEST_BUDGET_MS)).toBe(26100);
    expect(slowFn.environment.variables).toMatchObject({ PRESIGNED_URL_MAX_SECONDS: "300", CREDENTIALS_CACHE_SECONDS: "60" });
  });

  it("lets browsers of the configured origins use presigned URLs on the bucket: GET, HEAD, PUT, ETag exposed", async () => {
    const cors = dev.one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").inputs as Json;
    expect(cors.bucket).toBe(dev.outputs.bucketName);
    expect(cors.corsRules).toEqual([
      expect.objectContaining({
        allowedOrigins: ["http://localhost:3000"],
        allowedMethods: ["GET", "HEAD", "PUT"],
        allowedHeaders: expect.arrayContaining(["content-type", "range", "if-none-match", "if-match"]),
        exposeHeaders: expect.arrayContaining(["ETag", "Content-Range"]),
      }),
    ]);
    // The same origins as the API's; none at all when the stage configures none.
    expect((dev.one("aws:apigatewayv2/api:Api").inputs as Json).corsConfiguration.allowOrigins).toEqual(cors.corsRules[0].allowedOrigins);
    const noCors = await synthesizeStack({ stack: "dev", overrides: { corsOrigins: [] } });
    expect(noCors.ofType("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")).toEqual([]);
    expect((noCors.one("aws:apigatewayv2/api:Api").inputs as Json).corsConfiguration).toBeUndefined();
  });

  it("takes CORS origins from the stage config, and refuses '*' outside dev before any resource", async () => {
    expect((dev.one("aws:apigatewayv2/api:Api").inputs as Json).corsConfiguration.allowOrigins).toEqual(["http://localhost:3000"]);
    await expect(synthesizeStack({ stack: "prod", overrides: { corsOrigins: ["*"] } })).rejects.toThrow(
      /identity-scoped-storage:corsOrigins\[0\]: '\*' \(any origin\) is allowed only on a dev stage/,
    );
    const devWildcard = await synthesizeStack({ stack: "dev", overrides: { corsOrigins: ["*"] } });
    expect((devWildcard.one("aws:apigatewayv2/api:Api").inputs as Json).corsConfiguration.allowOrigins).toEqual(["*"]);
  });
});

describe("stage options", () => {
  it("prod: deletion protection on, MFA required, KMS with folder-scoped key grants and no Bucket Key", async () => {
    const prod = await synthesizeStack({ stack: "prod" });
    expect(prod.one(T.userPool).inputs.deletionProtection).toBe("ACTIVE");
    expect(prod.one(T.userPool).inputs.mfaConfiguration).toBe("ON");
    expect(prod.one(T.bucket).inputs.forceDestroy).toBe(false);
    const key = prod.one(T.kmsKey);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect((prod.one(T.encryption).inputs as Json).rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn }, bucketKeyEnabled: false },
    ]);
    const arn = `arn:aws:s3:::${prod.outputs.bucketName}`;
    for (const group of ["admin", "user"]) {
      const statements = policiesOfRole(prod, roleOfGroup(prod, group))[0]!.Statement as Json[];
      const kms = statements.filter((s) => list(s.Action).some((a) => a.startsWith("kms:")));
      expect(kms).toEqual([
        expect.objectContaining({
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: key.state.arn,
          Condition: {
            StringEquals: { "kms:ViaService": "s3.ap-northeast-1.amazonaws.com" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": `${arn}/private/${SUB}/*` },
          },
        }),
      ]);
    }
  });

  it("Rules mapping: exact Equals on cognito:groups in precedence order, never Contains, still Deny", async () => {
    const s = await synthesizeStack({ overrides: { roleMapping: "Rules" } });
    const [mapping] = (s.one(T.attachment).inputs as Json).roleMappings as Json[];
    expect(mapping!.type).toBe("Rules");
    expect(mapping!.ambiguousRoleResolution).toBe("Deny");
    expect(mapping!.mappingRules).toEqual([
      { claim: "cognito:groups", matchType: "Equals", value: "admin", roleArn: s.outputs.roleArns.admin },
      { claim: "cognito:groups", matchType: "Equals", value: "user", roleArn: s.outputs.roleArns.user },
    ]);
  });

  it("group-wide read: only the named group gains read-only access to every folder", async () => {
    const s = await synthesizeStack({
      overrides: { groups: [{ name: "admin", precedence: 0, readAllFolders: true }, { name: "user", precedence: 100 }] },
    });
    const arn = `arn:aws:s3:::${s.outputs.bucketName}`;
    const adminStatements = policiesOfRole(s, roleOfGroup(s, "admin"))[0]!.Statement as Json[];
    const userStatements = policiesOfRole(s, roleOfGroup(s, "user"))[0]!.Statement as Json[];
    const beyondOwnFolder = (statements: Json[]) => statements.filter((st) => !JSON.stringify(st).includes(SUB));
    expect(beyondOwnFolder(userStatements)).toEqual([]);
    expect(beyondOwnFolder(adminStatements)).toEqual([
      expect.objectContaining({ Action: ["s3:GetObject"], Resource: `${arn}/private/*` }),
      expect.objectContaining({ Action: "s3:ListBucket", Resource: arn, Condition: { StringLike: { "s3:prefix": ["private/", "private/*"] } } }),
    ]);
  });

  it("a custom prefix flows into every grant", async () => {
    const s = await synthesizeStack({ overrides: { prefix: "tenants/files" } });
    const statements = policiesOfRole(s, roleOfGroup(s, "user"))[0]!.Statement as Json[];
    expect(JSON.stringify(statements)).toContain(`/tenants/files/${SUB}/*`);
    expect(JSON.stringify(statements)).not.toContain("private");
  });
});
