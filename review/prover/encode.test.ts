/**
 * The IAM encoder on small hand-written policies: ARN splitting, action matching (wildcards, case,
 * NotAction), and the allow decision for an identity policy plus a bucket policy, checked by
 * pinning the identity, key and TLS flag and asking the solver whether the request can be allowed
 * (expected answers come from IAM's rule: some Allow applies and no Deny does). Constructs the
 * encoder does not model must be refused by name, with the `policy › statement` they came from.
 */
import { defaultIntent } from "../intent";
import type { Bool } from "z3-solver";
import type { PolicyStatement } from "../../components/policy-documents";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";
import type { DocumentUse } from "../../iam/document";
import { encodeDecision, splitArn, statementCoversAction } from "./encode";
import { identity, s3Request, type Universe } from "./requests";
import { solve, z3, type Z3 } from "./solver";
import { free } from "./sym-string";
import { UnsupportedConstruct } from "./unsupported";

const SUB = "${cognito-identity.amazonaws.com:sub}";

describe("splitArn", () => {
  it("splits on colons but keeps a `${…}` variable (which has one) whole", () => {
    expect(splitArn(`arn:aws:s3:::files-bucket/cognito-test/${SUB}/*`)).toEqual(["arn", "aws", "s3", "", "", `files-bucket/cognito-test/${SUB}/*`]);
    expect(splitArn("arn:aws:iam::123456789012:role/app")).toEqual(["arn", "aws", "iam", "", "123456789012", "role/app"]);
  });

  it("splits again after the variable closes, and only `${` opens one", () => {
    expect(splitArn("arn:aws:s3:::b/${aws:x}:y")).toEqual(["arn", "aws", "s3", "", "", "b/${aws:x}", "y"]);
    expect(splitArn("a:{b:c}")).toEqual(["a", "{b", "c}"]);
    expect(splitArn("*")).toEqual(["*"]);
  });
});

describe("statementCoversAction", () => {
  const allow = (a: Partial<PolicyStatement>): PolicyStatement => ({ Effect: "Allow", ...a });

  it("matches Action with `*` and `?`, anchored at both ends", () => {
    expect(statementCoversAction(allow({ Action: "s3:Get*" }), "s3:GetObject")).toBe(true);
    expect(statementCoversAction(allow({ Action: "s3:Get*" }), "s3:PutObject")).toBe(false);
    expect(statementCoversAction(allow({ Action: ["s3:Put*", "s3:?etObject"] }), "s3:GetObject")).toBe(true);
    expect(statementCoversAction(allow({ Action: "*" }), "sts:AssumeRoleWithWebIdentity")).toBe(true);
    expect(statementCoversAction(allow({ Action: "s3:GetObject" }), "s3:GetObjectAcl")).toBe(false);
    expect(statementCoversAction(allow({ Action: "s3:GetObjec." }), "s3:GetObject")).toBe(false);
  });

  it("ignores case in actions", () => {
    expect(statementCoversAction(allow({ Action: "S3:GETOBJECT" }), "s3:GetObject")).toBe(true);
    expect(statementCoversAction(allow({ Action: "s3:get*" }), "S3:GetObject")).toBe(true);
  });

  it("covers with NotAction exactly the actions it does not list", () => {
    expect(statementCoversAction(allow({ NotAction: "s3:Delete*" }), "s3:GetObject")).toBe(true);
    expect(statementCoversAction(allow({ NotAction: "s3:Delete*" }), "s3:DeleteObject")).toBe(false);
    expect(statementCoversAction(allow({ NotAction: "s3:Delete*" }), "S3:deleteobject")).toBe(false);
    expect(statementCoversAction(allow({ NotAction: ["s3:Get*", "s3:Put*"] }), "s3:ListBucket")).toBe(true);
  });
});

// ---- Decisions ----------------------------------------------------------------------------

const ID_A = "eu-west-1:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const ID_B = "eu-west-1:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const BUCKET = "arn:aws:s3:::files-bucket";
const ROLE_ARN = "arn:aws:iam::123456789012:role/users-role";

