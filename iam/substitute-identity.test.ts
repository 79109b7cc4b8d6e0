/**
 * substituteIdentityId against IAM's documented rules for policy variables: only Version
 * 2012-10-17 documents, only Resource/NotResource and condition VALUES, variable names matched
 * case-insensitively, `${key, 'default'}` accepted, `${*}` `${?}` `${$}` are escapes for literal
 * characters. Expected values are written here (or built by plain string joining in the
 * property tests), never obtained from the module.
 */
import fc from "fast-check";
import type { PolicyStatement } from "../components/policy-documents";
import type { IamDocument } from "./document";
import { substituteIdentityId } from "./substitute-identity";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const A = "ap-northeast-1:aaaa0001-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const BUCKET = "arn:aws:s3:::files-bucket";

const doc = (...Statement: PolicyStatement[]): IamDocument => ({ Version: "2012-10-17", Statement });

// ---- Arbitraries --------------------------------------------------------------------------

/** An identity pool IdentityId: `<region>:<uuid>`. */
const identityId = fc
  .tuple(fc.stringMatching(/^[a-z]{2}-(north|south|east|west|central|northeast|southeast)-[1-9]$/), fc.uuid())
  .map(([region, uuid]) => `${region}:${uuid}`);

/** The identity variable's key in any mix of upper and lower case. */
const IDENTITY_KEY = "cognito-identity.amazonaws.com:sub";
const anyCaseKey = fc
  .array(fc.boolean(), { minLength: IDENTITY_KEY.length, maxLength: IDENTITY_KEY.length })
  .map((upper) => [...IDENTITY_KEY].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));

/** One piece of a policy string, and what IAM turns it into for identity `id`. */
type Fragment = { text: string; kind: "literal" | "identity" | "escape" | "other" };
const literal = fc.stringMatching(/^[A-Za-z0-9/:._*?-]{0,8}$/).map((text): Fragment => ({ text, kind: "literal" }));
const identityVariable = fc.oneof(
  anyCaseKey.map((k): Fragment => ({ text: `\${${k}}`, kind: "identity" })),
  anyCaseKey.map((k): Fragment => ({ text: `\${${k}, 'nobody'}`, kind: "identity" })),
);
const escape = fc.constantFrom("${*}", "${?}", "${$}").map((text): Fragment => ({ text, kind: "escape" }));
const OTHER_VARIABLES = ["${aws:username}", "${aws:userid}", "${aws:PrincipalTag/team}", "${cognito-identity.amazonaws.com:aud}", "${s3:prefix}"];
const otherVariable = fc.constantFrom(...OTHER_VARIABLES).map((text): Fragment => ({ text, kind: "other" }));
const fragments = fc.array(fc.oneof(literal, identityVariable, escape, otherVariable), { maxLength: 6 });

/** IAM's result for a string made of these fragments (plain joining: an oracle independent of the module). */
const expectedText = (parts: Fragment[], id: string) => parts.map((f) => (f.kind === "identity" ? id : f.text)).join("");
const policyString = fragments.map((parts) => ({ parts, text: parts.map((f) => f.text).join("") }));

/** A value that may be one string or a non-empty list. */
const stringOrList = fc.oneof(policyString.map((p) => ({ value: p.text as string | string[], parts: [p.parts] })), fc.array(policyString, { minLength: 1, maxLength: 3 }).map((ps) => ({ value: ps.map((p) => p.text) as string | string[], parts: ps.map((p) => p.parts) })));

/** A statement whose every element may carry variables, including in places IAM never substitutes. */
const statementArb = fc.record({
  sid: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { nil: undefined }),
  effect: fc.constantFrom("Allow" as const, "Deny" as const),
  action: stringOrList,
  useNotAction: fc.boolean(),
  resource: stringOrList,
  useNotResource: fc.boolean(),
  principal: fc.option(stringOrList, { nil: undefined }),
  // One value per (operator, key), as in a JSON object.
  conditions: fc.uniqueArray(
    fc.record({
      operator: fc.constantFrom("StringLike", "StringEquals", "ForAnyValue:StringLike", "ArnLike"),
      key: fc.oneof(fc.constantFrom("s3:prefix", "aws:SourceArn", "cognito-identity.amazonaws.com:aud"), fragments.map((ps) => `aws:PrincipalTag/${ps.map((f) => f.text).join("")}`)),
      value: stringOrList,
    }),
    { maxLength: 4, selector: (c) => `${c.operator}\u0000${c.key}` },
  ),
});

type StatementInput = typeof statementArb extends fc.Arbitrary<infer T> ? T : never;

function buildStatement(s: StatementInput): PolicyStatement {
  const out: PolicyStatement = { Effect: s.effect };
  if (s.sid !== undefined) out.Sid = s.sid;
  if (s.useNotAction) out.NotAction = s.action.value;
  else out.Action = s.action.value;
  if (s.useNotResource) out.NotResource = s.resource.value;
  else out.Resource = s.resource.value;
  if (s.principal) out.Principal = { AWS: s.principal.value, Federated: SUB };
  if (s.conditions.length > 0) {
    out.Condition = {};
    for (const c of s.conditions) (out.Condition[c.operator] ??= {})[c.key] = c.value.value;
  }
  return out;
}

