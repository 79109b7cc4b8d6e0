/**
 * The structural inspections, against what a reviewer can read off a statement: a role trust
 * must admit only this identity pool's authenticated identities; a grant must confine objects
 * and listing to `<prefix>/${sub}/` and grant no wildcard, ACL or version-deletion action; the
 * bucket policy must deny s3:* on the bucket and its objects without TLS.
 */
import type { IamDocument, PolicyStatement } from "./document";
import { inspectBucketPolicy, inspectStorageGrants, inspectTrustPolicy, type InspectionRule } from "./inspect";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const BUCKET = "arn:aws:s3:::files-bucket";
const P = "private";
const POOL = "ap-northeast-1:11111111-2222-4333-8444-555555555555";
const OTHER_POOL = "ap-northeast-1:00000000-0000-4000-8000-000000000000";
const AUD = "cognito-identity.amazonaws.com:aud";
const AMR = "cognito-identity.amazonaws.com:amr";

const doc = (...Statement: PolicyStatement[]): IamDocument => ({ Version: "2012-10-17", Statement });
const rules = (issues: { rule: InspectionRule; statement?: string }[]) => issues.map((i) => [i.rule, i.statement]);

// ---- Trust --------------------------------------------------------------------------------

const trust = (over: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Sid: "T",
  Effect: "Allow",
  Principal: { Federated: "cognito-identity.amazonaws.com" },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: { StringEquals: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } },
  ...over,
});

