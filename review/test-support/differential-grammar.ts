/**
 * The grammar the differential tests share (review/prover/differential-*.test.ts): random
 * statements over pools of principals, actions, resources and `s3:prefix` values, the statements
 * of a correct setup, and a tally of outcomes for the non-vacuity checks.
 */
import fc from "fast-check";
import { BUCKET_ARN, P, policy, PREFIX, SUB, TLS, type Compared, type Policy, type Statement } from "./differential";
import type { PropertyNumber } from "../prover/verdicts";

export const OWN = `${BUCKET_ARN}/${P}/${SUB}/*`;
export const ALL_OWN_OBJECTS: Statement = { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: OWN };
export const OWN_LIST: Statement = { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN, Condition: { StringLike: { [PREFIX]: [`${P}/${SUB}/`, `${P}/${SUB}/*`] } } };
export const TLS_DENY: Statement = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { [TLS]: "false" } } };
export const CORRECT_IDENTITY = policy(ALL_OWN_OBJECTS, OWN_LIST);

/** One condition: operator, key, values. */
export type Condition = [string, string, string[]];
const conditionBlock = (conditions: Condition[]) => {
  const block: Record<string, Record<string, string | string[]>> = {};
  for (const [operator, key, values] of conditions) {
    block[operator] ??= {};
    block[operator]![key] ??= values.length === 1 ? values[0]! : values;
  }
  return conditions.length ? { Condition: block } : {};
};
const one = <T>(list: T[]) => (list.length === 1 ? list[0] : list);

export interface Grammar {
  effects: ("Allow" | "Deny")[];
  principals: unknown[];
  actions: string[];
  resources: string[];
  prefixValues: string[];
}

/** A random statement of the grammar (with a Principal when the grammar has principals). */
export function randomStatement(g: Grammar): fc.Arbitrary<Statement> {
  const condition: fc.Arbitrary<Condition> = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom("StringLike", "StringNotLike", "StringEquals"), fc.constant(PREFIX), fc.subarray(g.prefixValues, { minLength: 1, maxLength: 2 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant("Bool"), fc.constant(TLS), fc.constant<string[]>(["true"])) },
  );
  return fc
    .record({
      effect: fc.constantFrom(...g.effects),
      principal: g.principals.length ? fc.constantFrom(...g.principals) : fc.constant(undefined),
      actions: fc.subarray(g.actions, { minLength: 1, maxLength: 2 }),
      notResource: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      resources: fc.subarray(g.resources, { minLength: 1, maxLength: 2 }),
      conditions: fc.array(condition, { maxLength: 1 }),
    })
    .map(({ effect, principal, actions, notResource, resources, conditions }) => ({
      Effect: effect,
      ...(principal !== undefined ? { Principal: principal } : {}),
      Action: one(actions),
      [notResource ? "NotResource" : "Resource"]: one(resources),
      ...conditionBlock(conditions),
    }));
}

export const policyOf = (statements: fc.Arbitrary<Statement>, max = 3): fc.Arbitrary<Policy> => fc.array(statements, { minLength: 1, maxLength: max }).map((Statement) => policy(...Statement));

/** Outcomes over a random run. */
export interface Tally {
  runs: number;
  violated: number;
  sound: number;
  unknown: number;
  agreements: number;
  /** Labels of the requests that broke property 7, by principal. */
  brokenBy: Set<string>;
}
export const tally = (): Tally => ({ runs: 0, violated: 0, sound: 0, unknown: 0, agreements: 0, brokenBy: new Set() });
export const agreeing = (r: Compared, compared: PropertyNumber[]) => compared.filter((n) => r.status(n) !== "UNKNOWN").length;
