/**
 * The differential harness: the prover against exhaustive simulation (review/prover/
 * differential*.test.ts). A target is built from small policies; separately, every request of
 * a finite universe goes through the local simulator engine and the intent; then the two are
 * compared. The ground truth is independent of the prover's encoding: decisions come from
 * @cloud-copilot/iam-simulate, expectations from intent.ts, listings from listedAs (S3's own
 * semantics), and the principals of the universe are written here, not taken from the prover.
 *
 * The universe: identities A and B of the reviewed role, each acting on keys in and around both
 * folders — nested keys too (`<p>/<B>/<p>/<A>/x`, `<p>/<B>/<A>/x`), which a pattern with a
 * wildcard before `${…:sub}` reaches — and listing with the prefixes that matter; and principals
 * that are not the reviewed role's identities (anonymous, a Cognito identity D of another pool in
 * another account and in this one, another account's IAM user without an identity id, a stranger
 * account, a named role of this account, AWS services), acting on the same keys and prefixes.
 * TLS on and off for the role's identities; on for the others (TLS is not what property 7 is about).
 *
 * The prover quantifies over every id, key, prefix, S3 action and principal it models, so the
 * universe is a subset and the comparison is one-way:
 *   (a) a violation the simulation finds must be VIOLATED (UNKNOWN is counted; the caller bounds it);
 *   (b) every VIOLATED verdict carries a counterexample that is `confirmed` and that this file
 *       re-checks itself (simulator decision, intent, and what the property needs);
 *   (c) PROVED only where the simulation finds nothing (implied by (a)).
 */
import { isAllowed } from "../engines/engine";
import { createLocalEngine } from "../engines/local-engine";
import { parseIamDocument } from "../../iam/document";
import type { ForeignPrincipal } from "../../iam/principals";
import { scenarioIdentities } from "../identities";
import { defaultIntent, intendedDecision, type IntendedRequest } from "../intent";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { foreignPrincipalsOf } from "../prover/foreign-queries";
import { proveTarget, type ProveOptions } from "../prover/prove";
import { listedAs } from "../prover/s3-listing";
import type { Counterexample, ProofResult, ProofStatus, PropertyNumber } from "../prover/verdicts";

