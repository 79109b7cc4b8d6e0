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
  type EvaluationResult,
  type SimulatePolicyResponse,
} from "@aws-sdk/client-iam";
import { awsErrorName, isRetryable, isThrottling } from "../../../aws-retry/errors";
import { AwsEngineError } from "./engine-error";
import { RetriesExhaustedError, retryPolicy, withRetries, type RetryPolicy } from "../../../aws-retry/retry";
import { ROLE_ARN } from "../../../contract/aws-ids";
import { statementLabel, type IamDocument } from "../../../iam/document";
import { bucketArnOf, type ReviewTarget, type RoleUnderReview } from "../../review-target";
import type { PolicyEngine, Progress, S3Request, Verdict } from "../engine";
import { describePair, planCalls, serializePolicy, type CallGroup, type PlannedCall } from "./call-plan";
import { contextEntriesFor } from "./request-context";
import { outcomesByPair, verdictFor, type PairOutcome } from "./responses";

export type { RetryPolicy };

// Its own module, so that the CLI can recognise it without loading the AWS SDK.
export { AwsEngineError };

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

/** IAM's simulator is rate-limited per account: more attempts and longer pauses than the Lambda's. */
export const DEFAULT_RETRY = retryPolicy({ maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8000 });
/** PMapper settled on 20 resources per call after "too many actions and resources" failures (nccgroup/PMapper PR 6). */
const DEFAULT_MAX_RESOURCES = 20;
const DEFAULT_MAX_ACTIONS = 20;
const DEFAULT_CONCURRENCY = 2;
const MAX_PAGES = 200;
const STAND_IN_USER = "policy-review-simulated-caller";

// ---------------------------------------------------------------------------------------------
// Calling IAM: retry, pagination, error classes

/** Errors about who we are or what we may do: the whole run fails, with the reason. */
const CALLER_ERRORS = new Set([
  "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
  "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId",
]);

interface AwsErrorLike {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

const asAwsError = (e: unknown): AwsErrorLike => (typeof e === "object" && e !== null ? (e as AwsErrorLike) : { message: String(e) });
/** IAM models PolicyEvaluation as a server fault, but it repeats for the same input: not worth a retry. */
const isPolicyEvaluationError = (e: unknown) => /^PolicyEvaluation/.test(awsErrorName(e));
/** The shared classification (aws-retry/errors.ts), less PolicyEvaluation. */
const isTransient = (e: unknown) => isRetryable(e) && !isPolicyEvaluationError(e);
/** An answer from IAM about this request (bad input, no such role): a problem on its verdicts, not a crash. */
const isServiceRejection = (e: AwsErrorLike) =>
  e.$metadata?.httpStatusCode !== undefined && (e.$fault === "client" || isPolicyEvaluationError(e)) && !CALLER_ERRORS.has(e.name ?? "");

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

/** The shared retry loop (aws-retry/retry.ts) with IAM's notion of transient; exhaustion is an engine error. */
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
