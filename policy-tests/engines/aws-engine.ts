/**
 * The `aws` engine: IAM's own policy simulator (SimulatePrincipalPolicy / SimulateCustomPolicy),
 * called through @aws-sdk/client-iam.
 *
 * - Documents (policy files, a synthesized stack): SimulateCustomPolicy with the role's identity
 *   policies as PolicyInputList. Deployed roles (`mode: "deployed"`): SimulatePrincipalPolicy with
 *   PolicySourceArn = the role, so IAM reads the policies actually attached to it.
 * - Policy variables are not substituted: the simulator resolves `${cognito-identity.amazonaws.com:sub}`
 *   from a string ContextEntry of that name, like any other context key.
 * - Trust policies are not evaluated here: AWS's simulator silently ignores the resource
 *   (trust) policy for `sts:Assume*` actions (aws/aws-cli issue 10314), so `evaluateTrust` is
 *   deliberately absent and trust checks stay with the local engine.
 *
 * Response shapes: since 2026-07-30 the simulator returns ONE EvaluationResult per action, whose
 * EvalResourceName is an ARN template, with the per-resource decisions in ResourceSpecificResults
 * (@aws-sdk/client-iam 3.1169 model docs, EvaluationResult). Before that it returned one result per
 * action × resource with EvalResourceName set (sometimes with ResourceSpecificResults too). Both
 * are read here; a result that cannot be matched to a request is a problem, never ignored.
 */
import {
  IAMClient,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type ContextKeyTypeEnum,
  type EvaluationResult,
  type SimulatePolicyResponse,
  type Statement,
} from "@aws-sdk/client-iam";
import { statementLabel, type IamDocument } from "../iam-document";
import { bucketArnOf, type ReviewTarget, type RoleUnderReview } from "../review-target";
import { IDENTITY_ID_KEY } from "../substitute-identity";
import type { Decision, PolicyEngine, Progress, S3Request, StatementRef, Verdict } from "./engine";
import { RetriesExhaustedError, withRetries, type RetryPolicy } from "../../lambda/retry";

export type { RetryPolicy };

/** A failure of the engine itself (credentials, throttling, permissions), not a verdict. */
export class AwsEngineError extends Error {
  override name = "AwsEngineError";
}

export interface AwsEngineOptions {
  /** An IAM client to use (tests inject one); otherwise one is built from the default credential chain. */
  client?: IAMClient;
  /** Region for the built client (IAM is global; the region picks the partition's endpoint). */
  region?: string;
  /** `deployed`: role ARNs are real roles, simulate their attached policies. Default `documents`. */
  mode?: "deployed" | "documents";
  /** Simulated caller when the bucket policy is included; default an IAM user ARN in the role's account (see `standInCallerArn`). */
  callerArn?: string;
  retry?: Partial<RetryPolicy>;
  /** Most action names / resource ARNs per call. */
  maxActionsPerCall?: number;
  maxResourcesPerCall?: number;
  /** Simulator calls in flight at once. */
  concurrency?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};
/** PMapper settled on 20 resources per call after "too many actions and resources" failures (nccgroup/PMapper PR 6). */
const DEFAULT_MAX_RESOURCES = 20;
const DEFAULT_MAX_ACTIONS = 20;
const DEFAULT_CONCURRENCY = 2;
const MAX_PAGES = 200;
const STAND_IN_USER = "policy-review-simulated-caller";
const ROLE_ARN = /^arn:(aws[-a-z]*):iam::(\d{12}):role\/.+$/;

// ---------------------------------------------------------------------------------------------
// Context entries

type ScalarKeyType = "string" | "boolean" | "numeric" | "date" | "ip";

/**
 * Global and S3 keys whose type is not string, by lower-cased name (IAM key names are
 * case-insensitive). Every other key is a string. The type follows from the key, never guessed
 * from a value that happens to read "true"; an array value makes it the list type.
 */
const KEY_TYPES: Record<string, ScalarKeyType> = {
  "aws:securetransport": "boolean",
  "aws:multifactorauthpresent": "boolean",
  "aws:viaawsservice": "boolean",
  "aws:principalisawsservice": "boolean",
  "aws:multifactorauthage": "numeric",
  "s3:max-keys": "numeric",
  "s3:signatureage": "numeric",
  "s3:object-lock-remaining-retention-days": "numeric",
  "aws:currenttime": "date",
  "aws:tokenissuetime": "date",
  "aws:sourceip": "ip",
};