export const REGION = "ap-northeast-1";
export const BUCKET = "files-bucket";
export const P = "cognito-test";
export const POOL = `${REGION}:11111111-2222-4333-8444-555555555555`;
export const ACCOUNT = "123456789012";
/** Another account, named by the policies of the foreign class. */
export const PARTNER = "444455556666";
export const SUB = "${cognito-identity.amazonaws.com:sub}";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/reviewed-role`;
export const { A, B, D } = scenarioIdentities(REGION);
export const TLS = "aws:SecureTransport";
export const PREFIX = "s3:prefix";
export const COMPARED: PropertyNumber[] = [1, 2, 3, 5, 7];

export type Statement = Record<string, unknown>;
export interface Policy {
  Version: "2012-10-17";
  Statement: Statement[];
}
export const policy = (...Statement: Statement[]): Policy => ({ Version: "2012-10-17", Statement });

export function targetOf(identity: Policy, bucket?: Policy): ReviewTarget {
  const role: RoleUnderReview = {
    group: "reviewed-role",
    roleArn: ROLE_ARN,
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

// ---- The universe -------------------------------------------------------------------------

/** Who sends a request: an identity of the reviewed role, or another principal (with the Cognito id it carries, if any). */
type Caller = { kind: "identity"; id: string } | { kind: "foreign"; foreign: ForeignPrincipal; id?: string };

const session = (account: string, role: string, name: string) => `arn:aws:sts::${account}:assumed-role/${role}/${name}`;
const aws = (label: string, accountId: string, arn: string, id?: string): Caller => ({ kind: "foreign", foreign: { label, principal: { kind: "aws", accountId, arn } }, ...(id ? { id } : {}) });
/** The principals besides the role's identities, written here (not the prover's list). */
export const OTHER_CALLERS: Caller[] = [
  { kind: "foreign", foreign: { label: "anonymous", principal: { kind: "anonymous" } } },
  aws("identity D of another pool, partner account", PARTNER, session(PARTNER, "other-pool-auth", "CognitoIdentityCredentials"), D),
  aws("IAM user of the partner account", PARTNER, `arn:aws:iam::${PARTNER}:user/someone`),
  aws("identity D of a stranger account", "777777777777", session("777777777777", "pool-auth", "CognitoIdentityCredentials"), D),
  aws("identity D of another pool, this account", ACCOUNT, session(ACCOUNT, "other-pool-role", "CognitoIdentityCredentials"), D),
  aws("ops role of this account", ACCOUNT, session(ACCOUNT, "ops", "admin")),
  { kind: "foreign", foreign: { label: "service logging.s3", principal: { kind: "service", service: "logging.s3.amazonaws.com" } } },
  { kind: "foreign", foreign: { label: "service cloudtrail", principal: { kind: "service", service: "cloudtrail.amazonaws.com" } } },
];

const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const FOREIGN_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const LIST_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];
/** Bucket actions that take `s3:prefix` as a condition key. */
const TAKES_PREFIX = new Set(["s3:ListBucket", "s3:ListBucketVersions"]);
const BUCKET_ACTIONS = [...LIST_ACTIONS, "s3:GetBucketPolicy"];

export interface Request {
  caller: Caller;
  /** The identity whose folder the request must not reach. */
  otherId: string;
  action: string;
  key?: string;
  /** `s3:prefix`, when the action takes it and the request sends it. */
  listPrefix?: string;
  tls: boolean;
  /** The key or prefix lies in the other folder below a second folder-like level (`<p>/<B>/…/<caller id>/…`). */
  nested: boolean;
}

export const folder = (id: string) => `${P}/${id}/`;
const arnOf = (r: Pick<Request, "key">) => (r.key !== undefined ? `${BUCKET_ARN}/${r.key}` : BUCKET_ARN);
const callerWords = (c: Caller) => (c.kind === "identity" ? (c.id === A ? "A" : c.id === B ? "B" : c.id) : `${c.foreign.label}${c.id ? ` (id ${c.id === D ? "D" : c.id})` : ""}`);
export const words = (r: Request) =>
  `${r.action} on ${arnOf(r)} by ${callerWords(r.caller)}, ${TLS}=${r.tls}, ${r.listPrefix === undefined ? `${PREFIX} absent` : `${PREFIX}=${JSON.stringify(r.listPrefix)}`}`;

/** Keys inside `other`'s folder that a pattern with a wildcard before the caller's id reaches. */
const nestedKeys = (other: string, caller: string) => [`${folder(other)}${P}/${caller}/report.pdf`, `${folder(other)}${caller}/report.pdf`];
const nestedPrefixes = (other: string, caller: string) => [`${folder(other)}${P}/${caller}/`, `${folder(other)}${caller}/`];

/** Every request of the universe; `prefixValues` (condition values with `${…:sub}`) are also tried as literal list prefixes. */
export function universe(prefixValues: string[]): Request[] {
  const out: Request[] = [];
  const fromValues = (id: string) => prefixValues.flatMap((v) => [v, v.replace(/\*/g, "x")].map((x) => x.split(SUB).join(id)));
  const add = (caller: Caller, otherId: string, callerId: string | undefined, tlsValues: boolean[], objectActions: string[]) => {
    const self = callerId ?? "nobody";
    const nested = new Set([...nestedKeys(otherId, self), ...nestedPrefixes(otherId, self)]);
    // Another principal has no folder of its own: only what could reach B's, and one key beside it.
    const ownKeys = caller.kind === "identity" ? [folder(self), `${P}/${self}`, `${P}/${self}x/report.pdf`, `${P}/`, "report.pdf", `x/${self}/report.pdf`] : [];
    const keys = [`${folder(otherId)}report.pdf`, folder(otherId), `${folder(self)}report.pdf`, `${P}/report.pdf`, ...ownKeys, ...nestedKeys(otherId, self)];
    const ownPrefixes = caller.kind === "identity" ? [folder(self), `${P}/${self}`, `${folder(self)}docs/`] : [];
    const prefixes = [...new Set([undefined, "", P, `${P}/`, folder(otherId), `${P}/${otherId}`, ...ownPrefixes, ...nestedPrefixes(otherId, self), ...fromValues(self)])];
    for (const tls of tlsValues) {
      for (const action of objectActions) for (const key of keys) out.push({ caller, otherId, action, key, tls, nested: nested.has(key) });
      for (const action of BUCKET_ACTIONS) {
        for (const listPrefix of TAKES_PREFIX.has(action) ? prefixes : [undefined]) out.push({ caller, otherId, action, tls, nested: listPrefix !== undefined && nested.has(listPrefix), ...(listPrefix !== undefined ? { listPrefix } : {}) });
      }
    }
  };
  for (const [callerId, otherId] of [[A, B], [B, A]] as const) add({ kind: "identity", id: callerId }, otherId, callerId, [true, false], OBJECT_ACTIONS);
  for (const caller of OTHER_CALLERS) add(caller, B, caller.kind === "foreign" ? caller.id : undefined, [true], FOREIGN_OBJECT_ACTIONS);
  return out;
}

const intentFor = (r: { action: string; key?: string; callerId: string; tls: boolean; listPrefix?: string; foreign: boolean }) => {
  const request: IntendedRequest = {
    action: r.action,
    target: r.key !== undefined ? { kind: "object", key: r.key } : { kind: "bucket" },
    callerId: r.callerId,
    readAllFolders: false,
    secureTransport: r.tls,
    ...(r.listPrefix !== undefined ? { listPrefix: r.listPrefix } : {}),
    ...(r.foreign ? { foreign: true } : {}),
  };
  return intendedDecision(P, request);
};

/** A key in `other`'s folder that a listing with this prefix (and delimiter) returns, as itself or as a common prefix inside the folder. */
function revealed(otherFolder: string, listPrefix: string | undefined, delimiter: string | undefined): string | undefined {
  const keys = [otherFolder, `${otherFolder}report.pdf`, ...(listPrefix?.startsWith(otherFolder) ? [listPrefix, `${listPrefix}x`] : [])];
  return keys.find((key) => listedAs(key, listPrefix, delimiter)?.value.startsWith(otherFolder));
}

/** Reaches the other folder: an object in it, or a listing (no delimiter: the widest) that returns a name from it. */
const reaches = (r: Pick<Request, "key" | "action" | "listPrefix" | "otherId">) =>
  r.key !== undefined ? r.key.startsWith(folder(r.otherId)) : LIST_ACTIONS.includes(r.action) && revealed(folder(r.otherId), r.listPrefix, undefined) !== undefined;

/** Which property the request breaks if it is allowed (1, 2, 5, 7) or if it is denied (3). */
function breaks(r: Request, allowed: boolean): PropertyNumber[] {
  if (r.caller.kind === "foreign") return allowed && reaches(r) ? [7] : [];
  const intent = intentFor({ ...r, callerId: r.caller.id, foreign: false });
  const out: PropertyNumber[] = [];
  if (allowed && r.key?.startsWith(folder(r.otherId))) out.push(1);
  if (allowed && r.key === undefined && reaches(r)) out.push(2);
  if (!allowed && intent.allow) out.push(3);
  if (allowed && !intent.allow) out.push(5);
  return out;
}

/** The first request that breaks each property, in words; and which properties a nested key or prefix breaks. */
export interface Truth {
  first: Partial<Record<PropertyNumber, string>>;
  nested: Set<PropertyNumber>;
  /** Properties broken by a nested request only (no other request of the universe breaks them). */
  onlyNested: Set<PropertyNumber>;
}

const engine = createLocalEngine();

export async function simulate(target: ReviewTarget, requests: Request[]): Promise<Truth> {
  const role = target.roles[0]!;
  const verdicts = await engine.evaluateS3(
    target,
    requests.map((r) => ({
      role,
      ...(r.caller.id !== undefined ? { identityId: r.caller.id } : {}),
      ...(r.caller.kind === "foreign" ? { foreign: r.caller.foreign } : {}),
      action: r.action,
      resourceArn: arnOf(r),
      context: { [TLS]: String(r.tls), ...(r.listPrefix !== undefined ? { [PREFIX]: r.listPrefix } : {}) },
      deliberatelyAbsent: r.listPrefix === undefined ? [PREFIX] : [],
    })),
  );
  const truth: Truth = { first: {}, nested: new Set(), onlyNested: new Set() };
  const flat = new Set<PropertyNumber>();
  requests.forEach((r, i) => {
    const v = verdicts[i]!;
    if (v.problems.length) throw new Error(`the simulator's verdict on ${words(r)} is unreliable: ${v.problems.join("; ")}`);
    for (const n of breaks(r, isAllowed(v.decision))) {
      truth.first[n] ??= `${words(r)}: ${v.decision}`;
      (r.nested ? truth.nested : flat).add(n);
    }
  });
  for (const n of truth.nested) if (!flat.has(n)) truth.onlyNested.add(n);
  return truth;
}