const expectedValue = (v: { value: string | string[]; parts: Fragment[][] }, id: string): string | string[] =>
  Array.isArray(v.value) ? v.parts.map((p) => expectedText(p, id)) : expectedText(v.parts[0]!, id);

// ---- Properties ---------------------------------------------------------------------------

describe("substituteIdentityId: properties", () => {
  it("never changes Sid, Effect, Action/NotAction, Principal, condition operators or condition KEYS", () => {
    fc.assert(
      fc.property(identityId, fc.array(statementArb, { minLength: 1, maxLength: 3 }), (id, raw) => {
        const statements = raw.map(buildStatement);
        const { document } = substituteIdentityId(doc(...structuredClone(statements)), id);
        expect(document.Statement).toHaveLength(statements.length);
        document.Statement.forEach((out, i) => {
          const input = statements[i]!;
          expect(out.Sid).toBe(input.Sid);
          expect(out.Effect).toBe(input.Effect);
          expect(out.Action).toEqual(input.Action);
          expect(out.NotAction).toEqual(input.NotAction);
          expect(out.Principal).toEqual(input.Principal);
          expect(Object.keys(out.Condition ?? {})).toEqual(Object.keys(input.Condition ?? {}));
          for (const [op, block] of Object.entries(input.Condition ?? {})) {
            expect(Object.keys(out.Condition![op]!)).toEqual(Object.keys(block));
          }
        });
      }),
    );
  });

  it("replaces the identity variable (any case, with or without default) in Resource, NotResource and every condition value, and nothing else", () => {
    fc.assert(
      fc.property(identityId, statementArb, (id, raw) => {
        const { document } = substituteIdentityId(doc(buildStatement(raw)), id);
        const out = document.Statement[0]!;
        const resource = expectedValue(raw.resource, id);
        if (raw.useNotResource) expect(out.NotResource).toEqual(resource);
        else expect(out.Resource).toEqual(resource);
        for (const c of raw.conditions) expect(out.Condition![c.operator]![c.key]).toEqual(expectedValue(c.value, id));
      }),
    );
  });

  it("reports every other variable as unresolved, and never the identity variable or an escape", () => {
    fc.assert(
      fc.property(identityId, statementArb, (id, raw) => {
        const statement = buildStatement(raw);
        const { unresolved } = substituteIdentityId(doc(statement), id);
        // Variables IAM would substitute: in Resource/NotResource and condition values only.
        const substitutedParts = [...raw.resource.parts, ...raw.conditions.flatMap((c) => c.value.parts)].flat();
        const others = new Set(substitutedParts.filter((f) => f.kind === "other").map((f) => f.text));
        for (const v of others) expect(unresolved.some((u) => u.includes(v))).toBe(true);
        expect(unresolved).toHaveLength(others.size);
        for (const u of unresolved) {
          expect(u.toLowerCase()).not.toContain(IDENTITY_KEY);
          expect(u).not.toMatch(/\$\{[*?$]\}/);
        }
      }),
    );
  });

  it("returns Version 2008-10-17 and version-less documents unchanged, with nothing unresolved", () => {
    fc.assert(
      fc.property(identityId, fc.array(statementArb, { minLength: 1, maxLength: 3 }), fc.constantFrom("2008-10-17", undefined), (id, raw, version) => {
        const input: IamDocument = { Statement: raw.map(buildStatement), ...(version ? { Version: version } : {}) };
        const before = structuredClone(input);
        const result = substituteIdentityId(input, id);
        expect(result.document).toEqual(before);
        expect(result.unresolved).toEqual([]);
      }),
    );
  });

  it("does not modify the document it is given", () => {
    fc.assert(
      fc.property(identityId, statementArb, (id, raw) => {
        const input = doc(buildStatement(raw));
        const before = structuredClone(input);
        substituteIdentityId(input, id);
        expect(input).toEqual(before);
      }),
    );
  });
});

// ---- Examples -----------------------------------------------------------------------------