const VALUE_CHECKS: Record<Exclude<ScalarKeyType, "string">, { test: (v: string) => boolean; expected: string }> = {
  boolean: { test: (v) => v === "true" || v === "false", expected: '"true" or "false"' },
  numeric: { test: (v) => /^-?\d+(\.\d+)?$/.test(v), expected: "a number" },
  date: { test: (v) => /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)), expected: "an ISO 8601 date or epoch seconds" },
  ip: { test: (v) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(v), expected: "an IP address or CIDR" },
};

/** The ContextKeyType for `key` holding `value`: the key's scalar type, or its list type for an array. */
export function contextKeyType(key: string, value: string | string[]): ContextKeyTypeEnum {
  const scalar = KEY_TYPES[key.toLowerCase()] ?? "string";
  return (Array.isArray(value) ? `${scalar}List` : scalar) as ContextKeyTypeEnum;
}

/**
 * The ContextEntries for one request: the caller's identity id as a string entry, every
 * context key with its type, and `aws:PrincipalArn` = the role (what IAM sets for a role
 * session) unless the request sets it or leaves it out on purpose. Throws on a value the key's
 * type cannot hold.
 */
export function contextEntriesFor(request: Pick<S3Request, "identityId" | "context" | "deliberatelyAbsent" | "role">): ContextEntry[] {
  const entries: ContextEntry[] = [{ ContextKeyName: IDENTITY_ID_KEY, ContextKeyValues: [request.identityId], ContextKeyType: "string" }];
  const given = new Set([IDENTITY_ID_KEY]);
  for (const key of Object.keys(request.context).sort()) {
    if (key.toLowerCase() === IDENTITY_ID_KEY) continue; // the engine supplies the identity id itself
    const value = request.context[key]!;
    const type = contextKeyType(key, value);
    const values = Array.isArray(value) ? value : [value];
    const scalar = type.replace(/List$/, "") as ScalarKeyType;
    if (scalar !== "string") {
      const check = VALUE_CHECKS[scalar];
      const bad = values.find((v) => !check.test(v));
      if (bad !== undefined) throw new Error(`context key ${key} is ${scalar}: ${JSON.stringify(bad)} is not ${check.expected}`);
    }
    entries.push({ ContextKeyName: key, ContextKeyValues: values, ContextKeyType: type });
    given.add(key.toLowerCase());
  }
  const absent = new Set(request.deliberatelyAbsent.map((k) => k.toLowerCase()));
  if (!given.has("aws:principalarn") && !absent.has("aws:principalarn")) {
    entries.push({ ContextKeyName: "aws:PrincipalArn", ContextKeyValues: [request.role.roleArn], ContextKeyType: "string" });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Policy text we send, and finding a matched statement in it

/** A policy as sent: MatchedStatements point into `text` by line and column. */
export interface SentPolicy {
  name: string;
  document: IamDocument;
  text: string;
  /** 1-based line on which each statement starts. */
  statementLines: number[];
}

/**
 * Serializes a document with each statement on a line of its own (statement n on line n + 2),
 * so a MatchedStatements StartPosition.Line identifies the statement whatever base the column uses.
 */
export function serializePolicy(name: string, document: IamDocument): SentPolicy {
  const head = JSON.stringify({ ...(document.Version ? { Version: document.Version } : {}), ...(document.Id ? { Id: document.Id } : {}) });
  const open = `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"Statement":[`;
  const lines = document.Statement.map((s, i) => JSON.stringify(s) + (i < document.Statement.length - 1 ? "," : ""));
  return { name, document, text: [open, ...lines, "]}"].join("\n"), statementLines: document.Statement.map((_, i) => i + 2) };
}

function positionLabel(s: Statement): string {
  const p = s.StartPosition;
  return p?.Line !== undefined ? `at line ${p.Line}, column ${p.Column ?? "?"}` : "(position not reported)";
}

/**
 * A matched statement as a StatementRef. Statements of policies we sent (PolicyInputList.N,
 * ResourcePolicy) are located exactly. A deployed role's attached policy is known only by its
 * SourcePolicyId and a position in a document we did not send: its effect is recoverable only
 * when the decision implies it (allowed → Allow; the sole statement of an explicit deny → Deny);
 * otherwise it is left out rather than guessed.
 */
function statementRef(s: Statement, sent: Map<string, SentPolicy>, decision: string, matchedCount: number): StatementRef | undefined {
  const policy = s.SourcePolicyId !== undefined ? sent.get(s.SourcePolicyId) : undefined;
  if (policy) {
    const index = policy.statementLines.indexOf(s.StartPosition?.Line ?? -1);
    const statement = policy.document.Statement[index];
    if (statement) return { policy: policy.name, statement: statementLabel(statement, index), effect: statement.Effect };
  }
  const effect = decision === "allowed" ? "Allow" : decision === "explicitDeny" && matchedCount === 1 ? "Deny" : undefined;
  if (!effect) return undefined;
  return { policy: policy?.name ?? s.SourcePolicyId ?? "(unnamed policy)", statement: positionLabel(s), effect };
}

// ---------------------------------------------------------------------------------------------
// Planning calls: group requests that can share one simulation, exact action × resource grids

interface PlannedCall {
  api: "SimulatePrincipalPolicy" | "SimulateCustomPolicy";
  /** SimulatePrincipalPolicy: the deployed role. */
  policySourceArn?: string;
  /** SimulateCustomPolicy: PolicyInputList, in order (`PolicyInputList.1` is the first). */
  policyInputs: SentPolicy[];
  /** Reachability: PolicyInputList is one `Allow` of exactly this call's actions on its resources. */
  permissiveControl?: boolean;
  resourcePolicy?: { policy: SentPolicy; owner: string; callerArn: string };
  contextEntries: ContextEntry[];
  actions: string[];
  resources: string[];
  /** pair key → indexes of the requests it answers. */
  pairs: Map<string, number[]>;
  /** Problems every verdict of this call carries. */
  problems: string[];
}

/** What MatchedStatements' SourcePolicyId values refer to in this call. */
function sentPolicies(call: PlannedCall): Map<string, SentPolicy> {
  const sent = new Map<string, SentPolicy>(call.policyInputs.map((p, i) => [`PolicyInputList.${i + 1}`, p]));
  if (call.resourcePolicy) sent.set("ResourcePolicy", call.resourcePolicy.policy);
  return sent;
}

/** The permissive control policy for a reachability call. */
export function controlPolicy(actions: string[], resources: string[]): SentPolicy {
  return serializePolicy("control policy (Allow action on resource)", {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReachabilityControl", Effect: "Allow", Action: actions.length === 1 ? actions[0]! : actions, Resource: resources.length === 1 ? resources[0]! : resources }],
  });
}

const pairKey = (action: string, resource: string) => `${action.toLowerCase()}\u0000${resource}`;
const describePair = (key: string) => key.replace("\u0000", " on ");

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type CallShape = Omit<PlannedCall, "actions" | "resources" | "pairs">;

interface CallGroup {
  /** Everything the calls of one group share, e.g. role, identity id, context and bucket policy. */
  key: string;
  /** Builds a fresh shape per call (calls must not share their problem lists). */
  shape: () => CallShape;
}

/**
 * Groups requests by everything a call shares (the call shape's key), then, inside a group,
 * gathers resources that ask for the same set of actions, so each call's action × resource grid
 * holds only pairs some request asked about.
 */
function planCalls(
  requests: S3Request[],
  shapeOf: (r: S3Request) => CallGroup,
  limits: { maxActions: number; maxResources: number },
): PlannedCall[] {
  const groups = new Map<string, { shape: () => CallShape; byResource: Map<string, Map<string, number[]>> }>();
  requests.forEach((r, index) => {
    const { key, shape } = shapeOf(r);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { shape, byResource: new Map() }));
    let actions = group.byResource.get(r.resourceArn);
    if (!actions) group.byResource.set(r.resourceArn, (actions = new Map()));
    const action = r.action.toLowerCase();
    actions.set(action, [...(actions.get(action) ?? []), index]);
  });
  const calls: PlannedCall[] = [];
  for (const group of groups.values()) {
    const bySignature = new Map<string, string[]>();
    for (const [resource, actions] of group.byResource) {
      const signature = [...actions.keys()].sort().join(" ");
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), resource]);
    }
    for (const [signature, resources] of bySignature) {
      for (const actionChunk of chunk(signature.split(" "), limits.maxActions)) {
        for (const resourceChunk of chunk(resources, limits.maxResources)) {
          const pairs = new Map<string, number[]>();
          // Send the action names as the requests spelled them.
          const spelled = actionChunk.map((a) => requests[group.byResource.get(resourceChunk[0]!)!.get(a)![0]!]!.action);
          for (const resource of resourceChunk) {
            for (const action of actionChunk) pairs.set(pairKey(action, resource), group.byResource.get(resource)!.get(action)!);
          }
          const shape = group.shape();
          const policyInputs = shape.permissiveControl ? [controlPolicy(spelled, resourceChunk)] : shape.policyInputs;
          calls.push({ ...shape, policyInputs, actions: spelled, resources: resourceChunk, pairs });
        }
      }
    }
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------
// Calling IAM: retry, pagination, error classes

