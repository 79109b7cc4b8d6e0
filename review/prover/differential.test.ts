/**
 * Differential test: the prover against exhaustive simulation. Small random identity policies
 * (and, sometimes, a bucket policy) are built from the constructs the prover encodes; each is
 * proved, and separately every request of a finite universe (identities A and B, keys in and
 * around both folders, the list prefixes that matter, TLS on and off, a handful of object, list
 * and bucket actions) goes through the local simulator engine and the intent. The ground truth
 * is independent of the prover's encoding: decisions come from @cloud-copilot/iam-simulate,
 * expectations from intent.ts, listings from listedAs (S3's own semantics).
 *
 * The prover quantifies over every id, key, prefix and S3 action, so the universe here is a
 * subset of its own and the comparison is one-way:
 *   (a) a violation the simulation finds must be VIOLATED, never PROVED;
 *   (b) every VIOLATED verdict carries a counterexample that is `confirmed`, and that this file
 *       re-checks itself (simulator decision, intent, and for property 2 that the listing really
 *       returns a name from the other folder);
 *   (c) nothing in this grammar is UNKNOWN.
 * Properties 1, 2, 3, 5 and 7 are compared (4, trust, needs a trust policy and is not generated);
 * the harness is ../test-support/differential.ts, and differential-foreign.test.ts and
 * differential-nested.test.ts add principals other than the role and wildcards before the id.
 * Controls (a known-good and known-bad policy) and a check that the random policies produced both
 * outcomes keep the test from passing vacuously. The disagreements it found (one for each of (a),
 * (b) and (c)), minimized and fixed in the prover, are kept at the end as regression cases.
 *
 * The seed is fixed so that the suite is reproducible; DIFFERENTIAL_RUNS and DIFFERENTIAL_SEED (a
 * number, or "random") explore further, e.g. DIFFERENTIAL_RUNS=200 DIFFERENTIAL_SEED=random.
 */
import fc from "fast-check";
import { BUCKET_ARN, COMPARED, P, policy, PREFIX, run as runIn, runsFromEnv, SUB, TLS, universe, type Policy, type Statement } from "../test-support/differential";
import type { ProofStatus, PropertyNumber } from "./verdicts";

const { numRuns: NUM_RUNS, seed: SEED } = runsFromEnv("DIFFERENTIAL", 4, 20240611);

// ---- The policy grammar -------------------------------------------------------------------

const ACTION_POOL = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:Get*", "s3:*", "s3:List*"];
const RESOURCE_POOL = [
  `${BUCKET_ARN}/${P}/${SUB}/*`,
  `${BUCKET_ARN}/${P}/*`,
  `${BUCKET_ARN}/${P}/${SUB}*`,
  `${BUCKET_ARN}/${P}/${SUB}`,
  `${BUCKET_ARN}/${P}/?*`,
  BUCKET_ARN,
  `${BUCKET_ARN}/*`,
  "*",
];
const PREFIX_VALUES = [`${P}/${SUB}/`, `${P}/${SUB}/*`, `${P}/${SUB}*`, P, `${P}/*`, ""];
const PREFIX_OPERATORS = ["StringLike", "StringNotLike", "StringEquals", "StringLikeIfExists"];

/** One condition: operator, key, values. */
type Condition = [string, string, string[]];
const condition: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...PREFIX_OPERATORS), fc.constant(PREFIX), fc.subarray(PREFIX_VALUES, { minLength: 1, maxLength: 2 })) },
  { weight: 2, arbitrary: fc.tuple(fc.constant("Bool"), fc.constant(TLS), fc.constantFrom("true", "false").map((v) => [v])) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("Null"), fc.constant(PREFIX), fc.constantFrom("true", "false").map((v) => [v])) },
);

function conditionBlock(conditions: Condition[]): Record<string, Record<string, string | string[]>> | undefined {
  const block: Record<string, Record<string, string | string[]>> = {};
  for (const [operator, key, values] of conditions) {
    block[operator] ??= {};
    block[operator]![key] ??= values.length === 1 ? values[0]! : values;
  }
  return conditions.length ? block : undefined;
}

const randomStatement = (principal: boolean): fc.Arbitrary<Statement> =>
  fc
    .record({
      effect: fc.constantFrom("Allow", "Allow", "Deny"),
      notAction: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      actions: fc.subarray(ACTION_POOL, { minLength: 1, maxLength: 2 }),
      notResource: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      resources: fc.subarray(RESOURCE_POOL, { minLength: 1, maxLength: 2 }),
      conditions: fc.array(condition, { maxLength: 2 }),
    })
    .map(({ effect, notAction, actions, notResource, resources, conditions }) => {
      const block = conditionBlock(conditions);
      return {
        Effect: effect,
        ...(principal ? { Principal: "*" } : {}),
        [notAction ? "NotAction" : "Action"]: actions.length === 1 ? actions[0] : actions,
        [notResource ? "NotResource" : "Resource"]: resources.length === 1 ? resources[0] : resources,
        ...(block ? { Condition: block } : {}),
      };
    });

// Statements from a correct setup, mixed in so that random policies often come out PROVED too.
const OWN_OBJECTS: Statement = { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${BUCKET_ARN}/${P}/${SUB}/*` };
const OWN_LIST: Statement = { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN, Condition: { StringLike: { [PREFIX]: [`${P}/${SUB}/`, `${P}/${SUB}/*`] } } };
/** OWN_OBJECTS with every action the intent grants the owner. */
const ALL_OWN_OBJECTS: Statement = { ...OWN_OBJECTS, Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] };
const TLS_DENY: Statement = { Effect: "Deny", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { [TLS]: "false" } } };

