/**
 * parseIamDocument: accepts the shapes IAM accepts for identity, resource (bucket) and trust
 * policies, normalizes them, and refuses everything else with a one-line PolicyInputError that
 * names the source and, for a statement, its index.
 */
import { listOf, parseIamDocument, PolicyInputError, statementLabel, type DocumentUse } from "./document";

const BUCKET = "arn:aws:s3:::files-bucket";
const POOL = "ap-northeast-1:11111111-2222-4333-8444-555555555555";
const SOURCE = "policies/input.json";

const GOOD_IDENTITY = { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/*` };
const GOOD_RESOURCE = { Sid: "Tls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };
const GOOD_TRUST = { Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" };
const GOOD: Record<DocumentUse, Record<string, unknown>> = { identity: GOOD_IDENTITY, resource: GOOD_RESOURCE, trust: GOOD_TRUST };

/** Runs the parser and returns the PolicyInputError it must throw. */
function refusal(input: unknown, use: DocumentUse): PolicyInputError {
  try {
    parseIamDocument(input, use, SOURCE);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyInputError);
    return e as PolicyInputError;
  }
  throw new Error("expected a PolicyInputError, but the document was accepted");
}

describe("parseIamDocument accepts", () => {
  it("an identity policy whose Statement is a single object, as a one-element list", () => {
    const text = JSON.stringify({ Version: "2012-10-17", Statement: GOOD_IDENTITY });
    expect(parseIamDocument(text, "identity", SOURCE)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/*` }],
    });
  });

  it("an identity policy with a list of statements, Action/Resource as lists, NotAction and NotResource", () => {
    const input = {
      Version: "2012-10-17",
      Id: "MyPolicy",
      Statement: [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${BUCKET}/a/*`, `${BUCKET}/b/*`] },
        { Effect: "Deny", NotAction: "s3:GetObject", NotResource: `${BUCKET}/a/*` },
      ],
    };
    expect(parseIamDocument(input, "identity", SOURCE)).toEqual(input);
  });

  it("a bucket (resource) policy, turning a JSON boolean condition value into the string IAM compares", () => {
    const text = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "Tls", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": false } } }],
    });
    expect(parseIamDocument(text, "resource", SOURCE)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "Tls", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    });
  });

  it("numbers and booleans in condition values, single or in lists, as strings", () => {
    const doc = parseIamDocument(
      {
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { NumericLessThanEquals: { "s3:max-keys": 10 }, Bool: { "aws:MultiFactorAuthPresent": [true, false] }, NumericEquals: { "s3:signatureAge": [1.5, 0] } },
        },
      },
      "identity",
      SOURCE,
    );
    expect(doc.Statement[0]!.Condition).toEqual({
      NumericLessThanEquals: { "s3:max-keys": "10" },
      Bool: { "aws:MultiFactorAuthPresent": ["true", "false"] },
      NumericEquals: { "s3:signatureAge": ["1.5", "0"] },
    });
  });

  it("a trust policy, which has a Principal and no Resource", () => {
    const input = {
      Version: "2012-10-17",
      Statement: [{ ...GOOD_TRUST, Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": POOL }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" } } }],
    };
    expect(parseIamDocument(JSON.stringify(input), "trust", SOURCE)).toEqual(input);
  });

  it("Principal \"*\" and NotPrincipal in a resource policy", () => {
    const input = { Statement: [{ Effect: "Deny", NotPrincipal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: "s3:*", Resource: `${BUCKET}/*` }, { ...GOOD_RESOURCE }] };
    expect(parseIamDocument(input, "resource", SOURCE)).toEqual(input);
  });

  it("keeps Version as written (2008-10-17) and leaves it absent when absent", () => {
    expect(parseIamDocument({ Version: "2008-10-17", Statement: [GOOD_IDENTITY] }, "identity", SOURCE).Version).toBe("2008-10-17");
    expect("Version" in parseIamDocument({ Statement: [GOOD_IDENTITY] }, "identity", SOURCE)).toBe(false);
  });
});

describe("parseIamDocument refuses, with a one-line PolicyInputError naming the source", () => {
  const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

  it.each<[string, unknown, DocumentUse, RegExp]>([
    ["invalid JSON", '{"Version": "2012-10-17", "Statement": [', "identity", /not valid JSON/],
    ["empty text", "", "identity", /not valid JSON/],
    ["a JSON array", "[]", "identity", /not an IAM policy document/],
    ["a JSON string", '"s3:GetObject"', "identity", /not an IAM policy document/],
    ["null", null, "identity", /not an IAM policy document/],
    ["an object without Statement", { Version: "2012-10-17" }, "identity", /not an IAM policy document/],
    ["an empty Statement list", doc(), "identity", /Statement is empty/],
    ["an unknown top-level element", { Version: "2012-10-17", Statement: [GOOD_IDENTITY], Statements: [] }, "identity", /unknown top-level element.*Statements/],
    ["Version 2012-10-18", { Version: "2012-10-18", Statement: [GOOD_IDENTITY] }, "identity", /Version/],
    ["Version as a number", { Version: 2012, Statement: [GOOD_IDENTITY] }, "identity", /Version/],
  ])("%s", (_label, input, use, message) => {
    const e = refusal(input, use);
    expect(e.name).toBe("PolicyInputError");
    expect(e.message.startsWith(`${SOURCE}: `)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain("\n");
  });

  // Each bad statement sits at index 1, after a good one: the message must name Statement[1].
  it.each<[string, Record<string, unknown>, DocumentUse, RegExp]>([
    ["a statement that is not an object", "s3:GetObject" as unknown as Record<string, unknown>, "identity", /is not an object/],
    ["Effect \"allow\" (IAM's values are case-sensitive)", { ...GOOD_IDENTITY, Effect: "allow" }, "identity", /Effect/],
    ["no Effect", { Action: "s3:GetObject", Resource: "*" }, "identity", /Effect/],
    ["both Action and NotAction", { ...GOOD_IDENTITY, NotAction: "s3:PutObject" }, "identity", /Action or NotAction/],
    ["neither Action nor NotAction", { Effect: "Allow", Resource: "*" }, "identity", /Action or NotAction/],
    ["an empty Action list", { ...GOOD_IDENTITY, Action: [] }, "identity", /Action/],
    ["an Action that is not a string", { ...GOOD_IDENTITY, Action: 7 }, "identity", /Action/],
    ["both Resource and NotResource", { ...GOOD_IDENTITY, NotResource: `${BUCKET}/other/*` }, "identity", /both Resource and NotResource/],
    ["no Resource in an identity policy", { Effect: "Allow", Action: "s3:GetObject" }, "identity", /Resource or NotResource/],
    ["no Resource in a resource policy", { Effect: "Deny", Principal: "*", Action: "s3:*" }, "resource", /Resource or NotResource/],
    ["a Principal in an identity policy", { ...GOOD_IDENTITY, Principal: { AWS: "*" } }, "identity", /Principal.*identity policy/],
    ["a NotPrincipal in an identity policy", { ...GOOD_IDENTITY, NotPrincipal: { AWS: "*" } }, "identity", /Principal.*identity policy/],
    ["no Principal in a resource policy", { Effect: "Deny", Action: "s3:*", Resource: BUCKET }, "resource", /Principal.*resource policy/],
    ["no Principal in a trust policy", { Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity" }, "trust", /Principal.*trust policy/],
    ["a Principal that is a bare ARN string", { ...GOOD_TRUST, Principal: "cognito-identity.amazonaws.com" }, "trust", /Principal/],
    ["an unknown element (Resources)", { Effect: "Allow", Action: "s3:GetObject", Resources: "*" }, "identity", /unknown element.*Resources/],
    ["an unknown element (Conditions)", { ...GOOD_IDENTITY, Conditions: {} }, "identity", /unknown element.*Conditions/],
    ["a Condition that is not an object of operators", { ...GOOD_IDENTITY, Condition: "aws:SecureTransport" }, "identity", /Condition/],
    ["a condition value that is an object", { ...GOOD_IDENTITY, Condition: { StringEquals: { "s3:prefix": { a: 1 } } } }, "identity", /Condition.*s3:prefix/],
    ["a Sid that is not a string", { ...GOOD_IDENTITY, Sid: 3 }, "identity", /Sid/],
  ])("%s (naming Statement[1])", (_label, bad, use, message) => {
    const e = refusal(JSON.stringify(doc(GOOD[use], bad)), use);
    expect(e.message.startsWith(`${SOURCE}: Statement[1]`)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain("\n");
  });


  it("invalid JSON whose error position is near a line break still gives a one-line message", () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect":\n    \'Allow\'}]\n}';
    const e = refusal(text, "identity");
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toContain("\n");
  });
});

describe("listOf and statementLabel", () => {
  it("listOf: undefined → [], a string → [it], a list → itself", () => {
    expect(listOf(undefined)).toEqual([]);
    expect(listOf("s3:GetObject")).toEqual(["s3:GetObject"]);
    expect(listOf(["a", "b"])).toEqual(["a", "b"]);
  });

  it("statementLabel: the Sid, else #index", () => {
    expect(statementLabel({ Sid: "OwnFolderList", Effect: "Allow" }, 3)).toBe("OwnFolderList");
    expect(statementLabel({ Effect: "Allow" }, 3)).toBe("#3");
  });
});
