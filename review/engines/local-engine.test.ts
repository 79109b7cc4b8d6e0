/**
 * The local engine on a small hand-built target: our group grants and bucket policy, three
 * identities (C's id is A's plus one character). Every denial stands beside its control (the
 * owner, or a permissive policy, allowed), and a verdict carrying problems is never taken as a
 * pass: ignored context keys, conditions that failed only for a missing key and unresolved
 * policy variables must show up as problems, and deliberately absent keys must not.
 */
import { defaultIntent } from "../intent";
import { identityPoolTrustPolicy, identityStorageGrants, storageBucketPolicy, type PolicyStatement } from "../../components/policy-documents";
import type { IamDocument } from "../../iam/document";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";
import type { S3Request, TrustRequest, Verdict } from "./engine";
import { createLocalEngine, sessionArn } from "./local-engine";
import { SharedSimulations } from "./shared-simulations";

const ACCOUNT = "123456789012";
const BUCKET = "arn:aws:s3:::files-bucket";
const POOL = "ap-northeast-1:11111111-2222-4333-8444-555555555555";
const OTHER_POOL = "ap-northeast-1:00000000-0000-4000-8000-000000000000";
const A = "ap-northeast-1:aaaa0001-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "ap-northeast-1:bbbb0002-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const C = `${A}x`;
const SUB = "${cognito-identity.amazonaws.com:sub}";
const AUD = "cognito-identity.amazonaws.com:aud";
const AMR = "cognito-identity.amazonaws.com:amr";
const SIGNED_IN = ["authenticated", "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example"];

const doc = (...Statement: PolicyStatement[]): IamDocument => ({ Version: "2012-10-17", Statement });
const objectArn = (id: string, name = "report.pdf") => `${BUCKET}/private/${id}/${name}`;

const GRANTS: NamedPolicy = { name: "UsersStorageGrants", document: identityStorageGrants({ bucketArn: BUCKET, prefix: "private" }) };
const BUCKET_POLICY: NamedPolicy = { name: "FilesBucketPolicy", document: storageBucketPolicy({ bucketArn: BUCKET }) };
const TRUST: NamedPolicy = { name: "UsersRoleTrust", document: identityPoolTrustPolicy({ identityPoolId: POOL }) };

