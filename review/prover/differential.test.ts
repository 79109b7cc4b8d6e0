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
 * Properties 1, 2, 3 and 5 are compared (4, trust, needs a trust policy and is not generated).
 * Controls (a known-good and known-bad policy) and a check that the random policies produced both
 * outcomes keep the test from passing vacuously. The disagreements it found (one for each of (a),
 * (b) and (c)), minimized and fixed in the prover, are kept at the end as regression cases.
 *
 * The seed is fixed so that the suite is reproducible; DIFFERENTIAL_RUNS and DIFFERENTIAL_SEED (a
 * number, or "random") explore further, e.g. DIFFERENTIAL_RUNS=200 DIFFERENTIAL_SEED=random.
 */
import { defaultIntent } from "../intent";
import fc from "fast-check";
import { isAllowed } from "../engines/engine";
import { createLocalEngine } from "../engines/local-engine";
import { parseIamDocument } from "../../iam/document";
import { scenarioIdentities } from "../identities";
import { intendedDecision, type IntendedRequest } from "../intent";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { proveTarget } from "./prove";
import { listedAs } from "./s3-listing";
import type { Counterexample, ProofResult, ProofStatus, PropertyNumber } from "./verdicts";

const REGION = "ap-northeast-1";
const BUCKET = "files-bucket";
const P = "cognito-test";
const POOL = `${REGION}:11111111-2222-4333-8444-555555555555`;
const ACCOUNT = "123456789012";
const SUB = "${cognito-identity.amazonaws.com:sub}";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const { A, B } = scenarioIdentities(REGION);
const TLS = "aws:SecureTransport";
const PREFIX = "s3:prefix";
const COMPARED: PropertyNumber[] = [1, 2, 3, 5];
const engine = createLocalEngine();

const NUM_RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 4);
const SEED = process.env.DIFFERENTIAL_SEED === "random" ? undefined : Number(process.env.DIFFERENTIAL_SEED ?? 20240611);

// ---- The policy grammar -------------------------------------------------------------------

type Statement = Record<string, unknown>;
interface Policy {
  Version: "2012-10-17";
  Statement: Statement[];
}

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