const THROTTLING = new Set(["Throttling", "ThrottlingException", "TooManyRequests", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException"]);
const TRANSIENT_NETWORK = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNREFUSED"]);
/** Errors about who we are or what we may do: the whole run fails, with the reason. */
const CALLER_ERRORS = new Set([
  "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
  "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId",
]);

interface AwsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const asAwsError = (e: unknown): AwsErrorLike => (typeof e === "object" && e !== null ? (e as AwsErrorLike) : { message: String(e) });
const isThrottling = (e: AwsErrorLike) => THROTTLING.has(e.name ?? "") || e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429;
/** A 5xx, except PolicyEvaluation: IAM models it as a server fault, but it repeats for the same input. */
const isServerError = (e: AwsErrorLike) =>
  ((e.$metadata?.httpStatusCode ?? 0) >= 500 || e.$fault === "server") && !/^PolicyEvaluation/.test(e.name ?? "");
const isTransient = (e: AwsErrorLike) => isThrottling(e) || isServerError(e) || TRANSIENT_NETWORK.has(e.code ?? "") || e.name === "TimeoutError";
/** An answer from IAM about this request (bad input, no such role): a problem on its verdicts, not a crash. */
const isServiceRejection = (e: AwsErrorLike) =>
  e.$metadata?.httpStatusCode !== undefined && (e.$fault === "client" || /^PolicyEvaluation/.test(e.name ?? "")) && !CALLER_ERRORS.has(e.name ?? "");

function fatal(e: AwsErrorLike, api: string): AwsEngineError {
  const what = `${e.name ?? "Error"}: ${e.message ?? ""}`.trim();
  if (e.name === "CredentialsProviderError" || /could not load credentials/i.test(e.message ?? "")) {
    return new AwsEngineError(
      `the aws engine needs AWS credentials: ${e.message}. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run \`aws sso login\`.`,
    );
  }
  if (CALLER_ERRORS.has(e.name ?? "")) {
    return new AwsEngineError(`the aws engine could not call IAM ${api} (${what}); it needs iam:SimulateCustomPolicy and, for deployed roles, iam:SimulatePrincipalPolicy.`);
  }
  return new AwsEngineError(`the aws engine could not call IAM ${api}: ${what}`);
}

/** The shared retry loop (lambda/retry.ts) with IAM's notion of transient; exhaustion is an engine error. */
async function withRetry<T>(api: string, send: () => Promise<T>, retry: RetryPolicy): Promise<T> {
  let last: AwsErrorLike = {};
  try {
    return await withRetries(retry, `IAM ${api}`, send, (raw) => isTransient((last = asAwsError(raw))));
  } catch (error) {
    if (!(error instanceof RetriesExhaustedError)) throw error;
    const why = isThrottling(last) ? "still throttled" : "still failing";
    throw new AwsEngineError(
      `IAM ${api} was ${why} after ${retry.maxAttempts} attempts (last error ${last.name ?? "Error"}: ${last.message ?? ""}); retry later or lower the concurrency.`,
    );
  }
}

/** Every EvaluationResult of one call, following IsTruncated/Marker. */
async function simulateAllPages(client: IAMClient, call: PlannedCall, retry: RetryPolicy): Promise<EvaluationResult[]> {
  const shared = {
    ActionNames: call.actions,
    ResourceArns: call.resources,
    ContextEntries: call.contextEntries,
    ...(call.resourcePolicy
      ? { ResourcePolicy: call.resourcePolicy.policy.text, ResourceOwner: call.resourcePolicy.owner, CallerArn: call.resourcePolicy.callerArn }
      : {}),
  };
  const results: EvaluationResult[] = [];
  const seenMarkers = new Set<string>();
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const paging = marker !== undefined ? { Marker: marker } : {};
    const response: SimulatePolicyResponse = await withRetry(call.api, () =>
      call.api === "SimulatePrincipalPolicy"
        ? client.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: call.policySourceArn, ...shared, ...paging }))
        : client.send(new SimulateCustomPolicyCommand({ PolicyInputList: call.policyInputs.map((p) => p.text), ...shared, ...paging })),
      retry,
    );
    results.push(...(response.EvaluationResults ?? []));
    if (!response.IsTruncated) return results;
    if (!response.Marker || seenMarkers.has(response.Marker)) {
      throw new AwsEngineError(`IAM ${call.api} said its results were truncated but gave ${response.Marker ? "a repeated" : "no"} Marker`);
    }
    seenMarkers.add(response.Marker);
    marker = response.Marker;
  }
  throw new AwsEngineError(`IAM ${call.api} returned more than ${MAX_PAGES} pages for one call`);
}