// And the classic mistakes (review/fixtures/broken-policies/), so that both outcomes are common.
const IF_EXISTS_LIST: Statement = { ...OWN_LIST, Condition: { StringLikeIfExists: { [PREFIX]: `${P}/${SUB}/*` } } };
const ARTICLE_LIST: Statement = { ...OWN_LIST, Condition: { StringLike: { [PREFIX]: P } } };
const WHOLE_PREFIX_OBJECTS: Statement = { ...OWN_OBJECTS, Resource: `${BUCKET_ARN}/${P}/*` };

const identityStatement = fc.oneof(
  { weight: 4, arbitrary: randomStatement(false) },
  { weight: 3, arbitrary: fc.constantFrom(OWN_OBJECTS, ALL_OWN_OBJECTS, OWN_LIST, TLS_DENY) },
  { weight: 1, arbitrary: fc.constantFrom(IF_EXISTS_LIST, ARTICLE_LIST, WHOLE_PREFIX_OBJECTS) },
);
const bucketStatement = fc.oneof({ weight: 2, arbitrary: fc.constant({ ...TLS_DENY, Principal: "*" }) }, { weight: 1, arbitrary: randomStatement(true) });
const policyOf = (statements: fc.Arbitrary<Statement>): fc.Arbitrary<Policy> => fc.array(statements, { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: "2012-10-17", Statement }));

/** An identity policy, and a bucket policy about two times in three. */
const setup = fc.record({ identity: policyOf(identityStatement), bucket: fc.option(policyOf(bucketStatement), { freq: 3, nil: undefined }) });

const UNIVERSE = universe(PREFIX_VALUES);
const run = (identity: Policy, bucket?: Policy) => runIn(identity, bucket, UNIVERSE);

// ---- Tests --------------------------------------------------------------------------------

const TLS_DENY_BUCKET = policy({ ...TLS_DENY, Principal: "*" });

describe("prover against exhaustive simulation", () => {
  it("control: the correct setup is PROVED, and the simulation finds nothing", async () => {
    const r = await run(policy(ALL_OWN_OBJECTS, OWN_LIST), TLS_DENY_BUCKET);
    expect(r.truth.first).toEqual({});
    expect(COMPARED.map(r.status)).toEqual(["PROVED", "PROVED", "PROVED", "PROVED", "PROVED"]);
  });

  it("control: a listing with StringLikeIfExists is VIOLATED, as the simulation shows", async () => {
    const r = await run(policy(ALL_OWN_OBJECTS, IF_EXISTS_LIST), TLS_DENY_BUCKET);
    expect(Object.keys(r.truth.first).sort()).toEqual(["2", "5"]);
    expect(COMPARED.map(r.status)).toEqual(["PROVED", "VIOLATED", "PROVED", "VIOLATED", "PROVED"]);
  });

  it("control: objects under the whole prefix are VIOLATED, as the simulation shows", async () => {
    const r = await run(policy({ ...ALL_OWN_OBJECTS, Resource: `${BUCKET_ARN}/${P}/*` }, OWN_LIST), TLS_DENY_BUCKET);
    expect(Object.keys(r.truth.first).sort()).toEqual(["1", "5"]);
    expect(COMPARED.map(r.status)).toEqual(["VIOLATED", "PROVED", "PROVED", "VIOLATED", "PROVED"]);
  });

  it(`agrees on ${NUM_RUNS} random policies`, async () => {
    const seen: Record<PropertyNumber, Set<ProofStatus>> = { 1: new Set(), 2: new Set(), 3: new Set(), 4: new Set(), 5: new Set(), 6: new Set(), 7: new Set() };
    await fc.assert(
      fc.asyncProperty(setup, async ({ identity, bucket }) => {
        const r = await run(identity, bucket);
        for (const n of COMPARED) seen[n].add(r.status(n));
      }),
      { numRuns: NUM_RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    // Not vacuous: the random policies were both proved and broken, for each isolation property.
    // (Property 5 PROVED is the first control's; with the few runs jest makes, the random ones all break it.)
    for (const n of [1, 2] as const) expect({ property: n, outcomes: [...seen[n]].sort() }).toEqual({ property: n, outcomes: ["PROVED", "VIOLATED"] });
    expect(seen[5].has("VIOLATED")).toBe(true);
  }, 600_000);
});

/**
 * Disagreements this test found, minimized, and fixed in the prover: kept as regression cases.
 */
describe("disagreements found earlier (regressions)", () => {
  // The replay left s3:prefix out of the deliberately absent keys for object actions, so the
  // simulator reported a condition that failed for lack of it and the counterexample (A reads
  // B's report.pdf) came back NOT confirmed although the violation is real.
  it("property 1: a condition on s3:prefix does not make a real object counterexample unconfirmed", async () => {
    const deny = { Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { StringEquals: { [PREFIX]: "" } } };
    const r = await run(policy(WHOLE_PREFIX_OBJECTS, deny));
    expect(r.status(1)).toBe("VIOLATED");
  });

  // A reads the object `cognito-test/<A>` (its folder's name without the slash), which the intent
  // refuses. The solver's model used a made-up id and the verdict was UNKNOWN; now the query is
  // asked again with Cognito-format ids.
  it("property 5: a violation with real ids is VIOLATED even when the first model's ids are made up", async () => {
    const r = await run(policy({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/${P}/${SUB}` }, TLS_DENY));
    expect(r.status(5)).toBe("VIOLATED");
  }, 120_000);

  // Neither statement lets A list B's folder (ids have one length); the list query used to time out.
  it("property 2: two prefix patterns in separate statements are PROVED", async () => {
    const r = await run(policy({ ...OWN_LIST, Condition: { StringLike: { [PREFIX]: `${P}/${SUB}*` } } }, OWN_LIST));
    expect(r.status(2)).toBe("PROVED");
  }, 120_000);
});