function targetOf(identity: Policy, bucket?: Policy): ReviewTarget {
  const role: RoleUnderReview = {
    group: "reviewed-role",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/reviewed-role`,
    identityPolicies: [{ name: "identity", document: parseIamDocument(identity, "identity", "identity") }],
    readAllFolders: false,
  };
  return {
    label: "differential",
    region: REGION,
    accountId: ACCOUNT,
    bucketName: BUCKET,
    prefix: P,
    intent: defaultIntent(P),
    aclsDisabled: false,
    identityPoolId: POOL,
    roles: [role],
    ...(bucket ? { bucketPolicy: { name: "bucket", document: parseIamDocument(bucket, "resource", "bucket") } } : {}),
  };
}

// ---- Exhaustive simulation ----------------------------------------------------------------

const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const LIST_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];
/** Bucket actions that take `s3:prefix` as a condition key. */
const TAKES_PREFIX = new Set(["s3:ListBucket", "s3:ListBucketVersions"]);
const BUCKET_ACTIONS = [...LIST_ACTIONS, "s3:GetBucketPolicy"];

interface Request {
  callerId: string;
  otherId: string;
  action: string;
  key?: string;
  /** `s3:prefix`, when the action takes it and the request sends it. */
  listPrefix?: string;
  tls: boolean;
}

const folder = (id: string) => `${P}/${id}/`;
const arnOf = (r: Request) => (r.key !== undefined ? `${BUCKET_ARN}/${r.key}` : BUCKET_ARN);
const words = (r: Request) =>
  `${r.action} on ${arnOf(r)} by ${r.callerId === A ? "A" : r.callerId === B ? "B" : r.callerId}, ${TLS}=${r.tls}, ${r.listPrefix === undefined ? `${PREFIX} absent` : `${PREFIX}=${JSON.stringify(r.listPrefix)}`}`;

function universe(): Request[] {
  const out: Request[] = [];
  for (const [callerId, otherId] of [[A, B], [B, A]] as const) {
    const keys = [`${folder(otherId)}report.pdf`, folder(otherId), `${folder(callerId)}report.pdf`, folder(callerId), `${P}/${callerId}`, `${P}/${callerId}x/report.pdf`, `${P}/report.pdf`, `${P}/`, "report.pdf"];
    // The prefixes that matter for folders, and the condition values of the grammar as literal prefixes (`*` kept, or read as "x").
    const fromPool = PREFIX_VALUES.flatMap((v) => [v, v.replace("*", "x")].map((x) => x.replace(SUB, callerId)));
    const prefixes = [...new Set([undefined, "", P, `${P}/`, folder(otherId), `${P}/${otherId}`, folder(callerId), `${P}/${callerId}`, `${folder(callerId)}docs/`, ...fromPool])];
    for (const tls of [true, false]) {
      for (const action of OBJECT_ACTIONS) for (const key of keys) out.push({ callerId, otherId, action, key, tls });
      for (const action of BUCKET_ACTIONS) {
        for (const listPrefix of TAKES_PREFIX.has(action) ? prefixes : [undefined]) out.push({ callerId, otherId, action, tls, ...(listPrefix !== undefined ? { listPrefix } : {}) });
      }
    }
  }
  return out;
}
const UNIVERSE = universe();

const intentFor = (r: Pick<Request, "action" | "key" | "callerId" | "tls" | "listPrefix">) => {
  const request: IntendedRequest = {
    action: r.action,
    target: r.key !== undefined ? { kind: "object", key: r.key } : { kind: "bucket" },
    callerId: r.callerId,
    readAllFolders: false,
    secureTransport: r.tls,
    ...(r.listPrefix !== undefined ? { listPrefix: r.listPrefix } : {}),
  };
  return intendedDecision(P, request);
};

/** A key in `other`'s folder that a listing with this prefix (and delimiter) returns, as itself or as a common prefix inside the folder. */
function revealed(otherFolder: string, listPrefix: string | undefined, delimiter: string | undefined): string | undefined {
  const keys = [otherFolder, `${otherFolder}report.pdf`, ...(listPrefix?.startsWith(otherFolder) ? [listPrefix, `${listPrefix}x`] : [])];
  return keys.find((key) => listedAs(key, listPrefix, delimiter)?.value.startsWith(otherFolder));
}

/** Which property the request breaks if it is allowed (1, 2, 5) or if it is denied (3). */
function breaks(r: Request, allowed: boolean): PropertyNumber[] {
  const intent = intentFor(r);
  const out: PropertyNumber[] = [];
  if (allowed && r.key?.startsWith(folder(r.otherId))) out.push(1);
  // An action without the s3:prefix key may still send any list prefix: none is the widest.
  if (allowed && LIST_ACTIONS.includes(r.action) && revealed(folder(r.otherId), r.listPrefix, undefined) !== undefined) out.push(2);
  if (!allowed && intent.allow) out.push(3);
  if (allowed && !intent.allow) out.push(5);
  return out;
}

type Truth = Partial<Record<PropertyNumber, string>>;

/** The first request of the universe that breaks each property, in words. */
async function simulate(target: ReviewTarget): Promise<Truth> {
  const role = target.roles[0]!;
  const verdicts = await engine.evaluateS3(
    target,
    UNIVERSE.map((r) => ({
      role,
      identityId: r.callerId,
      action: r.action,
      resourceArn: arnOf(r),
      context: { [TLS]: String(r.tls), ...(r.listPrefix !== undefined ? { [PREFIX]: r.listPrefix } : {}) },
      deliberatelyAbsent: r.listPrefix === undefined ? [PREFIX] : [],
    })),
  );
  const truth: Truth = {};
  UNIVERSE.forEach((r, i) => {
    const v = verdicts[i]!;
    if (v.problems.length) throw new Error(`the simulator's verdict on ${words(r)} is unreliable: ${v.problems.join("; ")}`);
    for (const n of breaks(r, isAllowed(v.decision))) truth[n] ??= `${words(r)}: ${v.decision}`;
  });
  return truth;
}

// ---- Comparison ---------------------------------------------------------------------------

const show = (identity: Policy, bucket?: Policy) => JSON.stringify({ identity, ...(bucket ? { bucket } : {}) });