// ---------------------------------------------------------------------------------------------
// Reading results

/** One decision IAM reported for one action on one resource. */
interface PairOutcome {
  decision: string;
  matched: Statement[];
  missing: string[];
  deniedByOrganizations: boolean;
  deniedByBoundary: boolean;
}

/**
 * Per (action, resource) outcomes from either response shape. ResourceSpecificResults win when
 * present (in the 2026 shape the top-level fields aggregate all resources and EvalResourceName
 * is only an ARN template). A per-resource entry without its own MissingContextValues inherits
 * the result's: attributing a missing key too widely costs a false alarm, too narrowly a false pass.
 */
export function outcomesByPair(results: EvaluationResult[]): Map<string, PairOutcome[]> {
  const out = new Map<string, PairOutcome[]>();
  const add = (key: string, o: PairOutcome) => out.set(key, [...(out.get(key) ?? []), o]);
  for (const r of results) {
    const action = r.EvalActionName ?? "";
    const deniedByOrganizations = r.OrganizationsDecisionDetail?.AllowedByOrganizations === false;
    const specific = r.ResourceSpecificResults ?? [];
    if (specific.length > 0) {
      for (const s of specific) {
        add(pairKey(action, s.EvalResourceName ?? ""), {
          decision: s.EvalResourceDecision ?? "",
          matched: s.MatchedStatements ?? (specific.length === 1 ? r.MatchedStatements ?? [] : []),
          missing: s.MissingContextValues ?? r.MissingContextValues ?? [],
          deniedByOrganizations,
          deniedByBoundary: (s.PermissionsBoundaryDecisionDetail ?? r.PermissionsBoundaryDecisionDetail)?.AllowedByPermissionsBoundary === false,
        });
      }
    } else {
      add(pairKey(action, r.EvalResourceName ?? "*"), {
        decision: r.EvalDecision ?? "",
        matched: r.MatchedStatements ?? [],
        missing: r.MissingContextValues ?? [],
        deniedByOrganizations,
        deniedByBoundary: r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false,
      });
    }
  }
  return out;
}

