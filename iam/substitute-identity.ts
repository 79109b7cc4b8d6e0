/**
 * Resolves `${cognito-identity.amazonaws.com:sub}` in a policy to one identity id, the way IAM
 * does at request time, so that an evaluator that cannot take this key as request context still
 * evaluates the real statement. IAM substitutes variables only in policies of Version
 * 2012-10-17, and only in Resource/NotResource and condition values (never in keys, actions or
 * principals); `${key, 'default'}` falls back to the default. Every other variable is reported,
 * because a scenario that does not give it a value would make its verdict meaningless.
 */
import { IDENTITY_ID_KEY } from "./cognito";
import type { IamDocument, PolicyStatement } from "./document";

const VARIABLE = /\$\{([^}]*)\}/g;
/** IAM's escapes for literal characters: not variables. */
const ESCAPES = new Set(["*", "?", "$"]);

export interface Substituted {
  document: IamDocument;
  /** Variables other than the identity id (e.g. `${aws:username}`), which scenarios do not supply. */
  unresolved: string[];
}

/**
 * What an identity-id variable becomes for a caller without one (anonymous, another account, a
 * service): IAM uses the default of `${key, 'default'}`; without a default the element cannot
 * match, which a character no ARN, key or condition value holds stands for.
 */
export const ABSENT_VARIABLE = "\u0000";

const defaultOf = (rest: string[]) => {
  const m = /^\s*'([^']*)'\s*$/.exec(rest.join(","));
  return m ? m[1]! : undefined;
};

function substituteValue(value: string, identityId: string | undefined, unresolved: Set<string>): string {
  return value.replace(VARIABLE, (whole, inner: string) => {
    const [name, ...rest] = inner.split(",");
    const key = name!.trim();
    if (ESCAPES.has(key)) return whole;
    if (key.toLowerCase() === IDENTITY_ID_KEY) return identityId ?? defaultOf(rest) ?? ABSENT_VARIABLE;
    unresolved.add(rest.length > 0 ? `${whole} (its default would apply)` : whole);
    return whole;
  });
}

const mapValues = (v: string | string[] | undefined, f: (s: string) => string) =>
  v === undefined ? undefined : Array.isArray(v) ? v.map(f) : f(v);

/** The document as IAM would evaluate it for a caller whose identity id is `identityId` (undefined: a caller without one). */
export function substituteIdentityId(document: IamDocument, identityId: string | undefined): Substituted {
  const unresolved = new Set<string>();
  // Under Version 2008-10-17 (or none) `${…}` is literal text: nothing to substitute.
  if (document.Version !== "2012-10-17") return { document, unresolved: [] };
  const sub = (s: string) => substituteValue(s, identityId, unresolved);
  const statements = document.Statement.map((s): PolicyStatement => {
    const out: PolicyStatement = { ...s };
    if (s.Resource !== undefined) out.Resource = mapValues(s.Resource, sub);
    if (s.NotResource !== undefined) out.NotResource = mapValues(s.NotResource, sub);
    if (s.Condition) {
      out.Condition = Object.fromEntries(
        Object.entries(s.Condition).map(([op, block]) => [op, Object.fromEntries(Object.entries(block).map(([k, v]) => [k, mapValues(v, sub)!]))]),
      );
    }
    return out;
  });
  return { document: { ...document, Statement: statements }, unresolved: [...unresolved] };
}