// ---- Comparison ---------------------------------------------------------------------------

/** Re-checks a counterexample here: the simulator's decision, the intent, and what the property needs. */
async function recheck(target: ReviewTarget, n: PropertyNumber, cx: Counterexample): Promise<string | undefined> {
  if (cx.kind !== "s3") return `not an S3 request: ${cx.request}`;
  const foreign = n === 7 ? foreignPrincipalsOf(target).find((f) => f.label === cx.principal) : undefined;
  if (n === 7 && !foreign) return `property 7 names no principal of the bucket policy: ${cx.request}`;
  if (n !== 7 && (cx.principal !== undefined || !cx.callerId)) return `not a request by an identity of the role: ${cx.request}`;
  if (foreign?.principal.kind === "aws" && foreign.principal.accountId === ACCOUNT && /:role\/reviewed-role$|assumed-role\/reviewed-role\//.test(foreign.principal.arn ?? "")) return `property 7 blames the reviewed role: ${cx.request}`;
  // What the request does not carry is absent on purpose, whether or not the action takes the key.
  const absent = [...cx.absent, ...[PREFIX, "s3:delimiter"].filter((k) => !(k in cx.context))];
  const [v] = await engine.evaluateS3(target, [
    { role: target.roles[0]!, ...(cx.callerId !== undefined ? { identityId: cx.callerId } : {}), ...(foreign ? { foreign } : {}), action: cx.action, resourceArn: cx.resourceArn, context: cx.context, deliberatelyAbsent: absent },
  ]);
  if (v!.problems.length) return `the simulator's verdict is unreliable: ${v!.problems.join("; ")}`;
  const allowed = isAllowed(v!.decision);
  const key = cx.resourceArn.startsWith(`${BUCKET_ARN}/`) ? cx.resourceArn.slice(BUCKET_ARN.length + 1) : undefined;
  const prefix = cx.context[PREFIX];
  const delimiter = cx.context["s3:delimiter"];
  if (Array.isArray(prefix) || Array.isArray(delimiter)) return "multi-valued s3:prefix or s3:delimiter";
  const intent = intentFor({ action: cx.action, callerId: cx.callerId ?? "", tls: cx.context[TLS] === "true", foreign: n === 7, ...(key !== undefined ? { key } : {}), ...(prefix !== undefined ? { listPrefix: prefix } : {}) });
  const other = cx.otherId;
  const otherIsIdentity = other !== undefined && other !== cx.callerId && other.length === A.length;
  const inOther = () => otherIsIdentity && (key !== undefined ? key.startsWith(folder(other!)) : LIST_ACTIONS.includes(cx.action) && revealed(folder(other!), prefix, delimiter) !== undefined);
  const holds =
    n === 1 ? allowed && key !== undefined && inOther()
    : n === 2 || n === 7 ? allowed && inOther() && (n === 7 || key === undefined)
    : n === 3 ? !allowed && intent.allow
    : allowed && !intent.allow;
  if (!holds) return `re-check failed (simulator ${v!.decision}, intent ${intent.allow ? "allow" : "deny"}): ${cx.request}`;
  // Checked after the re-check, so that a failure here points at the replay, not the verdict.
  if (!cx.confirmed) return `the re-check agrees, but the replay did not confirm it (simulator problems: ${cx.simulator.problems.join("; ") || "none"}): ${cx.request}`;
  return undefined;
}

const show = (identity: Policy, bucket?: Policy) => JSON.stringify({ identity, ...(bucket ? { bucket } : {}) });

export interface Compared {
  truth: Truth;
  proof: ProofResult;
  /** Disagreements in words (empty: they agree). */
  problems: string[];
  /** Properties the prover left UNKNOWN (allowed only where the caller says so). */
  unknown: PropertyNumber[];
  status(n: PropertyNumber): ProofStatus;
}

/** Simulates the universe, proves the target, and compares. `allowUnknown`: UNKNOWN is counted, not a disagreement. */
export async function check(identity: Policy, bucket: Policy | undefined, requests: Request[], options: ProveOptions & { allowUnknown?: boolean } = {}): Promise<Compared> {
  const target = targetOf(identity, bucket);
  if (process.env.DIFFERENTIAL_DEBUG) process.stderr.write(`[differential] ${show(identity, bucket)}\n`);
  const truth = await simulate(target, requests);
  const proof = await proveTarget(target, options);
  if (process.env.DIFFERENTIAL_DEBUG) process.stderr.write(`[differential] proved in ${Math.round(proof.elapsedMs)} ms: ${proof.verdicts.map((v) => `${v.property} ${v.status} ${Math.round(v.elapsedMs)} ms`).join(", ")}\n`);
  const problems: string[] = [];
  const unknown: PropertyNumber[] = [];
  const status = (n: PropertyNumber): ProofStatus => proof.verdicts.find((v) => v.property === n)!.status;
  for (const n of COMPARED) {
    const v = proof.verdicts.find((x) => x.property === n)!;
    if (v.status === "UNKNOWN") {
      unknown.push(n);
      if (!options.allowUnknown) problems.push(`property ${n} UNKNOWN: ${v.reason}`);
    }
    if (truth.first[n] !== undefined && v.status === "PROVED") problems.push(`property ${n} PROVED, but the simulation breaks it: ${truth.first[n]}`);
    if (v.status === "VIOLATED") {
      const wrong = v.counterexample ? await recheck(target, n, v.counterexample) : "VIOLATED without a counterexample";
      if (wrong) problems.push(`property ${n} counterexample: ${wrong}`);
    }
  }
  return { truth, proof, problems, unknown, status };
}

/** `check`, throwing on any disagreement. */
export async function run(identity: Policy, bucket: Policy | undefined, requests: Request[], options: ProveOptions & { allowUnknown?: boolean } = {}): Promise<Compared> {
  const r = await check(identity, bucket, requests, options);
  if (r.problems.length) throw new Error(`prover and simulation disagree on ${show(identity, bucket)}:\n  ${r.problems.join("\n  ")}`);
  return r;
}

/** The seed and number of runs of a random suite, from the environment (`<NAME>_RUNS`, `<NAME>_SEED`: a number or "random"). */
export function runsFromEnv(name: string, defaultRuns: number, defaultSeed: number): { numRuns: number; seed?: number } {
  const runs = Number(process.env[`${name}_RUNS`] ?? defaultRuns);
  const seed = process.env[`${name}_SEED`];
  return { numRuns: runs, ...(seed === "random" ? {} : { seed: Number(seed ?? defaultSeed) }) };
}