const DECISIONS: Record<string, Decision> = { allowed: "Allowed", explicitDeny: "ExplicitlyDenied", implicitDeny: "ImplicitlyDenied" };

function verdictFor(request: S3Request, outcomes: PairOutcome[] | undefined, call: PlannedCall): Verdict {
  const problems = [...call.problems];
  const first = outcomes?.[0];
  if (!first) {
    return { decision: "ImplicitlyDenied", decidedBy: [], problems: [...problems, `IAM returned no result for ${request.action} on ${request.resourceArn}`] };
  }
  if (outcomes.some((o) => o.decision !== first.decision)) {
    problems.push(`IAM returned conflicting decisions for ${request.action} on ${request.resourceArn}: ${outcomes.map((o) => o.decision).join(", ")}`);
  }
  const decision = DECISIONS[first.decision];
  if (!decision) problems.push(`IAM returned an unknown decision ${JSON.stringify(first.decision)}`);
  const absent = new Set(request.deliberatelyAbsent.map((k) => k.toLowerCase()));
  for (const key of new Set(outcomes.flatMap((o) => o.missing))) {
    if (!absent.has(key.toLowerCase())) problems.push(`IAM reported a missing context value for ${key}: a condition on it was not evaluated`);
  }
  const sent = sentPolicies(call);
  const decidedBy = first.matched
    .map((s) => statementRef(s, sent, first.decision, first.matched.length))
    .filter((s): s is StatementRef => s !== undefined);
  if (first.deniedByOrganizations) decidedBy.push({ policy: "service control policies", statement: "(not reported by the simulator)", effect: "Deny" });
  if (first.deniedByBoundary) decidedBy.push({ policy: "permissions boundary", statement: "(not reported by the simulator)", effect: "Deny" });
  return { decision: decision ?? "ImplicitlyDenied", decidedBy, problems };
}

