/**
 * The prover: for every role, each property as solver queries over all identity ids the pool
 * can issue, every key, list prefix and delimiter, and every S3 action. A property is PROVED
 * when every query is unsat, VIOLATED with the first counterexample found (replayed through the
 * simulator), and UNKNOWN — never a pass — when a construct is not encoded, a document is
 * missing, or the solver gives up.
 */
import { createLocalEngine } from "../engines/local-engine";
import type { PolicyEngine } from "../engines/engine";
import { scenarioIdentities } from "../identities";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { allS3Actions } from "../../iam/s3-actions";
import { conditionsRead, s3Queries, setOperatorCounts, trustQueries, type ConcreteRequest, type Query } from "./queries";
import { replay } from "./replay";
import { DELIMITER_KEY, identityIdLength, type Universe } from "./requests";
import { DEFAULT_QUERY_TIMEOUT_MS, solve, z3, type QueryAnswer } from "./solver";
import { UnsupportedConstruct } from "./unsupported";
import { PROPERTIES, type PropertyNumber, type PropertyVerdict, type ProofResult } from "./verdicts";

export interface ProveOptions {
  /** Per-query solver timeout. */
  timeoutMs?: number;
  /** Replays counterexamples (default: the local engine). */
  engine?: PolicyEngine;
}

const NUMBERS: PropertyNumber[] = [1, 2, 3, 4, 5];
/** A pinned candidate is ground: Z3 decides it at once, or something is wrong. */
const CANDIDATE_TIMEOUT_MS = 2_000;
/** All candidates of one query together: past this, the symbolic query decides. */
const CANDIDATE_BUDGET_MS = 4_000;
/** The first, short symbolic attempt. */
const QUICK_TIMEOUT_MS = 1_000;

const cognitoId = (region: string) => new RegExp(`^${region}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);

function foreignIds(u: Universe, r: ConcreteRequest): string[] {
  return r.kind === "s3" ? [r.callerId, r.otherId].filter((id): id is string => id !== undefined && !cognitoId(u.target.region).test(id)) : [];
}

function describe(r: ConcreteRequest): string {
  if (r.kind === "trust") return JSON.stringify(r.context);
  return `${r.action} on ${r.resourceArn}${r.listPrefix !== undefined ? ` with s3:prefix ${JSON.stringify(r.listPrefix)}` : ""} by ${r.callerId}`;
}

export async function proveTarget(target: ReviewTarget, options: ProveOptions = {}): Promise<ProofResult> {
  const started = performance.now();
  const { z3: z, startMs } = await z3();
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const engine = options.engine ?? createLocalEngine();
  const actions = await allS3Actions();
  const documents = [...target.roles.flatMap((r) => [...r.identityPolicies, ...(r.trustPolicy ? [r.trustPolicy] : [])]), ...(target.bucketPolicy ? [target.bucketPolicy] : [])];
  const counts = setOperatorCounts(documents);
  const ids = scenarioIdentities(target.region);
  const u: Universe = {
    z,
    target,
    idLength: identityIdLength(target.region),
    setSize: (key) => counts.get(key.toLowerCase()) ?? 0,
    realisticIds: [ids.A, ids.B],
    otherPoolId: `${target.region}:00000000-0000-4000-8000-000000000000`,
    delimiterMatters: conditionsRead(documents, DELIMITER_KEY),
  };
  let queries = 0;
  const verdicts: PropertyVerdict[] = [];
  for (const role of target.roles) {
    const all = [...s3Queries(target, role, actions), ...trustQueries(target, role)];
    for (const n of NUMBERS) {
      const t = performance.now();
      const verdict = await proveProperty(u, engine, role, n, all.filter((q) => q.property === n), timeoutMs, () => (queries += 1));
      verdicts.push({ ...verdict, elapsedMs: performance.now() - t });
    }
  }
  return { verdicts, proved: verdicts.every((v) => v.status === "PROVED"), solverStartMs: startMs, queries, elapsedMs: performance.now() - started };
}

async function proveProperty(u: Universe, engine: PolicyEngine, role: RoleUnderReview, property: PropertyNumber, queries: Query[], timeoutMs: number, count: () => void): Promise<Omit<PropertyVerdict, "elapsedMs">> {
  const base = { property, ...PROPERTIES[property], role: role.group, intended: [] as string[], queries: 0 };
  if (property === 4 && !role.trustPolicy) return { ...base, status: "UNKNOWN", reason: `no trust policy was given for role ${role.group}` };
  let unknown: string | undefined;
  for (const query of queries) {
    let built;
    try {
      built = query.build(u);
    } catch (e) {
      if (!(e instanceof UnsupportedConstruct)) throw e;
      unknown ??= `not encoded: ${e.message}`;
      continue;
    }
    base.queries += 1;
    count();
    // A short symbolic attempt first: most queries of a sound policy are unsat within
    // milliseconds. Then concrete candidates, for a quick counterexample (or intended grant) in
    // a readable form; then the symbolic query with the full time limit.
    let answer: QueryAnswer | undefined;
    if (query.purpose === "violation") {
      const quick = await solve(u.z, built.assertions, Math.min(QUICK_TIMEOUT_MS, timeoutMs));
      if (quick.status === "unsat") continue;
    }
    const candidatesUntil = performance.now() + CANDIDATE_BUDGET_MS;
    for (const pinned of built.candidates) {
      if (performance.now() > candidatesUntil) break;
      const tried = await solve(u.z, [...built.assertions, ...pinned], CANDIDATE_TIMEOUT_MS);
      if (tried.status === "sat") {
        answer = tried;
        break;
      }
    }
    if (!answer && query.purpose === "violation") answer = await solve(u.z, built.assertions, timeoutMs);
    if (process.env.PROVER_DEBUG) process.stderr.write(`[prover] ${role.group} ${property} ${query.purpose} ${query.what}: ${answer?.status ?? "no candidate"}\n`);
    if (query.purpose === "intended") {
      if (answer?.status === "sat") base.intended.push(`${query.what}: allowed as intended (${describe(built.decode(answer.model))})`);
      continue;
    }
    if (!answer || answer.status === "unsat") continue;
    if (answer.status === "unknown") {
      unknown ??= `solver answered unknown for ${query.what} (${answer.reason})`;
      continue;
    }
    let request = built.decode(answer.model);
    // Ids are modelled by their length only (Z3 cannot handle the exact format fast enough), so a
    // model may use an id Cognito never issues. Then ask again with Cognito-format ids pinned.
    if (foreignIds(u, request).length) {
      const again = await solve(u.z, [...built.assertions, ...built.pinIds], timeoutMs);
      if (again.status !== "sat") {
        unknown ??= `a counterexample was found only with identity ids Cognito does not issue (${foreignIds(u, request).map((id) => JSON.stringify(id)).join(", ")}) for ${query.what}`;
        continue;
      }
      request = built.decode(again.model);
    }
    const counterexample = await replay(engine, u.target, role, property, request);
    return { ...base, status: "VIOLATED", counterexample };
  }
  if (unknown) return { ...base, status: "UNKNOWN", reason: unknown };
  return { ...base, status: "PROVED" };
}
