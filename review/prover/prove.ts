/**
 * The prover: for every role, each property as solver queries over all identity ids the pool
 * can issue, every key, list prefix and delimiter, and every S3 action; and for every principal
 * other than the reviewed roles that the bucket policy could admit. A property is PROVED when
 * every query is unsat, VIOLATED with the first counterexample found (replayed through the
 * simulator), and UNKNOWN — never a pass — when a construct is not encoded, a document is
 * missing, or the solver reaches its resource limit.
 *
 * Each violation query is asked three ways, all bounded by Z3's resource limit (work, not
 * time, so the verdict does not depend on the machine's load): symbolically with a small budget
 * (most queries of a sound policy are unsat at once); with the identity ids pinned to
 * Cognito-format values (every pattern becomes ground, so a counterexample, if one exists with
 * ordinary ids, comes in milliseconds and is one Cognito could issue); and symbolically with the
 * full budget. A proof always comes from a symbolic query.
 */
import { createLocalEngine } from "../engines/local-engine";
import type { PolicyEngine } from "../engines/engine";
import { scenarioIdentities } from "../identities";
import type { ReviewTarget } from "../review-target";
import { allS3Actions } from "../../iam/s3-actions";
import type { NamedPolicy } from "../review-target";
import { foreignPrincipalsOf, foreignQueries } from "./foreign-queries";
import type { Model } from "z3-solver";
import { s3Queries, type ConcreteRequest, type Query } from "./queries";
import { replay } from "./replay";
import { DELIMITER_KEY, identityIdLength, type Universe } from "./requests";
import { DEFAULT_QUERY_RLIMIT, setSafetyTimeout, solve, withContext, z3, type QueryAnswer, type Z3 } from "./solver";
import { trustQueries } from "./trust-queries";
import { basicSamples, derivedSamples } from "../samples";
import { UnsupportedConstruct } from "./unsupported";
import { OTHER_PRINCIPALS, PROPERTIES, type PropertyNumber, type PropertyVerdict, type ProofResult } from "./verdicts";

export interface ProveOptions {
  /** Solver work per query (Z3 rlimit units). */
  rlimit?: number;
  /** Wall-clock safety net per query. */
  timeoutMs?: number;
  /** Replays counterexamples (default: the local engine). */
  engine?: PolicyEngine;
  /** Called as queries are decided: queries done so far, of all the proof may ask. */
  onProgress?: (done: number, total: number) => void;
}

const ROLE_PROPERTIES: PropertyNumber[] = [1, 2, 3, 4, 5, 6];
/**
 * The quick symbolic attempt and the pinned attempt, as shares of the full budget. A sound
 * policy's queries are unsat within a few thousand units, while a violation's symbolic query is
 * not decided within that (a model with free 46-character ids costs Z3 tens of thousands), so the
 * quick attempt has 2,500 units (about 15 ms) and a violation then goes to the samples and the
 * pinned ids, which find it in milliseconds. Over the reviewer's tests, 2,500 units decide the same
 * 741 queries unsat as the earlier 20,000 did, 19 more go on to the full budget (same verdicts),
 * and the violated queries no longer spend some 100 ms each in the quick attempt: Z3's time in
 * those tests went from 28 s to 10 s.
 */
const QUICK_SHARE = 1 / 1600;
const PINNED_SHARE = 1 / 20;
/** One sample: a ground query, which Z3 decides at once. */
const SAMPLE_SHARE = 1 / 400;
/**
 * A share of the budget in whole units, at least one: Z3 takes `rlimit` as an unsigned integer (a
 * fraction throws: `--solver-rlimit 100000` gave 62.5) and reads 0 as no limit at all.
 */
const shareOf = (rlimit: number, share: number) => Math.max(1, Math.floor(rlimit * share));