const named = (name: string, ...Statement: PolicyStatement[]): NamedPolicy => ({ name, document: { Version: "2012-10-17", Statement } });
const userPolicy = named("UserPolicy", { Sid: "OwnFolder", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${BUCKET}/cognito-test/${SUB}/*` });
const bucketPolicy = named(
  "BucketPolicy",
  { Sid: "DenyInsecure", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
  { Sid: "DenyPrivate", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: `${BUCKET}/cognito-test/*/private/*` },
);

let z: Z3;
beforeAll(async () => {
  z = (await z3()).z3;
});

/** An object request by identity `a` on key `k` with TLS flag `tls`, and the decision over `policies`. */
function objectRequest(action: string, policies: { policy: NamedPolicy; kind: DocumentUse }[]) {
  const target: ReviewTarget = { label: "test", region: "eu-west-1", accountId: "123456789012", bucketName: "files-bucket", prefix: "cognito-test", intent: defaultIntent("cognito-test"), aclsDisabled: false, identityPoolId: "eu-west-1:00000000-0000-4000-8000-000000000000", roles: [] };
  const role: RoleUnderReview = { group: "users", roleArn: ROLE_ARN, identityPolicies: [userPolicy], readAllFolders: false };
  const u: Universe = { z, target, idLength: 46, setSize: () => 0, realisticIds: { a: ID_A, b: ID_B, d: ID_B }, otherPoolId: "eu-west-1:11111111-1111-4111-8111-111111111111", delimiterMatters: false, pinned: false };
  const caller = identity(u, "a");
  const key = z.String.const("k");
  const tls = z.Bool.const("tls");
  const req = s3Request(u, { action: { name: action, conditionKeys: [] }, caller: { kind: "identity", role, who: caller.identity }, resource: { kind: "object", key: free(key) }, mode: "owner", tls, ns: "r" });
  const decision = encodeDecision(req, policies);
  /** Can the request be allowed with this id, key and TLS? */
  const allowed = async (id: string, k: string, secure: boolean, negate = false) => {
    const pins: Bool<"main">[] = [...caller.constraints, caller.identity.id.eq(z.String.val(id)), key.eq(z.String.val(k)), secure ? tls : z.Not(tls)];
    return (await solve(z, [...pins, negate ? z.Not(decision.allowed) : decision.allowed], 1_000_000)).status;
  };
  return { decision, allowed };
}

describe("encodeDecision", () => {
  const both = [
    { policy: userPolicy, kind: "identity" as const },
    { policy: bucketPolicy, kind: "resource" as const },
  ];

  it("allows the owner's object over TLS, and not another identity's", async () => {
    const { allowed } = objectRequest("s3:GetObject", both);
    expect(await allowed(ID_A, `cognito-test/${ID_A}/photo.jpg`, true)).toBe("sat");
    expect(await allowed(ID_A, `cognito-test/${ID_A}/photo.jpg`, true, true)).toBe("unsat");
    expect(await allowed(ID_A, `cognito-test/${ID_B}/photo.jpg`, true)).toBe("unsat");
  });

  it("lets a bucket-policy Deny win over the identity policy's Allow", async () => {
    const { allowed } = objectRequest("s3:GetObject", both);
    expect(await allowed(ID_A, `cognito-test/${ID_A}/photo.jpg`, false)).toBe("unsat");
    expect(await allowed(ID_A, `cognito-test/${ID_A}/private/x.jpg`, true)).toBe("unsat");
    // The Deny on private/ names GetObject only.
    expect(await objectRequest("s3:PutObject", both).allowed(ID_A, `cognito-test/${ID_A}/private/x.jpg`, true)).toBe("sat");
    // Without the bucket policy, the same requests are allowed.
    const alone = objectRequest("s3:GetObject", [both[0]!]);
    expect(await alone.allowed(ID_A, `cognito-test/${ID_A}/photo.jpg`, false)).toBe("sat");
    expect(await alone.allowed(ID_A, `cognito-test/${ID_A}/private/x.jpg`, true)).toBe("sat");
  });

  it("reads an identity-policy Deny with NotResource as a Deny everywhere else", async () => {
    const fenced = named("Fenced", { Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*` }, { Effect: "Deny", Action: "s3:*", NotResource: `${BUCKET}/cognito-test/${SUB}/*` });
    const { allowed } = objectRequest("s3:GetObject", [{ policy: fenced, kind: "identity" }]);
    expect(await allowed(ID_A, `cognito-test/${ID_A}/photo.jpg`, true)).toBe("sat");
    expect(await allowed(ID_A, `cognito-test/${ID_B}/photo.jpg`, true)).toBe("unsat");
    expect(await allowed(ID_A, "public/readme.txt", true)).toBe("unsat");
  });

  it("lists the statements that could apply, and says when no Allow could", () => {
    const get = objectRequest("s3:GetObject", both).decision;
    expect(get.noAllow).toBe(false);
    expect(get.statements.map((s) => `${s.policy} › ${s.statement} ${s.effect}`)).toEqual(["UserPolicy › OwnFolder Allow", "BucketPolicy › DenyInsecure Deny", "BucketPolicy › DenyPrivate Deny"]);
    const del = objectRequest("s3:DeleteObject", both).decision;
    expect(del.noAllow).toBe(true);
    expect(del.statements.map((s) => s.statement)).toEqual(["DenyInsecure"]);
  });
});

describe("encodeDecision refuses what it does not model, naming construct and statement", () => {
  const refusal = (policy: NamedPolicy, kind: DocumentUse) => {
    try {
      objectRequest("s3:GetObject", [{ policy: userPolicy, kind: "identity" }, { policy, kind }]);
    } catch (e) {
      if (e instanceof UnsupportedConstruct) return e;
      throw e;
    }
    throw new Error("no UnsupportedConstruct thrown");
  };

  it("an unsupported operator (NumericLessThan), labelled by index when there is no Sid", () => {
    const e = refusal(named("Extra", { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET }, { Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*`, Condition: { NumericLessThan: { "s3:max-keys": "10" } } }), "identity");
    expect(e.message).toBe("condition operator NumericLessThan in Extra › #1");
  });

  it("StringEqualsIgnoreCase", () => {
    const e = refusal(named("Extra", { Sid: "Ci", Effect: "Deny", Action: "s3:GetObject", Resource: `${BUCKET}/*`, Condition: { StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "x" } } }), "identity");
    expect(e.construct).toBe("condition operator StringEqualsIgnoreCase");
    expect(e.where).toBe("Extra › Ci");
  });

  it("a Deny with NotPrincipal naming the role leaves the role alone; an Allow for the role ARN grants by itself (same account)", async () => {
    const notMe = named("BucketPolicy", { Sid: "NP", Effect: "Deny", NotPrincipal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: `${BUCKET}/*` });
    const own = `cognito-test/${ID_A}/photo.jpg`;
    expect(await objectRequest("s3:GetObject", [{ policy: userPolicy, kind: "identity" }, { policy: notMe, kind: "resource" }]).allowed(ID_A, own, true)).toBe("sat");
    const allowRole = named("BucketPolicy", { Sid: "AllowRole", Effect: "Allow", Principal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: `${BUCKET}/*` });
    // No identity policy at all: the bucket policy's grant to the role is enough, for any key.
    expect(await objectRequest("s3:GetObject", [{ policy: allowRole, kind: "resource" }]).allowed(ID_A, `cognito-test/${ID_B}/photo.jpg`, true)).toBe("sat");
    const deny = named("BucketPolicy", { Sid: "DenyRole", Effect: "Deny", Principal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: `${BUCKET}/*` });
    const { allowed } = objectRequest("s3:GetObject", [{ policy: userPolicy, kind: "identity" }, { policy: deny, kind: "resource" }]);
    expect(await allowed(ID_A, own, true)).toBe("unsat");
  });
});