describe("substituteIdentityId: examples", () => {
  it("resolves our own-folder grant for one identity", () => {
    const { document, unresolved } = substituteIdentityId(
      doc(
        { Sid: "OwnFolderObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${BUCKET}/private/${SUB}/*` },
        { Sid: "OwnFolderList", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": [`private/${SUB}/`, `private/${SUB}/*`] } } },
      ),
      A,
    );
    expect(document).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "OwnFolderObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${BUCKET}/private/${A}/*` },
        { Sid: "OwnFolderList", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": [`private/${A}/`, `private/${A}/*`] } } },
      ],
    });
    expect(unresolved).toEqual([]);
  });

  it.each([
    ["lower case", "${cognito-identity.amazonaws.com:sub}"],
    ["upper case", "${COGNITO-IDENTITY.AMAZONAWS.COM:SUB}"],
    ["mixed case", "${Cognito-Identity.AmazonAWS.com:Sub}"],
    ["with a default", "${cognito-identity.amazonaws.com:sub, 'x'}"],
    ["mixed case with a default", "${Cognito-Identity.amazonaws.com:SUB, 'nobody'}"],
  ])("matches the variable name case-insensitively and resolves it (%s)", (_label, variable) => {
    const { document, unresolved } = substituteIdentityId(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/${variable}/*` }), A);
    expect(document.Statement[0]!.Resource).toBe(`${BUCKET}/private/${A}/*`);
    expect(unresolved).toEqual([]);
  });

  it("substitutes in NotResource (string and list)", () => {
    const { document } = substituteIdentityId(
      doc(
        { Effect: "Deny", Action: "s3:*", NotResource: `${BUCKET}/private/${SUB}/*` },
        { Effect: "Deny", Action: "s3:*", NotResource: [`${BUCKET}/private/${SUB}/*`, BUCKET] },
      ),
      A,
    );
    expect(document.Statement[0]!.NotResource).toBe(`${BUCKET}/private/${A}/*`);
    expect(document.Statement[1]!.NotResource).toEqual([`${BUCKET}/private/${A}/*`, BUCKET]);
  });

  it("substitutes in every condition value, string and list, under every operator", () => {
    const { document } = substituteIdentityId(
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: BUCKET,
        Condition: {
          StringLike: { "s3:prefix": [`private/${SUB}/`, `private/${SUB}/*`], "aws:PrincipalTag/x": `t-${SUB}` },
          StringEquals: { "s3:delimiter": "/", "aws:userid": `AROA:${SUB}` },
          "ForAnyValue:StringLike": { "aws:TagKeys": [SUB] },
        },
      }),
      A,
    );
    expect(document.Statement[0]!.Condition).toEqual({
      StringLike: { "s3:prefix": [`private/${A}/`, `private/${A}/*`], "aws:PrincipalTag/x": `t-${A}` },
      StringEquals: { "s3:delimiter": "/", "aws:userid": `AROA:${A}` },
      "ForAnyValue:StringLike": { "aws:TagKeys": [A] },
    });
  });

  it("leaves the variable alone in Action, Principal and condition keys", () => {
    const statement: PolicyStatement = {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::123456789012:role/${SUB}` },
      Action: `s3:${SUB}`,
      Resource: "*",
      Condition: { StringEquals: { [`aws:PrincipalTag/${SUB}`]: "v" } },
    };
    const { document } = substituteIdentityId(doc(statement), A);
    expect(document.Statement[0]!.Principal).toEqual({ AWS: `arn:aws:iam::123456789012:role/${SUB}` });
    expect(document.Statement[0]!.Action).toBe(`s3:${SUB}`);
    expect(document.Statement[0]!.Condition).toEqual({ StringEquals: { [`aws:PrincipalTag/${SUB}`]: "v" } });
  });

  it("leaves ${*}, ${?} and ${$} alone and does not report them", () => {
    const resource = `${BUCKET}/private/${SUB}/star\${*}q\${?}d\${$}`;
    const { document, unresolved } = substituteIdentityId(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: resource }), A);
    expect(document.Statement[0]!.Resource).toBe(`${BUCKET}/private/${A}/star\${*}q\${?}d\${$}`);
    expect(unresolved).toEqual([]);
  });

  it("reports ${aws:username} as unresolved and leaves it in place", () => {
    const { document, unresolved } = substituteIdentityId(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/home/\${aws:username}/*` }), A);
    expect(document.Statement[0]!.Resource).toBe(`${BUCKET}/home/\${aws:username}/*`);
    expect(unresolved).toEqual(["${aws:username}"]);
  });

  it("reports another variable with a default as unresolved too (the scenario does not supply it)", () => {
    const { unresolved } = substituteIdentityId(
      doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": "home/${aws:username, 'nobody'}/" } } }),
      A,
    );
    expect(unresolved).toHaveLength(1);
    expect(unresolved[0]).toContain("${aws:username, 'nobody'}");
  });

  it("reports each unresolved variable once, however often it appears", () => {
    const { unresolved } = substituteIdentityId(
      doc(
        { Effect: "Allow", Action: "s3:GetObject", Resource: [`${BUCKET}/\${aws:username}/a`, `${BUCKET}/\${aws:username}/b`] },
        { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "s3:prefix": "${aws:username}/" } } },
      ),
      A,
    );
    expect(unresolved).toEqual(["${aws:username}"]);
  });

  it("treats ${…} under Version 2008-10-17 as literal text", () => {
    const input: IamDocument = { Version: "2008-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/private/${SUB}/*` }] };
    const { document, unresolved } = substituteIdentityId(input, A);
    expect(document.Statement[0]!.Resource).toBe(`${BUCKET}/private/${SUB}/*`);
    expect(unresolved).toEqual([]);
  });
});
