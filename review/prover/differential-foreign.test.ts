/**
 * The differential test (differential.test.ts: the prover against exhaustive simulation, harness
 * in ../test-support/differential.ts) for principals other than the reviewed role: random bucket
 * policies whose statements name another account (as an id, a root ARN, a role whose sessions are
 * Cognito identities of another pool), `*`, `{"AWS": "*"}`, an AWS service, a role of this account
 * or the reviewed role itself. Property 7 is compared with concrete requests by anonymous callers,
 * identity D of another pool (in another account and in this one), another account's IAM user
 * without an identity id, a stranger account, a role of this account and two services; properties
 * 1, 2, 3 and 5 with the reviewed role's identities, as in differential.test.ts.
 *
 * A violation the simulation finds must be VIOLATED; a VIOLATED verdict's counterexample must
 * replay as a violation; nothing is UNKNOWN. The fixed-seed run must produce a policy that lets
 * another principal into a folder and one that grants other principals something and is PROVED.
 *
 * DIFFERENTIAL_FOREIGN_RUNS and DIFFERENTIAL_FOREIGN_SEED (a number, or "random") explore further.
 */
import fc from "fast-check";
import { ACCOUNT, BUCKET_ARN, P, PARTNER, policy, PREFIX, ROLE_ARN, run, runsFromEnv, SUB, universe, type Policy, type Statement } from "../test-support/differential";
import { agreeing, CORRECT_IDENTITY, OWN, policyOf, randomStatement, tally, TLS_DENY, type Grammar } from "../test-support/differential-grammar";

const FOREIGN = runsFromEnv("DIFFERENTIAL_FOREIGN", 4, 7001);

const OTHER_POOL_ROLE = `arn:aws:iam::${PARTNER}:role/other-pool-auth`;
const PRINCIPALS: unknown[] = [
  "*",
  { AWS: "*" },
  { AWS: PARTNER },
  { AWS: `arn:aws:iam::${PARTNER}:root` },
  { AWS: OTHER_POOL_ROLE },
  { AWS: `arn:aws:iam::${ACCOUNT}:role/other-pool-role` },
  { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` },
  { AWS: ACCOUNT },
  { AWS: ROLE_ARN },
  { Service: "logging.s3.amazonaws.com" },
];
const FOREIGN_GRAMMAR: Grammar = {
  effects: ["Allow", "Allow", "Deny"],
  principals: PRINCIPALS,
  actions: ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:Get*", "s3:*"],
  resources: [OWN, `${BUCKET_ARN}/${P}/*`, `${BUCKET_ARN}/*`, BUCKET_ARN, `${BUCKET_ARN}/public/*`, `${BUCKET_ARN}/${P}/${SUB}*`],
  prefixValues: [`${P}/${SUB}/*`, `${P}/*`, "public/*", ""],
};
/** Grants to other principals that reach no identity's folder: another pool's identity in its own (empty) folder, public and log folders. */
const SOUND_GRANTS: Statement[] = [
  { Effect: "Allow", Principal: { AWS: OTHER_POOL_ROLE }, Action: ["s3:GetObject", "s3:PutObject"], Resource: OWN },
  { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/public/*` },
  { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${BUCKET_ARN}/logs/*` },
  { Effect: "Allow", Principal: { AWS: PARTNER }, Action: "s3:ListBucket", Resource: BUCKET_ARN, Condition: { StringLike: { [PREFIX]: "public/*" } } },
];
/** And the classic mistakes (review/fixtures/adversarial/): a partner, the public, a service. */
const BAD_GRANTS: Statement[] = [
  { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [BUCKET_ARN, `${BUCKET_ARN}/${P}/*`] },
  { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/${P}/*` },
  { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${BUCKET_ARN}/*` },
];
const foreignStatement = fc.oneof(
  { weight: 4, arbitrary: randomStatement(FOREIGN_GRAMMAR) },
  { weight: 2, arbitrary: fc.constantFrom(...SOUND_GRANTS) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_GRANTS, TLS_DENY) },
);
const FOREIGN_UNIVERSE = universe(FOREIGN_GRAMMAR.prefixValues);

/** The bucket policy lets some principal other than the reviewed role do something (so a PROVED property 7 is not vacuous). */
const grantsOthers = (bucket: Policy) =>
  bucket.Statement.some((s) => s.Effect === "Allow" && JSON.stringify(s.Principal) !== JSON.stringify({ AWS: ROLE_ARN }) && JSON.stringify(s.Principal) !== JSON.stringify({ AWS: ACCOUNT }));

describe("prover against exhaustive simulation: principals other than the reviewed role", () => {
  const seen = tally();

  it("control: a partner account reading every folder is VIOLATED, as the simulation shows", async () => {
    const r = await run(CORRECT_IDENTITY, policy(TLS_DENY, BAD_GRANTS[0]!), FOREIGN_UNIVERSE);
    expect(r.truth.first[7]).toBeDefined();
    expect(r.status(7)).toBe("VIOLATED");
  });

  it("control: another pool's identities in their own folder, the public in public/, are PROVED", async () => {
    const r = await run(CORRECT_IDENTITY, policy(TLS_DENY, ...SOUND_GRANTS), FOREIGN_UNIVERSE);
    expect(r.truth.first).toEqual({});
    expect(r.status(7)).toBe("PROVED");
  });

  it(`agrees on ${FOREIGN.numRuns} random bucket policies`, async () => {
    await fc.assert(
      fc.asyncProperty(policyOf(foreignStatement), async (bucket) => {
        const r = await run(CORRECT_IDENTITY, bucket, FOREIGN_UNIVERSE);
        seen.runs += 1;
        seen.agreements += agreeing(r, [1, 2, 3, 5, 7]);
        if (r.status(7) === "VIOLATED") seen.violated += 1;
        if (r.status(7) === "PROVED" && grantsOthers(bucket)) seen.sound += 1;
        if (r.truth.first[7]) seen.brokenBy.add(r.truth.first[7].replace(/^.* by (.*?), aws:.*$/, "$1"));
      }),
      FOREIGN,
    );
    if (process.env.DIFFERENTIAL_DEBUG) process.stderr.write(`foreign principals: ${JSON.stringify({ ...seen, brokenBy: [...seen.brokenBy] })}\n`);
    // Not vacuous: some random bucket policy let another principal in, and some granted others something and stayed sound.
    expect(seen.violated).toBeGreaterThan(0);
    expect(seen.sound).toBeGreaterThan(0);
  }, 600_000);
});