describe("inspectTrustPolicy", () => {
  it("passes a hand-written good trust, and key names in another case (IAM matches keys case-insensitively)", () => {
    expect(inspectTrustPolicy(doc(trust()), POOL)).toEqual([]);
    const upper = trust({ Condition: { StringEquals: { [AUD.toUpperCase()]: POOL }, "ForAnyValue:StringLike": { "Cognito-Identity.amazonaws.com:AMR": "authenticated" } } });
    expect(inspectTrustPolicy(doc(upper), POOL)).toEqual([]);
  });

  it.each<[string, PolicyStatement, [InspectionRule, string][]]>([
    ["no aud condition", trust({ Condition: { "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-missing-aud", "T"]]],
    ["aud under StringLike with a wildcard", trust({ Condition: { StringLike: { [AUD]: "ap-northeast-1:*" }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-wrong-aud", "T"]]],
    ["aud only under a negated operator", trust({ Condition: { StringNotEquals: { [AUD]: OTHER_POOL }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-missing-aud", "T"]]],
    ["aud of another pool", trust({ Condition: { StringEquals: { [AUD]: OTHER_POOL }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-wrong-aud", "T"]]],
    ["aud listing this pool and another", trust({ Condition: { StringEquals: { [AUD]: [POOL, OTHER_POOL] }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-wrong-aud", "T"]]],
    ["aud \"*\"", trust({ Condition: { StringEquals: { [AUD]: "*" }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-wrong-aud", "T"]]],
    ["aud \"ap-northeast-1:*\"", trust({ Condition: { StringEquals: { [AUD]: "ap-northeast-1:*" }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }), [["trust-wrong-aud", "T"]]],
    ["no amr condition", trust({ Condition: { StringEquals: { [AUD]: POOL } } }), [["trust-missing-amr", "T"]]],
    ["amr \"unauthenticated\"", trust({ Condition: { StringEquals: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: "unauthenticated" } } }), [["trust-missing-amr", "T"]]],
    ["amr \"*\"", trust({ Condition: { StringEquals: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: "*" } } }), [["trust-missing-amr", "T"]]],
    ["amr authenticated or unauthenticated", trust({ Condition: { StringEquals: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: ["authenticated", "unauthenticated"] } } }), [["trust-missing-amr", "T"]]],
    ["Principal \"*\"", trust({ Principal: "*" }), [["trust-wrong-principal", "T"]]],
    ["Principal AWS account", trust({ Principal: { AWS: "arn:aws:iam::123456789012:root" } }), [["trust-wrong-principal", "T"]]],
    ["another web identity provider", trust({ Principal: { Federated: "accounts.google.com" } }), [["trust-wrong-principal", "T"]]],
    ["Cognito plus a Service principal", trust({ Principal: { Federated: "cognito-identity.amazonaws.com", Service: "lambda.amazonaws.com" } }), [["trust-wrong-principal", "T"]]],
    // Control for the two-provider trust below: without a Cognito condition key, Google's tokens get in.
    ["Cognito plus another federated provider, no Cognito condition", trust({ Principal: { Federated: ["cognito-identity.amazonaws.com", "accounts.google.com"] }, Condition: undefined }), [["trust-wrong-principal", "T"]]],
    ["Cognito plus another federated provider, aud only IfExists", trust({ Principal: { Federated: ["cognito-identity.amazonaws.com", "accounts.google.com"] }, Condition: { StringEqualsIfExists: { [AUD]: POOL } } }), [["trust-wrong-principal", "T"]]],
    ["NotPrincipal", trust({ Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }), [["trust-wrong-principal", "T"]]],
  ])("reports %s", (_label, statement, expected) => {
    expect(rules(inspectTrustPolicy(doc(statement), POOL))).toEqual(expected);
  });

  // StringLike without a wildcard is an exact match (IAM policy grammar), and a second federated
  // provider admits nobody while the statement needs a Cognito key: that provider's tokens carry
  // `accounts.google.com:aud`, never `cognito-identity.amazonaws.com:aud`, and a positive operator
  // on a missing key fails (ForAnyValue: over no values too).
  it.each<[string, PolicyStatement]>([
    ["aud under StringLike without a wildcard", trust({ Condition: { StringLike: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } })],
    ["Cognito plus another federated provider, exact aud", trust({ Principal: { Federated: ["cognito-identity.amazonaws.com", "accounts.google.com"] } })],
    ["two providers, StringLike aud without a wildcard", trust({ Principal: { Federated: ["cognito-identity.amazonaws.com", "accounts.google.com"] }, Condition: { StringLike: { [AUD]: POOL }, "ForAnyValue:StringLike": { [AMR]: "authenticated" } } })],
  ])("passes %s", (_label, statement) => {
    expect(inspectTrustPolicy(doc(statement), POOL)).toEqual([]);
  });

  it("reports the article's trust (amr only, no aud) as missing aud, and nothing else", () => {
    const article = doc({
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { "ForAnyValue:StringLike": { [AMR]: "authenticated" } },
    });
    expect(rules(inspectTrustPolicy(article, POOL))).toEqual([["trust-missing-aud", "#0"]]);
  });

  it("reports both aud and amr when the statement has no condition at all", () => {
    expect(rules(inspectTrustPolicy(doc(trust({ Condition: undefined })), POOL))).toEqual([
      ["trust-missing-aud", "T"],
      ["trust-missing-amr", "T"],
    ]);
  });

  it("ignores Deny statements and names each bad Allow statement", () => {
    const issues = inspectTrustPolicy(doc({ Effect: "Deny", Principal: "*", Action: "sts:*" }, trust(), trust({ Sid: undefined, Principal: "*" })), POOL);
    expect(rules(issues)).toEqual([["trust-wrong-principal", "#2"]]);
  });
});

// ---- Storage grants -----------------------------------------------------------------------

const grant = (over: Partial<PolicyStatement>): PolicyStatement => ({ Sid: "G", Effect: "Allow", ...over });
const objects = (Action: string | string[], Resource = `${BUCKET}/${P}/${SUB}/*`) => grant({ Action, Resource });
const listing = (values: string[] | undefined, Action: string | string[] = "s3:ListBucket", operator = "StringLike") =>
  grant({ Action, Resource: BUCKET, ...(values ? { Condition: { [operator]: { "s3:prefix": values } } } : {}) });
const inspectGrant = (statement: PolicyStatement, readAllFolders?: boolean) => rules(inspectStorageGrants(doc(statement), { bucketArn: BUCKET, prefix: P, readAllFolders }));

describe("inspectStorageGrants", () => {
  it.each<[string, boolean, PolicyStatement, [InspectionRule, string][]]>([
    // Actions
    ["s3:* on the own folder", false, objects("s3:*"), [["wildcard-action", "G"]]],
    ["s3:Get* on the own folder", false, objects("s3:Get*"), [["wildcard-action", "G"]]],
    ["\"*\" on the own folder", false, objects("*"), [["wildcard-action", "G"]]],
    ["s3:PutObjectAcl on the own folder", false, objects(["s3:GetObject", "s3:PutObjectAcl"]), [["acl-action", "G"]]],
    ["s3:GetObjectAcl on the own folder", false, objects("s3:GetObjectAcl"), [["acl-action", "G"]]],
    ["s3:DeleteObjectVersion on the own folder", false, objects(["s3:DeleteObject", "s3:DeleteObjectVersion"]), [["version-deletion-action", "G"]]],
    ["NotAction", false, grant({ NotAction: "s3:DeleteObject", Resource: `${BUCKET}/${P}/${SUB}/*` }), [["not-action-or-resource", "G"]]],
    ["NotResource", false, grant({ Action: "s3:GetObject", NotResource: `${BUCKET}/${P}/other/*` }), [["not-action-or-resource", "G"]]],
    // Object confinement
    ["GetObject on <p>/*", false, objects("s3:GetObject", `${BUCKET}/${P}/*`), [["object-not-confined", "G"]]],
    ["GetObject on <p>/* for a read-all role", true, objects("s3:GetObject", `${BUCKET}/${P}/*`), []],
    ["PutObject on <p>/* for a read-all role", true, objects(["s3:GetObject", "s3:PutObject"], `${BUCKET}/${P}/*`), [["object-not-confined", "G"]]],
    ["GetObject on <p>/${sub}* (no slash: also <id>x/…)", false, objects("s3:GetObject", `${BUCKET}/${P}/${SUB}*`), [["object-not-confined", "G"]]],
    ["GetObject on the whole bucket", false, objects("s3:GetObject", `${BUCKET}/*`), [["object-not-confined", "G"]]],
    ["GetObject on \"*\"", false, objects("s3:GetObject", "*"), [["object-not-confined", "G"]]],
    ["GetObject on another bucket (left alone)", false, objects("s3:GetObject", "arn:aws:s3:::other-bucket/*"), []],
    // Listing
    ["the article's list: StringLike s3:prefix [\"cognito-test\"]", false, listing(["cognito-test"]), [["list-not-confined", "G"]]],
    ["list on <p>/${sub} (no trailing slash)", false, listing([`${P}/${SUB}`]), [["list-not-confined", "G"]]],
    ["list on <p>/${sub}* (no trailing slash)", false, listing([`${P}/${SUB}`, `${P}/${SUB}*`]), [["list-not-confined", "G"]]],
    ["list without a condition", false, listing(undefined), [["list-not-confined", "G"]]],
    ["list under StringLikeIfExists (absent prefix passes)", false, listing([`${P}/${SUB}/`], "s3:ListBucket", "StringLikeIfExists"), [["list-not-confined", "G"]]],
    ["ListBucketVersions without a condition", false, listing(undefined, "s3:ListBucketVersions"), [["list-not-confined", "G"]]],
    ["list on <p>/ for a role not meant to read all", false, listing([`${P}/`, `${P}/*`]), [["list-not-confined", "G"]]],
    ["list on <p>/ for a read-all role", true, listing([`${P}/`, `${P}/*`]), []],
    ["list inside the own folder (StringLike)", false, listing([`${P}/${SUB}/`, `${P}/${SUB}/*`]), []],
    ["list of exactly the own folder (StringEquals)", false, listing([`${P}/${SUB}/`], "s3:ListBucket", "StringEquals"), []],
    // s3:prefix is single-valued: ForAnyValue: over an absent key is false, so it confines as StringLike does;
    // ForAllValues: over an absent key is true, so a listing without a prefix passes, unless Null false requires one.
    ["list under ForAnyValue:StringLike inside the own folder", false, listing([`${P}/${SUB}/`, `${P}/${SUB}/*`], "s3:ListBucket", "ForAnyValue:StringLike"), []],
    ["list under ForAllValues:StringLike (absent prefix passes)", false, listing([`${P}/${SUB}/`, `${P}/${SUB}/*`], "s3:ListBucket", "ForAllValues:StringLike"), [["list-not-confined", "G"]]],
    ["list under ForAllValues:StringLike with Null s3:prefix false", false, grant({ Action: "s3:ListBucket", Resource: BUCKET, Condition: { "ForAllValues:StringLike": { "s3:prefix": [`${P}/${SUB}/*`] }, Null: { "s3:prefix": "false" } } }), []],
    ["list under StringLikeIfExists with Null s3:prefix false", false, grant({ Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLikeIfExists: { "s3:prefix": [`${P}/${SUB}/*`] }, Null: { "s3:prefix": "false" } } }), []],
    ["list inside the own folder beside an IfExists condition on another key", false, grant({ Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": [`${P}/${SUB}/*`] }, StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } } }), []],
    ["list only under a negated operator", false, listing([`${P}/${SUB}/*`], "s3:ListBucket", "StringNotLike"), [["list-not-confined", "G"]]],
    // The default of ${sub, 'default'} never applies to a Cognito session, which always has an identity id.
    ["list inside the own folder written ${sub, 'default'}", false, listing([`${P}/\${cognito-identity.amazonaws.com:sub, 'nobody'}/*`]), []],
    ["objects in the own folder written ${sub, 'default'}", false, objects("s3:GetObject", `${BUCKET}/${P}/\${cognito-identity.amazonaws.com:sub,'none'}/*`), []],
    // ListBucketMultipartUploads has no s3:prefix key: a statement needing one never allows it, one without lists every upload.
    ["ListBucketMultipartUploads beside ListBucket under StringLike inside the folder", false, listing([`${P}/${SUB}/`, `${P}/${SUB}/*`], ["s3:ListBucket", "s3:ListBucketMultipartUploads"]), []],
    ["ListBucketMultipartUploads without a condition", false, listing(undefined, "s3:ListBucketMultipartUploads"), [["list-not-confined", "G"]]],
    ["ListBucketMultipartUploads under StringLikeIfExists", false, listing([`${P}/${SUB}/*`], "s3:ListBucketMultipartUploads", "StringLikeIfExists"), [["list-not-confined", "G"]]],
  ])("%s (readAllFolders %s)", (_label, readAllFolders, statement, expected) => {
    expect(inspectGrant(statement, readAllFolders)).toEqual(expected);
  });

  it("says why a listing is not confined: no condition, one that holds without a prefix, values outside, or an action without the key", () => {
    const message = (statement: PolicyStatement) => inspectStorageGrants(doc(statement), { bucketArn: BUCKET, prefix: P }).map((i) => i.message);
    expect(message(listing(undefined))).toEqual([expect.stringContaining("no s3:prefix condition")]);
    expect(message(listing([`${P}/${SUB}/*`], "s3:ListBucket", "StringLikeIfExists"))).toEqual([expect.stringContaining("StringLikeIfExists also holds when the request has no s3:prefix")]);
    expect(message(listing([`${P}/${SUB}/*`], "s3:ListBucket", "ForAllValues:StringLike"))).toEqual([expect.stringContaining("ForAllValues:StringLike also holds when the request has no s3:prefix")]);
    expect(message(listing(["cognito-test"]))).toEqual([expect.stringContaining('allows ["cognito-test"]')]);
    expect(message(listing(undefined, "s3:ListBucketMultipartUploads"))).toEqual([expect.stringMatching(/^s3:ListBucketMultipartUploads has no s3:prefix key/)]);
  });

  // IAM applies a Deny to every Allow of the role: a broad Allow that a Deny confines is confined.
  const broad = objects(["s3:GetObject", "s3:PutObject"], `${BUCKET}/${P}/*`);
  const denyOutside = (over: Partial<PolicyStatement> = {}): PolicyStatement => ({ Sid: "D", Effect: "Deny", Action: "s3:*", NotResource: [`${BUCKET}/${P}/${SUB}/*`, BUCKET], ...over });
  const broadList = listing(undefined);
  const denyOtherPrefixes = (values: string[]): PolicyStatement => ({ Sid: "DL", Effect: "Deny", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringNotLike: { "s3:prefix": values } } });
  it.each<[string, PolicyStatement[], [InspectionRule, string][]]>([
    ["a broad Allow narrowed by Deny s3:* NotResource the own folder", [broad, denyOutside()], []],
    ["the same Allow, the Deny in another of the role's policies", [broad], []],
    ["control: the Deny spares <p>/*", [broad, denyOutside({ NotResource: [`${BUCKET}/${P}/*`] })], [["object-not-confined", "G"]]],
    ["control: the Deny has a condition", [broad, denyOutside({ Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })], [["object-not-confined", "G"]]],
    ["control: the Deny covers GetObject only", [broad, denyOutside({ Action: "s3:GetObject" })], [["object-not-confined", "G"]]],
    ["an unconditioned listing narrowed by Deny StringNotLike s3:prefix the own folder", [broadList, denyOtherPrefixes([`${P}/${SUB}/`, `${P}/${SUB}/*`])], []],
    ["control: the Deny spares <p>/*", [broadList, denyOtherPrefixes([`${P}/*`])], [["list-not-confined", "G"]]],
  ])("%s", (label, statements, expected) => {
    const denies = label.includes("another of the role's policies") ? [denyOutside()] : undefined;
    expect(rules(inspectStorageGrants(doc(...statements), { bucketArn: BUCKET, prefix: P, ...(denies ? { denies } : {}) }))).toEqual(expected);
  });

  it("names the offending statement by index when it has no Sid, and ignores Deny statements", () => {
    const issues = inspectStorageGrants(doc({ Effect: "Deny", Action: "s3:*", Resource: "*" }, { Effect: "Allow", Action: "s3:PutObjectAcl", Resource: `${BUCKET}/${P}/${SUB}/*` }), { bucketArn: BUCKET, prefix: P });
    expect(rules(issues)).toEqual([["acl-action", "#1"]]);
  });


  it.each<[string, PolicyStatement, [InspectionRule, string][]]>([
    ["GetObject on arn:aws:s3:::*/*", objects("s3:GetObject", "arn:aws:s3:::*/*"), [["object-not-confined", "G"]]],
    ["GetObject on arn:aws:s3:::files-*/*", objects("s3:GetObject", "arn:aws:s3:::files-*/*"), [["object-not-confined", "G"]]],
    ["ListBucket without condition on arn:aws:s3:::files-*", grant({ Action: "s3:ListBucket", Resource: "arn:aws:s3:::files-*" }), [["list-not-confined", "G"]]],
  ])("reports %s, a bucket wildcard that includes this bucket", (_label, statement, expected) => {
    expect(inspectGrant(statement)).toEqual(expected);
  });
});

// ---- Bucket policy ------------------------------------------------------------------------

const tlsDeny = (over: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [BUCKET, `${BUCKET}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
  ...over,
});

describe("inspectBucketPolicy", () => {
  it("passes a hand-written TLS deny with Principal {AWS: \"*\"}, Action \"*\" among other statements", () => {
    const other: PolicyStatement = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${BUCKET}/*` };
    expect(inspectBucketPolicy(doc(other, tlsDeny({ Principal: { AWS: "*" }, Action: "*" })), BUCKET)).toEqual([]);
  });

  it.each<[string, IamDocument | undefined]>([
    ["no bucket policy", undefined],
    ["a policy without a TLS statement", doc({ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: BUCKET })],
    ["the same statement with Effect Allow", doc(tlsDeny({ Effect: "Allow" }))],
    ["a deny on the objects only", doc(tlsDeny({ Resource: `${BUCKET}/*` }))],
    ["a deny on the bucket only", doc(tlsDeny({ Resource: BUCKET }))],
    ["a deny of GetObject only", doc(tlsDeny({ Action: "s3:GetObject" }))],
    ["a deny for one principal only", doc(tlsDeny({ Principal: { AWS: "arn:aws:iam::123456789012:root" } }))],
    ["a deny when SecureTransport is true", doc(tlsDeny({ Condition: { Bool: { "aws:SecureTransport": "true" } } }))],
    ["a deny of another bucket", doc(tlsDeny({ Resource: ["arn:aws:s3:::other", "arn:aws:s3:::other/*"] }))],
  ])("reports bucket-missing-tls-deny for %s", (_label, policy) => {
    expect(rules(inspectBucketPolicy(policy, BUCKET))).toEqual([["bucket-missing-tls-deny", undefined]]);
  });
});