// ---------------------------------------------------------------------------------------------
// Running a plan

async function runPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Runner {
  client: IAMClient;
  retry: RetryPolicy;
  concurrency: number;
  limits: { maxActions: number; maxResources: number };
}

async function evaluate(
  runner: Runner,
  requests: S3Request[],
  shapeOf: (r: S3Request) => CallGroup,
  onProgress?: Progress,
): Promise<Verdict[]> {
  const verdicts: (Verdict | undefined)[] = new Array(requests.length);
  const evaluable: S3Request[] = [];
  const original: number[] = [];
  requests.forEach((r, i) => {
    try {
      contextEntriesFor(r);
      evaluable.push(r);
      original.push(i);
    } catch (e) {
      verdicts[i] = { decision: "ImplicitlyDenied", decidedBy: [], problems: [`not simulated: ${(e as Error).message}`] };
    }
  });
  let done = requests.length - evaluable.length;
  onProgress?.(done, requests.length);
  const calls = planCalls(evaluable, shapeOf, runner.limits);
  await runPool(calls, runner.concurrency, async (call) => {
    let outcomes = new Map<string, PairOutcome[]>();
    try {
      outcomes = outcomesByPair(await simulateAllPages(runner.client, call, runner.retry));
    } catch (raw) {
      if (raw instanceof AwsEngineError) throw raw;
      const e = asAwsError(raw);
      if (!isServiceRejection(e)) throw fatal(e, call.api);
      call.problems.push(`IAM rejected the simulation (${e.name}: ${e.message})`);
    }
    const stray = [...outcomes.keys()].filter((k) => !call.pairs.has(k));
    if (stray.length > 0) {
      call.problems.push(`IAM returned results this call did not ask for (${stray.map(describePair).join("; ")}): its results cannot be matched to requests with confidence`);
    }
    const answered = new Set<number>();
    for (const [key, indexes] of call.pairs) {
      for (const i of indexes) {
        verdicts[original[i]!] = verdictFor(evaluable[i]!, outcomes.get(key), call);
        answered.add(i);
      }
    }
    done += answered.size;
    onProgress?.(done, requests.length);
  });
  return verdicts.map((v, i) => v ?? { decision: "ImplicitlyDenied", decidedBy: [], problems: [`request ${i} was never simulated`] });
}

// ---------------------------------------------------------------------------------------------
// The engine

/**
 * The simulated caller when a bucket policy is included. AWS accepts only an IAM user (older
 * docs and the "Invalid caller - Caller must be an IAM user in this context" error recorded in
 * ScottLogic's 2025 post) — newer docs also allow a group or role — and never an assumed-role
 * session, federated user or service principal. So the session our requests really come from
 * (`arn:aws:sts::<acct>:assumed-role/<role>/CognitoIdentityCredentials`) cannot be used; a user
 * ARN in the role's account stands in (it need not exist), and `aws:PrincipalArn` carries the
 * role. The stand-in matches bucket-policy principals "*" and the account, not a named role:
 * such statements are reported as problems (see `principalProblems`).
 */
export function standInCallerArn(role: RoleUnderReview, target: Pick<ReviewTarget, "accountId">): string {
  const m = ROLE_ARN.exec(role.roleArn);
  return `arn:${m?.[1] ?? "aws"}:iam::${m?.[2] ?? target.accountId}:user/${STAND_IN_USER}`;
}

/** Bucket-policy statements whose Principal the stand-in caller cannot match as the real session would. */
export function principalProblems(policyName: string, document: IamDocument, callerAccount: string): string[] {
  const matchesAnyone = (v: string) => v === "*" || v === callerAccount || new RegExp(`^arn:aws[-a-z]*:iam::${callerAccount}:root$`).test(v);
  return document.Statement.flatMap((s, i) => {
    const label = `${policyName} ${statementLabel(s, i)}`;
    if (s.NotPrincipal !== undefined) return [`${label} uses NotPrincipal, which the simulator's stand-in caller cannot evaluate as the role session`];
    if (s.Principal === undefined || s.Principal === "*") return [];
    const named = Object.entries(s.Principal).flatMap(([kind, v]) => (Array.isArray(v) ? v : [v]).map((x) => [kind, x] as const));
    const unmatched = named.filter(([kind, v]) => kind !== "AWS" || !matchesAnyone(v)).map(([kind, v]) => `${kind}:${v}`);
    return unmatched.length > 0 ? [`${label} names principal(s) ${unmatched.join(", ")}, which the simulator's stand-in caller cannot match: that statement's effect is not simulated`] : [];
  });
}