const role = (identityPolicies: NamedPolicy[] = [GRANTS], group = "users"): RoleUnderReview => ({
  group,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${group}-role`,
  identityPolicies,
  trustPolicy: TRUST,
  readAllFolders: false,
});
const USERS = role();

const target = (over: Partial<ReviewTarget> = {}): ReviewTarget => ({
  label: "hand-built",
  region: "ap-northeast-1",
  accountId: ACCOUNT,
  bucketName: "files-bucket",
  prefix: "private",
  intent: defaultIntent("private"),
  aclsDisabled: false,
  identityPoolId: POOL,
  roles: [USERS],
  bucketPolicy: BUCKET_POLICY,
  ...over,
});
const TARGET = target();

const req = (
  identityId: string,
  action: string,
  resourceArn: string,
  extra: { context?: Record<string, string | string[]>; absent?: string[]; role?: RoleUnderReview } = {},
): S3Request => ({
  role: extra.role ?? USERS,
  identityId,
  action,
  resourceArn,
  context: { "aws:SecureTransport": "true", ...extra.context },
  deliberatelyAbsent: extra.absent ?? [],
});
/** A ListBucket request with this s3:prefix (and no delimiter, on purpose). */
const list = (identityId: string, prefix: string) => req(identityId, "s3:ListBucket", BUCKET, { context: { "s3:prefix": prefix }, absent: ["s3:delimiter"] });

const engine = createLocalEngine();
const one = async (r: S3Request, t: ReviewTarget = TARGET): Promise<Verdict> => (await engine.evaluateS3(t, [r]))[0]!;

/** A clean verdict: this decision and no problems. */
const clean = (decision: Verdict["decision"]) => expect.objectContaining({ decision, problems: [] });

describe("local engine: sessionArn", () => {
  it("is the STS assumed-role ARN of the role's name (no path) and Cognito's session name", () => {
    expect(sessionArn(USERS, ACCOUNT)).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/users-role/CognitoIdentityCredentials`);
    expect(sessionArn({ ...USERS, roleArn: `arn:aws:iam::${ACCOUNT}:role/service/team/files-role` }, ACCOUNT)).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/files-role/CognitoIdentityCredentials`,
    );
  });
});

describe("local engine: objects", () => {
  it("allows the owner's GetObject and names the policy and Sid that allowed it", async () => {
    const v = await one(req(A, "s3:GetObject", objectArn(A)));
    expect(v).toEqual({ decision: "Allowed", decidedBy: [{ policy: "UsersStorageGrants", statement: "OwnFolderObjects", effect: "Allow" }], problems: [] });
  });

  it("denies A's GetObject on B's object (control: B on its own object is allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [req(A, "s3:GetObject", objectArn(B)), req(B, "s3:GetObject", objectArn(B))]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
    expect(denied!.decidedBy).toEqual([]);
  });

  it("denies A's PutObject on C's object, whose folder starts with A's id (control: C on its own is allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [req(A, "s3:PutObject", objectArn(C)), req(C, "s3:PutObject", objectArn(C))]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("denies an ACL action on the owner's own object (control: GetObject on the same object is allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [req(A, "s3:PutObjectAcl", objectArn(A)), req(A, "s3:GetObject", objectArn(A))]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("reports progress once per request", async () => {
    const seen: [number, number][] = [];
    await engine.evaluateS3(TARGET, [req(A, "s3:GetObject", objectArn(A)), req(B, "s3:GetObject", objectArn(B))], (done, total) => seen.push([done, total]));
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});

describe("local engine: listing", () => {
  it("allows A to list its own folder and a subfolder of it", async () => {
    const [own, sub] = await engine.evaluateS3(TARGET, [list(A, `private/${A}/`), list(A, `private/${A}/docs/`)]);
    expect(own).toEqual({ decision: "Allowed", decidedBy: [{ policy: "UsersStorageGrants", statement: "OwnFolderList", effect: "Allow" }], problems: [] });
    expect(sub).toEqual(clean("Allowed"));
  });

  it("denies A listing C's folder (control: C listing it is allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [list(A, `private/${C}/`), list(C, `private/${C}/`)]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("denies A listing its folder name without the slash, which would also list C's folder (control: with the slash, allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [list(A, `private/${A}`), list(A, `private/${A}/`)]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("with s3:prefix deliberately absent: denied without a problem (control: the same request under a permissive list grant is allowed)", async () => {
    const absent = req(A, "s3:ListBucket", BUCKET, { absent: ["s3:prefix", "s3:delimiter"] });
    const permissive = role([{ name: "ListAll", document: doc({ Sid: "ListAll", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET }) }], "list-all");
    const [denied, control] = [await one(absent), await one({ ...absent, role: permissive }, target({ roles: [permissive] }))];
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });
});

describe("local engine: TLS", () => {
  it("explicitly denies the owner's GetObject over http, naming the bucket policy's DenyInsecureTransport (control: over https, allowed)", async () => {
    const [denied, control] = await engine.evaluateS3(TARGET, [req(A, "s3:GetObject", objectArn(A), { context: { "aws:SecureTransport": "false" } }), req(A, "s3:GetObject", objectArn(A))]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual({ decision: "ExplicitlyDenied", decidedBy: [{ policy: "FilesBucketPolicy", statement: "DenyInsecureTransport", effect: "Deny" }], problems: [] });
  });

  it("explicitly denies the owner's own-folder listing over http (control: over https, allowed)", async () => {
    const mk = (tls: string) => req(A, "s3:ListBucket", BUCKET, { context: { "aws:SecureTransport": tls, "s3:prefix": `private/${A}/` }, absent: ["s3:delimiter"] });
    const [denied, control] = await engine.evaluateS3(TARGET, [mk("false"), mk("true")]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(expect.objectContaining({ decision: "ExplicitlyDenied", problems: [] }));
  });
});

describe("local engine: problems make a verdict untrustworthy", () => {
  it("reports a context key the evaluator ignores (a made-up foo:bar), even on an otherwise allowed request", async () => {
    const [withKey, control] = await engine.evaluateS3(TARGET, [req(A, "s3:GetObject", objectArn(A), { context: { "foo:bar": "x" } }), req(A, "s3:GetObject", objectArn(A))]);
    expect(control).toEqual(clean("Allowed"));
    expect(withKey!.problems).toEqual([expect.stringMatching(/ignored context key foo:bar/)]);
  });

  describe("a condition on a key the request does not carry", () => {
    const vpcOnly = role([{ name: "VpcOnly", document: doc({ Sid: "VpcOnly", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/${SUB}/*`, Condition: { StringEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } }) }], "vpc");
    const t = target({ roles: [vpcOnly] });
    const get = (extra: { context?: Record<string, string>; absent?: string[] } = {}) => one(req(A, "s3:GetObject", objectArn(A), { ...extra, role: vpcOnly }), t);

    it("is a problem when the key is not deliberately absent (control: with the key, allowed and clean)", async () => {
      expect(await get({ context: { "aws:SourceVpce": "vpce-0123456789abcdef0" } })).toEqual(clean("Allowed"));
      const v = await get();
      expect(v.decision).toBe("ImplicitlyDenied");
      expect(v.problems).toEqual([expect.stringMatching(/aws:SourceVpce had no value/i)]);
    });

    it("is no problem when the key is listed in deliberatelyAbsent, in any case", async () => {
      expect(await get({ absent: ["aws:SourceVpce"] })).toEqual(clean("ImplicitlyDenied"));
      expect(await get({ absent: ["AWS:SOURCEVPCE"] })).toEqual(clean("ImplicitlyDenied"));
    });
  });

  it("our list grant with no s3:prefix and nothing deliberately absent: a problem, not a clean denial", async () => {
    const v = await one(req(A, "s3:ListBucket", BUCKET));
    expect(v.decision).not.toBe("Allowed");
    expect(v.problems).toEqual([expect.stringMatching(/s3:prefix had no value/)]);
  });

  it("reports an identity policy using ${aws:username}, naming the policy and the variable", async () => {
    const home = role([{ name: "HomeByUsername", document: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/home/\${aws:username}/*` }) }], "home");
    const v = await one(req(A, "s3:GetObject", `${BUCKET}/home/alice/f`, { role: home }), target({ roles: [home] }));
    expect(v.problems).toEqual(expect.arrayContaining([expect.stringMatching(/HomeByUsername.*\$\{aws:username\}/)]));
  });

  it("reports a bucket policy using ${aws:username}, naming the bucket policy", async () => {
    const bucketPolicy: NamedPolicy = {
      name: "BucketWithUsername",
      document: doc(...BUCKET_POLICY.document.Statement, { Sid: "DenyOthers", Effect: "Deny", Principal: "*", Action: "s3:*", NotResource: `${BUCKET}/home/\${aws:username}/*` }),
    };
    const v = await one(req(A, "s3:GetObject", objectArn(A)), target({ bucketPolicy }));
    expect(v.problems).toEqual(expect.arrayContaining([expect.stringMatching(/BucketWithUsername.*\$\{aws:username\}/)]));
  });

  it("resolves the identity variable per caller: the same policy object allows A then B on their own objects", async () => {
    // The engine caches substitutions per (policy, identity): a cache keyed on the policy alone would deny B here.
    const fresh = createLocalEngine();
    const [a, b, aOnB] = await fresh.evaluateS3(TARGET, [req(A, "s3:GetObject", objectArn(A)), req(B, "s3:GetObject", objectArn(B)), req(A, "s3:GetObject", objectArn(B))]);
    expect(a).toEqual(clean("Allowed"));
    expect(b).toEqual(clean("Allowed"));
    expect(aOnB).toEqual(clean("ImplicitlyDenied"));
  });

  describe("one engine reused across targets (as the PolicyEngine interface allows)", () => {
    const plain: NamedPolicy = { name: "UsersStorageGrants", document: identityStorageGrants({ bucketArn: BUCKET, prefix: "private" }) };
    const readAll: NamedPolicy = { name: "UsersStorageGrants", document: identityStorageGrants({ bucketArn: BUCKET, prefix: "private", readAllFolders: true }) };
    const plainRole = role([plain]);
    const readAllRole = { ...role([readAll]), readAllFolders: true };
    const readB = (r: RoleUnderReview) => req(A, "s3:GetObject", objectArn(B), { role: r });

    it("control: fresh engines deny A reading B's object without read-all, and allow it with read-all", async () => {
      expect((await createLocalEngine().evaluateS3(target({ roles: [plainRole] }), [readB(plainRole)]))[0]).toEqual(clean("ImplicitlyDenied"));
      expect((await createLocalEngine().evaluateS3(target({ roles: [readAllRole] }), [readB(readAllRole)]))[0]).toEqual(clean("Allowed"));
    });


    it("evaluates the second target's policy, not a cached document of the same name", async () => {
      const reused = createLocalEngine();
      expect((await reused.evaluateS3(target({ roles: [plainRole] }), [readB(plainRole)]))[0]).toEqual(clean("ImplicitlyDenied"));
      expect((await reused.evaluateS3(target({ roles: [readAllRole] }), [readB(readAllRole)]))[0]).toEqual(clean("Allowed"));
    });
  });

  it("engines sharing a store simulate the same documents once, under any names, and never across accounts", async () => {
    const store = new SharedSimulations();
    const own = (r: RoleUnderReview) => req(A, "s3:GetObject", objectArn(A), { role: r });
    const first = createLocalEngine({ simulations: store });
    const [v1] = await first.evaluateS3(TARGET, [own(USERS)]);
    expect(v1!.decidedBy.map((d) => d.policy)).toEqual(["UsersStorageGrants"]);
    expect(store.runs).toBe(1);
    // The same documents under other names (as a template and the files taken from it): shared, named back.
    const renamedRole = role([{ name: "GrantsFromTheTemplate", document: GRANTS.document }]);
    const second = createLocalEngine({ simulations: store });
    const [v2] = await second.evaluateS3(target({ roles: [renamedRole], bucketPolicy: { name: "BucketPolicyFromTheTemplate", document: BUCKET_POLICY.document } }), [own(renamedRole)]);
    expect(v2).toEqual({ ...v1, decidedBy: v1!.decidedBy.map((d) => ({ ...d, policy: "GrantsFromTheTemplate" })) });
    expect(store.runs).toBe(1);
    // Each review still counts the simulations it needs (its report's figure), shared or not.
    expect([first.stats!.simulations, second.stats!.simulations]).toEqual([1, 1]);
    // Another account: simulated again — also for a principal whose ARN does not name the bucket's account.
    await createLocalEngine({ simulations: store }).evaluateS3(target({ accountId: "210987654321" }), [own(USERS)]);
    expect(store.runs).toBe(2);
    const anonymous = { ...own(USERS), foreign: { label: "anonymous", principal: { kind: "anonymous" as const } } };
    const fourth = createLocalEngine({ simulations: store });
    await fourth.evaluateS3(TARGET, [anonymous]);
    await fourth.evaluateS3(target({ accountId: "210987654321" }), [anonymous]);
    expect(store.runs).toBe(4);
    // Control: a store of its own simulates again.
    const fresh = new SharedSimulations();
    await createLocalEngine({ simulations: fresh }).evaluateS3(TARGET, [own(USERS)]);
    expect(fresh.runs).toBe(1);
  });

  it("names a statement without Sid by the same label the inspection uses (#<0-based index>)", async () => {
    const unnamed = role([{ name: "Unnamed", document: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/${SUB}/*` }) }], "unnamed");
    const v = await one(req(A, "s3:GetObject", objectArn(A), { role: unnamed }), target({ roles: [unnamed] }));
    expect(v.decision).toBe("Allowed");
    expect(v.decidedBy).toEqual([{ policy: "Unnamed", statement: "#0", effect: "Allow" }]);
  });
});

describe("local engine: trust", () => {
  const trustReq = (context: Record<string, string | string[]>, absent: string[] = [], trustPolicy = TRUST): TrustRequest => ({ role: USERS, trustPolicy, context, deliberatelyAbsent: absent });
  const evaluateTrust = (requests: TrustRequest[]) => engine.evaluateTrust!(TARGET, requests);

  it("allows this pool's authenticated identities, naming the trust statement", async () => {
    const [v] = await evaluateTrust([trustReq({ [AUD]: POOL, [AMR]: SIGNED_IN })]);
    expect(v).toEqual({ decision: "Allowed", decidedBy: [{ policy: "UsersRoleTrust", statement: "AssumeFromThisIdentityPoolAuthenticatedOnly", effect: "Allow" }], problems: [] });
  });

  it("denies another pool (control: the same request under a trust without aud is allowed)", async () => {
    const noAud: NamedPolicy = {
      name: "ArticleTrust",
      document: doc({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { "ForAnyValue:StringLike": { [AMR]: "authenticated" } } }),
    };
    const [denied, control] = await evaluateTrust([trustReq({ [AUD]: OTHER_POOL, [AMR]: SIGNED_IN }), trustReq({ [AUD]: OTHER_POOL, [AMR]: SIGNED_IN }, [], noAud)]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("denies unauthenticated identities of this pool (control: authenticated, allowed)", async () => {
    const [denied, control] = await evaluateTrust([trustReq({ [AUD]: POOL, [AMR]: ["unauthenticated"] }), trustReq({ [AUD]: POOL, [AMR]: SIGNED_IN })]);
    expect(control).toEqual(clean("Allowed"));
    expect(denied).toEqual(clean("ImplicitlyDenied"));
  });

  it("denies a token without amr: cleanly when amr is deliberately absent, with a problem when it is not", async () => {
    const [deliberate, accidental, control] = await evaluateTrust([trustReq({ [AUD]: POOL }, [AMR]), trustReq({ [AUD]: POOL }), trustReq({ [AUD]: POOL, [AMR]: SIGNED_IN })]);
    expect(control).toEqual(clean("Allowed"));
    expect(deliberate).toEqual(clean("ImplicitlyDenied"));
    expect(accidental!.decision).toBe("ImplicitlyDenied");
    expect(accidental!.problems).toEqual([expect.stringMatching(/cognito-identity\.amazonaws\.com:amr had no value/)]);
  });
});

describe("local engine: reachability", () => {
  it("allows a well-formed request under the permissive control policy, even one our grants deny", async () => {
    const request = req(A, "s3:GetObject", objectArn(B));
    expect(await one(request)).toEqual(clean("ImplicitlyDenied"));
    const [v] = await engine.evaluateReachability(TARGET, [request]);
    expect(v).toEqual(expect.objectContaining({ decision: "Allowed", problems: [] }));
    expect(v!.decidedBy).toEqual([expect.objectContaining({ policy: "reachability-control", effect: "Allow" })]);
  });

  it("allows a well-formed list request with its s3:prefix", async () => {
    const [v] = await engine.evaluateReachability(TARGET, [list(A, `private/${C}/`)]);
    expect(v).toEqual(expect.objectContaining({ decision: "Allowed", problems: [] }));
  });

  it("refuses an object action on the bucket ARN: not allowed, with the evaluator's refusal as a problem (control: on an object ARN, allowed)", async () => {
    const [malformed, control] = await engine.evaluateReachability(TARGET, [req(A, "s3:GetObject", BUCKET), req(A, "s3:GetObject", objectArn(A))]);
    expect(control).toEqual(expect.objectContaining({ decision: "Allowed", problems: [] }));
    expect(malformed!.decision).toBe("ImplicitlyDenied");
    expect(malformed!.problems).toEqual([expect.stringMatching(/evaluator refused the request/)]);
  });

  it("refuses a bucket action on an object ARN and an unknown action, each with a problem", async () => {
    const [listOnObject, unknown] = await engine.evaluateReachability(TARGET, [req(A, "s3:ListBucket", objectArn(A)), req(A, "s3:NoSuchAction", objectArn(A))]);
    for (const v of [listOnObject!, unknown!]) {
      expect(v.decision).not.toBe("Allowed");
      expect(v.problems).toEqual([expect.stringMatching(/evaluator refused the request/)]);
    }
  });

  it("evaluateS3 reports the same malformed request as a problem, never as a clean denial", async () => {
    const v = await one(req(A, "s3:GetObject", BUCKET));
    expect(v.decision).not.toBe("Allowed");
    expect(v.problems.length).toBeGreaterThan(0);
  });
});
