/**
 * Reading a statement's conditions the way IAM evaluates them, for the structural inspection:
 * which operator applies to a key, whether it holds when the request lacks the key (IAM: a
 * positive operator fails, a negated one holds, `…IfExists` holds, `ForAllValues:` holds,
 * `ForAnyValue:` fails), and the identity-id variable in its canonical spelling.
 */
import { IDENTITY_ID_KEY, IDENTITY_ID_VARIABLE } from "./cognito";
import { listOf, type PolicyStatement } from "./document";

export interface ConditionOperator {
  /** `ForAllValues` / `ForAnyValue`, when the operator has a set prefix. */
  set?: "ForAllValues" | "ForAnyValue";
  /** The operator without prefix and `IfExists`: `StringLike`, `Null`, … */
  base: string;
  ifExists: boolean;
  /** `StringNotLike`, `ArnNotEquals`, …: holds when no value matches. */
  negated: boolean;
  /** The condition is false when the request has no value for the key. */
  failsWhenAbsent: boolean;
}

export function readOperator(operator: string): ConditionOperator {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.*?)(IfExists)?$/i.exec(operator)!;
  const set = m[1] ? (m[1].toLowerCase() === "forallvalues" ? "ForAllValues" : "ForAnyValue") : undefined;
  const base = m[2]!;
  const ifExists = m[3] !== undefined;
  const negated = /Not/.test(base);
  // ForAnyValue over no values is false, ForAllValues over no values is true (AWS: single- and
  // multivalued context keys); without a set prefix a missing key fails a positive operator only.
  const failsWhenAbsent = base !== "Null" && !ifExists && (set === "ForAnyValue" || (set === undefined && !negated));
  return { ...(set ? { set } : {}), base, ifExists, negated, failsWhenAbsent };
}

export interface KeyCondition {
  operator: string;
  parsed: ConditionOperator;
  values: string[];
}

/** Every condition of `s` on `key` (IAM matches key names case-insensitively). */
export function conditionsOn(s: PolicyStatement, key: string): KeyCondition[] {
  return Object.entries(s.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block)
      .filter(([k]) => k.toLowerCase() === key.toLowerCase())
      .map(([, v]) => ({ operator, parsed: readOperator(operator), values: listOf(v) })),
  );
}

/** String operators that match a value against the listed ones (not negated). */
const MATCHING = new Set(["stringequals", "stringlike", "stringequalsignorecase"]);
export const isMatching = (c: KeyCondition) => !c.parsed.negated && MATCHING.has(c.parsed.base.toLowerCase());

/**
 * The statement holds only when the request carries `key`: some condition on it fails without
 * it (a positive operator, `ForAnyValue:`, or `Null: false`).
 */
export function requiresKey(s: PolicyStatement, key: string): boolean {
  return conditionsOn(s, key).some((c) => c.parsed.failsWhenAbsent || (c.parsed.base.toLowerCase() === "null" && c.values.every((v) => v === "false")));
}

/**
 * `${cognito-identity.amazonaws.com:sub, 'default'}` (any spelling of the key) as the plain
 * variable: every Cognito-federated session has an identity id, so for the reviewed roles'
 * sessions the default never applies (a trust that admits anything else is reported on its own).
 */
export function canonicalIdentityVariable(text: string): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => (inner.split(",")[0]!.trim().toLowerCase() === IDENTITY_ID_KEY ? IDENTITY_ID_VARIABLE : whole));
}