/** Re-checks a counterexample here: the simulator's decision, the intent, and what the property needs. */
async function recheck(target: ReviewTarget, n: PropertyNumber, cx: Counterexample): Promise<string | undefined> {
  if (cx.kind !== "s3" || !cx.callerId) return `not an S3 request: ${cx.request}`;
  // What the request does not carry is absent on purpose, whether or not the action takes the key.
  const absent = [...cx.absent, ...[PREFIX, "s3:delimiter"].filter((k) => !(k in cx.context))];
  const [v] = await engine.evaluateS3(target, [{ role: target.roles[0]!, identityId: cx.callerId, action: cx.action, resourceArn: cx.resourceArn, context: cx.context, deliberatelyAbsent: absent }]);
  if (v!.problems.length) return `the simulator's verdict is unreliable: ${v!.problems.join("; ")}`;
  const allowed = isAllowed(v!.decision);
  const key = cx.resourceArn.startsWith(`${BUCKET_ARN}/`) ? cx.resourceArn.slice(BUCKET_ARN.length + 1) : undefined;
  const prefix = cx.context[PREFIX];
  const delimiter = cx.context["s3:delimiter"];
  if (Array.isArray(prefix) || Array.isArray(delimiter)) return "multi-valued s3:prefix or s3:delimiter";
  const intent = intentFor({ action: cx.action, callerId: cx.callerId, tls: cx.context[TLS] === "true", ...(key !== undefined ? { key } : {}), ...(prefix !== undefined ? { listPrefix: prefix } : {}) });
  const other = cx.otherId;
  const otherIsIdentity = other !== undefined && other !== cx.callerId && other.length === A.length;
  const holds =
    n === 1 ? allowed && otherIsIdentity && key !== undefined && key.startsWith(folder(other!))
    : n === 2 ? allowed && otherIsIdentity && key === undefined && LIST_ACTIONS.includes(cx.action) && revealed(folder(other!), prefix, delimiter) !== undefined
    : n === 3 ? !allowed && intent.allow
    : allowed && !intent.allow;
  if (!holds) return `re-check failed (simulator ${v!.decision}, intent ${intent.allow ? "allow" : "deny"}): ${cx.request}`;
  // Checked after the re-check, so that a failure here points at the replay, not the verdict.
  if (!cx.confirmed) return `the re-check agrees, but the replay did not confirm it (simulator problems: ${cx.simulator.problems.join("; ") || "none"}): ${cx.request}`;
  return undefined;
}

/** Every disagreement between the proof and the simulation, in words (empty: they agree). */
async function compare(target: ReviewTarget, truth: Truth, proof: ProofResult): Promise<string[]> {
  const problems: string[] = [];
  for (const n of COMPARED) {
    const v = proof.verdicts.find((x) => x.property === n)!;
    if (v.status === "UNKNOWN") problems.push(`property ${n} UNKNOWN: ${v.reason}`);
    if (truth[n] !== undefined && v.status !== "VIOLATED") problems.push(`property ${n} ${v.status}, but the simulation breaks it: ${truth[n]}`);
    if (v.status === "VIOLATED") {
      const wrong = v.counterexample ? await recheck(target, n, v.counterexample) : "VIOLATED without a counterexample";
      if (wrong) problems.push(`property ${n} counterexample: ${wrong}`);
    }
  }
  return problems;
}

async function check(identity: Policy, bucket?: Policy) {
  const target = targetOf(identity, bucket);
  const truth = await simulate(target);
  const proof = await proveTarget(target);
  const problems = await compare(target, truth, proof);
  return { truth, problems, status: (n: PropertyNumber): ProofStatus => proof.verdicts.find((v) => v.property === n)!.status };
}

async function run(identity: Policy, bucket?: Policy) {
  const r = await check(identity, bucket);
  if (r.problems.length) throw new Error(`prover and simulation disagree on ${show(identity, bucket)}:\n  ${r.problems.join("\n  ")}`);
  return r;
}

// ---- Tests --------------------------------------------------------------------------------

const policy = (...Statement: Statement[]): Policy => ({ Version: "2012-10-17", Statement });
const TLS_DENY_BUCKET = policy({ ...TLS_DENY, Principal: "*" });

describe("prover against exhaustive simulation", () => {
  it("control: the correct setup is PROVED, and the simulation finds nothing", async () => {
    const r = await run(policy(ALL_OWN_OBJECTS, OWN_LIST), TLS_DENY_BUCKET);
    expect(r.truth).toEqual({});
    expect(COMPARED.map(r.status)).toEqual(["PROVED", "PROVED", "PROVED", "PROVED"]);
  });

  it("control: a listing with StringLikeIfExists is VIOLATED, as the simulation shows", async () => {
    const r = await run(policy(ALL_OWN_OBJECTS, IF_EXISTS_LIST), TLS_DENY_BUCKET);
    expect(Object.keys(r.truth).sort()).toEqual(["2", "5"]);
    expect(COMPARED.map(r.status)).toEqual(["PROVED", "VIOLATED", "PROVED", "VIOLATED"]);
  });

  it("control: objects under the whole prefix are VIOLATED, as the simulation shows", async () => {
    const r = await run(policy({ ...ALL_OWN_OBJECTS, Resource: `${BUCKET_ARN}/${P}/*` }, OWN_LIST), TLS_DENY_BUCKET);
    expect(Object.keys(r.truth).sort()).toEqual(["1", "5"]);
    expect(COMPARED.map(r.status)).toEqual(["VIOLATED", "PROVED", "PROVED", "VIOLATED"]);
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