const contextKeyOf = (r: S3Request) =>
  JSON.stringify([r.role.group, r.role.roleArn, r.identityId, Object.keys(r.context).sort().map((k) => [k, r.context[k]])]);

function accountRoot(role: RoleUnderReview, accountId: string): string {
  return `arn:${ROLE_ARN.exec(role.roleArn)?.[1] ?? "aws"}:iam::${accountId}:root`;
}

/**
 * Creates the `aws` engine. It has no `evaluateTrust`: AWS's simulator silently does not
 * evaluate a trust (resource) policy for `sts:Assume*` (aws/aws-cli issue 10314), so a trust
 * verdict from it would be a false pass; trust checks stay with the local engine.
 */
export function createAwsEngine(options: AwsEngineOptions = {}): PolicyEngine {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  // maxAttempts 1: retries are ours, so they are bounded, jittered and testable.
  const client = options.client ?? new IAMClient({ region, maxAttempts: 1 });
  const runner: Runner = {
    client,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
    limits: { maxActions: options.maxActionsPerCall ?? DEFAULT_MAX_ACTIONS, maxResources: options.maxResourcesPerCall ?? DEFAULT_MAX_RESOURCES },
  };
  const deployed = options.mode === "deployed";

  return {
    name: "aws",

    async evaluateS3(target: ReviewTarget, requests: S3Request[], onProgress?: Progress): Promise<Verdict[]> {
      if (deployed) {
        const bad = requests.find((r) => !ROLE_ARN.test(r.role.roleArn));
        if (bad) throw new AwsEngineError(`deployed mode needs real role ARNs: group ${bad.role.group} has ${JSON.stringify(bad.role.roleArn)}`);
      }
      const bucketArn = bucketArnOf(target);
      const bucketPolicy = target.bucketPolicy ? serializePolicy(target.bucketPolicy.name, target.bucketPolicy.document) : undefined;
      const inBucket = (arn: string) => arn === bucketArn || arn.startsWith(`${bucketArn}/`);
      return evaluate(runner, requests, (r) => {
        // The bucket policy goes only with the bucket's own ARNs: IAM rejects a ResourcePolicy that does not apply to every resource of the call.
        const withBucketPolicy = bucketPolicy !== undefined && inBucket(r.resourceArn);
        return {
          key: JSON.stringify([contextKeyOf(r), withBucketPolicy]),
          shape: () => {
            const problems: string[] = [];
            let resourcePolicy: PlannedCall["resourcePolicy"];
            if (withBucketPolicy) {
              const callerArn = options.callerArn ?? standInCallerArn(r.role, target);
              resourcePolicy = { policy: bucketPolicy, owner: accountRoot(r.role, target.accountId), callerArn };
              problems.push(...principalProblems(bucketPolicy.name, bucketPolicy.document, callerArn.split(":")[4] ?? ""));
            }
            return {
              api: deployed ? "SimulatePrincipalPolicy" : "SimulateCustomPolicy",
              ...(deployed ? { policySourceArn: r.role.roleArn } : {}),
              // Deployed: IAM reads the attached policies; sending ours too would add to them.
              policyInputs: deployed ? [] : r.role.identityPolicies.map((p) => serializePolicy(p.name, p.document)),
              contextEntries: contextEntriesFor(r),
              ...(resourcePolicy ? { resourcePolicy } : {}),
              problems,
            };
          },
        };
      }, onProgress);
    },

    /** Each request under `Allow <action> on <resource>` alone: no bucket policy, same context. */
    async evaluateReachability(_target: ReviewTarget, requests: S3Request[]): Promise<Verdict[]> {
      return evaluate(runner, requests, (r) => ({
        key: contextKeyOf(r),
        shape: () => ({ api: "SimulateCustomPolicy", policyInputs: [], permissiveControl: true, contextEntries: contextEntriesFor(r), problems: [] }),
      }));
    },
  };
}