const cognitoId = (region: string) => new RegExp(`^${region}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);
const anyCognitoId = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids in a counterexample that Cognito would never issue (the symbolic model only fixes their length). */
function madeUpIds(u: Universe, r: ConcreteRequest): string[] {
  if (r.kind !== "s3") return [];
  const ours = [r.foreign ? undefined : r.callerId, r.otherId].filter((id): id is string => id !== undefined && !cognitoId(u.target.region).test(id));
  const theirs = r.foreign && r.callerId !== undefined && !anyCognitoId.test(r.callerId) ? [r.callerId] : [];
  return [...ours, ...theirs];
}

function describe(r: ConcreteRequest): string {
  if (r.kind === "trust") return JSON.stringify(r.context);
  return `${r.action} on ${r.resourceArn}${r.listPrefix !== undefined ? ` with s3:prefix ${JSON.stringify(r.listPrefix)}` : ""} by ${r.foreign?.label ?? r.callerId}`;
}

/** Whether any condition in the documents reads the key. */
export function conditionsRead(documents: NamedPolicy[], key: string): boolean {
  return documents.some(({ document }) => document.Statement.some((s) => Object.values(s.Condition ?? {}).some((block) => Object.keys(block).some((k) => k.toLowerCase() === key.toLowerCase()))));
}

/** How many set operators each condition key appears with, over the documents (sizes free multi-valued keys). */
export function setOperatorCounts(documents: NamedPolicy[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { document } of documents) {
    for (const s of document.Statement) {
      for (const [operator, block] of Object.entries(s.Condition ?? {})) {
        if (!/^for(any|all)values?:/i.test(operator)) continue;
        for (const key of Object.keys(block)) counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
      }
    }
  }
  return counts;
}

export async function proveTarget(target: ReviewTarget, options: ProveOptions = {}): Promise<ProofResult> {
  const started = performance.now();
  const { startMs } = await z3();
  return withContext((z) => proveIn(z, target, options, started, startMs));
}

async function proveIn(z: Z3, target: ReviewTarget, options: ProveOptions, started: number, startMs: number): Promise<ProofResult> {
  const rlimit = options.rlimit ?? DEFAULT_QUERY_RLIMIT;
  if (options.timeoutMs) setSafetyTimeout(options.timeoutMs);
  const engine = options.engine ?? createLocalEngine();
  const actions = await allS3Actions();
  const ids = scenarioIdentities(target.region);
  /**
   * One universe per role (and one for the other principals): set sizes and whether the delimiter
   * matters come from the documents that decide that role's requests only, so each role's queries
   * are the same whether the stack has 1 role or 25 (they grew with every other role's documents).
   */
  const universes = (documents: NamedPolicy[]): { symbolic: Universe; pinned: Universe } => {
    const counts = setOperatorCounts(documents);
    const symbolic: Universe = {
      z,
      target,
      idLength: identityIdLength(target.region),
      setSize: (key) => counts.get(key.toLowerCase()) ?? 0,
      realisticIds: { a: ids.A, b: ids.B, d: ids.D },
      otherPoolId: `${target.region}:00000000-0000-4000-8000-000000000000`,
      delimiterMatters: conditionsRead(documents, DELIMITER_KEY),
      pinned: false,
    };
    return { symbolic, pinned: { ...symbolic, pinned: true } };
  };
  const bucket = target.bucketPolicy ? [target.bucketPolicy] : [];
  // Every property's queries first, so that progress knows the total.
  const plan: { u: { symbolic: Universe; pinned: Universe }; subject: string; property: PropertyNumber; list: Query[] }[] = [];
  for (const role of target.roles) {
    const u = universes([...role.identityPolicies, ...(role.trustPolicy ? [role.trustPolicy] : []), ...bucket]);
    const all = [...s3Queries(target, role, actions), ...trustQueries(target, role)];
    // Without a trust policy, trust is outside the review (the report's scope says so), not unknown.
    for (const n of ROLE_PROPERTIES) if (n !== 4 || role.trustPolicy) plan.push({ u, subject: role.group, property: n, list: all.filter((q) => q.property === n) });
  }
  const others = foreignPrincipalsOf(target);
  plan.push({ u: universes(bucket), subject: OTHER_PRINCIPALS, property: 7, list: others.flatMap((f) => foreignQueries(target, f, actions)) });
  const total = plan.reduce((n, p) => n + p.list.length, 0);
  let queries = 0;
  let done = 0;
  const verdicts: PropertyVerdict[] = [];
  for (const { u, subject, property, list } of plan) {
    const t = performance.now();
    const before = done;
    const verdict = await proveProperty(u, engine, subject, property, list, rlimit, () => (queries += 1), () => options.onProgress?.((done += 1), total));
    // A violation ends its property early: the queries it did not need to ask are done too.
    if (done !== before + list.length) options.onProgress?.((done = before + list.length), total);
    verdicts.push({ ...verdict, elapsedMs: performance.now() - t });
  }
  const failing = verdicts.filter((v) => v.status === "UNKNOWN" || (v.status === "VIOLATED" && v.severity === "finding"));
  return {
    verdicts,
    proved: verdicts.every((v) => v.status === "PROVED"),
    pass: failing.length === 0,
    otherPrincipals: others.map((f) => f.label),
    solverStartMs: startMs,
    queries,
    elapsedMs: performance.now() - started,
  };
}

/** Keys and prefixes to try, for an identity of the role (`subject`) or a foreign caller. */
function samples(u: Universe, subject: string): { key?: string; prefix?: string }[] {
  const t = u.target;
  const caller = subject === OTHER_PRINCIPALS ? u.realisticIds.d : u.realisticIds.a;
  const role = t.roles.find((r) => r.group === subject);
  const documents = [...(role?.identityPolicies ?? []), ...(t.bucketPolicy ? [t.bucketPolicy] : [])].map((p) => p.document);
  const derived = derivedSamples(documents, t.bucketName, t.intent, caller, u.realisticIds.b, false, undefined, true);
  const basic = basicSamples(t.intent, caller, u.realisticIds.b);
  const keys = [...new Set([...basic.keys, ...derived.keys])];
  const prefixes = [...new Set([...basic.prefixes, ...derived.prefixes])];
  return [...keys.map((key) => ({ key })), ...prefixes.map((prefix) => ({ prefix })), {}];
}

const base = (subject: string, property: PropertyNumber) => ({ property, ...PROPERTIES[property], role: subject, intended: [] as string[], queries: 0 });

/**
 * The symbolic query, case by case where its free key or prefix was split (shapes.ts): unsat
 * when every case is, sat with the first case that is, unknown otherwise. No case at all: no
 * Allow statement can apply, so it is unsat without asking.
 */
async function solveSymbolic(u: Universe, query: Query, rlimit: number): Promise<{ answer: QueryAnswer; decode?: (m: Model<"main">) => ConcreteRequest }> {
  if (!query.cases) {
    const built = query.build(u);
    return { answer: await solve(u.z, built.assertions, rlimit), decode: built.decode };
  }
  let unknown: QueryAnswer | undefined;
  for (const placement of query.cases) {
    const built = query.build(u, placement);
    const answer = await solve(u.z, built.assertions, rlimit);
    if (answer.status === "sat") return { answer, decode: built.decode };
    if (answer.status === "unknown") unknown ??= answer;
  }
  return { answer: unknown ?? { status: "unsat" } };
}

/** The list's items; `after` is called as the loop moves past each one (not after a `return` from the loop). */
function* each<T>(list: T[], after: () => void): Generator<T> {
  for (const item of list) {
    yield item;
    after();
  }
}

async function proveProperty(
  universes: { symbolic: Universe; pinned: Universe },
  engine: PolicyEngine,
  subject: string,
  property: PropertyNumber,
  queries: Query[],
  rlimit: number,
  count: () => void,
  /** Called once per query of the list, when it is decided or skipped. */
  decided: () => void,
): Promise<Omit<PropertyVerdict, "elapsedMs">> {
  const out = base(subject, property);
  const { symbolic: u, pinned } = universes;
  let unknown: string | undefined;
  for (const query of each(queries, decided)) {
    let pinnedBuilt;
    try {
      // Built whole once so that a construct the encoder cannot express is found before any case.
      query.build(u);
      pinnedBuilt = query.build(pinned);
    } catch (e) {
      if (!(e instanceof UnsupportedConstruct)) throw e;
      unknown ??= `not encoded: ${e.message}`;
      continue;
    }
    out.queries += 1;
    count();
    const debug = (answer: string) => process.env.PROVER_DEBUG && process.stderr.write(`[prover] ${subject} ${property} ${query.purpose} ${query.what}: ${answer}\n`);
    if (query.purpose === "intended") {
      let answer: QueryAnswer = { status: "unknown", reason: "no sample" };
      for (const sample of samples(u, subject)) {
        const pins = pinnedBuilt.pin?.(sample);
        if (pins) answer = await solve(u.z, [...pinnedBuilt.assertions, ...pins], shareOf(rlimit, SAMPLE_SHARE));
        if (answer.status === "sat") break;
      }
      if (answer.status !== "sat") answer = await solve(u.z, pinnedBuilt.assertions, shareOf(rlimit, PINNED_SHARE));
      debug(answer.status);
      if (answer.status === "sat") out.intended.push(`${query.what}: allowed as intended (${describe(pinnedBuilt.decode(answer.model))})`);
      continue;
    }
    let { answer, decode } = await solveSymbolic(u, query, shareOf(rlimit, QUICK_SHARE));
    let request: ConcreteRequest | undefined;
    if (answer.status !== "unsat") {
      // Samples derived from the policies' own patterns: ground queries, decided at once.
      for (const sample of samples(u, subject)) {
        const pins = pinnedBuilt.pin?.(sample);
        if (!pins) continue;
        const tried = await solve(u.z, [...pinnedBuilt.assertions, ...pins], shareOf(rlimit, SAMPLE_SHARE));
        if (tried.status === "sat") {
          request = pinnedBuilt.decode(tried.model);
          break;
        }
      }
    }
    if (answer.status !== "unsat" && !request) {
      const tried = await solve(u.z, pinnedBuilt.assertions, shareOf(rlimit, PINNED_SHARE));
      if (tried.status === "sat") request = pinnedBuilt.decode(tried.model);
      else ({ answer, decode } = await solveSymbolic(u, query, rlimit));
      if (!request && answer.status === "sat") request = decode!(answer.model);
    }
    debug(request ? "sat" : answer.status);
    if (answer.status === "unknown" && !request) {
      unknown ??= `solver reached its limit for ${query.what} (${answer.reason})`;
      continue;
    }
    if (!request) continue;
    const madeUp = madeUpIds(u, request);
    if (madeUp.length) {
      unknown ??= `a counterexample was found only with identity ids Cognito does not issue (${madeUp.map((id) => JSON.stringify(id)).join(", ")}) for ${query.what}`;
      continue;
    }
    const counterexample = await replay(engine, u.target, subject, property, request);
    return { ...out, status: "VIOLATED", counterexample };
  }
  if (unknown) return { ...out, status: "UNKNOWN", reason: unknown };
  return { ...out, status: "PROVED" };
}
