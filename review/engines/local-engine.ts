/**
 * The offline engine: @cloud-copilot/iam-simulate (AGPL-3.0: a dev dependency of the reviewer
 * tooling only, never bundled into the Lambda or the components).
 *
 * Its validated mode does not accept `cognito-identity.amazonaws.com:sub` as request context
 * for S3 actions: it lists the key as ignored and leaves the policy variable unresolved, which
 * denies the owner too and would make every cross-user "denied" vacuous. Its unsafe mode
 * resolves the variable but fails when given a resource policy. So the variable is resolved
 * first, exactly as IAM does (substitute-identity.ts), and the validated mode then evaluates
 * identity and bucket policy together. Any context key it ignores, and any condition that failed
 * for lack of a key the scenario did not leave out on purpose, is a problem on the verdict.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import "./resource-type-memo";
import { blindToSessions, placeholder, renamed, RESOURCE_PLACEHOLDER, SharedSimulations } from "./shared-simulations";
import type { ForeignPrincipal } from "../../iam/principals";
import type { IamDocument, PolicyStatement } from "../../iam/document";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";
import { substituteIdentityId } from "../../iam/substitute-identity";
import type { Decision, PolicyEngine, Progress, S3Request, StatementRef, TrustRequest, Verdict } from "./engine";
import { validated, type PolicySlot } from "./validated-policies";

/** Shape of the parts of iam-simulate's analysis this engine reads. */
interface StatementAnalysis {
  policyId?: string;
  /** iam-policy's Statement object. */
  statement: { sid(): string | undefined; index(): number };
  actionMatch?: boolean;
  resourceMatch?: boolean;
  principalMatch?: string;
  explain?: { identifier?: string; conditions?: { conditionKeyValue?: string; failedBecauseMissing?: boolean }[] };
}
interface PolicyAnalysis {
  allowStatements?: StatementAnalysis[];
  denyStatements?: StatementAnalysis[];
  unmatchedStatements?: StatementAnalysis[];
}
interface Analysis {
  result?: string;
  identityAnalysis?: PolicyAnalysis;
  resourceAnalysis?: PolicyAnalysis;
}

export const SESSION_NAME = "CognitoIdentityCredentials";

/** The principal a Cognito identity acts as: an STS session of the role. */
export function sessionArn(role: RoleUnderReview, accountId: string): string {
  const roleName = role.roleArn.split("/").pop();
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${SESSION_NAME}`;
}

const asSimulationPolicy = (d: IamDocument) => d as unknown as Simulation["resourcePolicy"] & object;
/** The document as the evaluator takes it for `slot`, validated once (validated-policies.ts). */
const forSlot = (d: IamDocument, slot: PolicySlot) => validated(d, slot) as Simulation["resourcePolicy"] & object;

/** Names the statement as statementLabel does: its Sid, else `#<0-based index>`. */
function statementRef(s: StatementAnalysis, effect: "Allow" | "Deny", resourcePolicyName: string): StatementRef {
  // iam-policy's index() counts from 1 (its explain identifier too); statementLabel counts from 0.
  return { policy: s.policyId ?? resourcePolicyName, statement: s.statement.sid() ?? `#${s.statement.index() - 1}`, effect };
}

/** Conditions that failed because a key had no value, in statements that otherwise applied. */
function missingKeys(analysis: PolicyAnalysis | undefined, deliberatelyAbsent: string[]): string[] {
  const absent = new Set(deliberatelyAbsent.map((k) => k.toLowerCase()));
  const all = [...(analysis?.allowStatements ?? []), ...(analysis?.denyStatements ?? []), ...(analysis?.unmatchedStatements ?? [])];
  return all
    .filter((s) => s.actionMatch !== false && s.resourceMatch !== false && s.principalMatch !== "NoMatch")
    .flatMap((s) => s.explain?.conditions ?? [])
    .filter((c) => c.failedBecauseMissing && c.conditionKeyValue && !absent.has(c.conditionKeyValue.toLowerCase()))
    .map((c) => c.conditionKeyValue!);
}

/** `resourcePolicyName` names the resource (bucket or trust) policy in findings: the evaluator does not. */
async function simulateOnce(simulation: Simulation, deliberatelyAbsent: string[], problems: string[], resourcePolicyName = "resource policy"): Promise<Verdict> {
  let response: Awaited<ReturnType<typeof runSimulation>>;
  try {
    response = await runSimulation(simulation, {});
  } catch (e) {
    return { decision: "ImplicitlyDenied", decidedBy: [], problems: [...problems, `evaluator failed: ${(e as Error).message}`] };
  }
  if (response.resultType === "error") {
    return { decision: "ImplicitlyDenied", decidedBy: [], problems: [...problems, `evaluator refused the request: ${JSON.stringify(response.errors)}`] };
  }
  if (response.resultType !== "single") {
    return { decision: "ImplicitlyDenied", decidedBy: [], problems: [...problems, `unexpected ${response.resultType} result for a single resource`] };
  }
  const result = response.result as { analysis?: Analysis; ignoredContextKeys?: string[] };
  const analysis = result.analysis ?? {};
  const decision = response.overallResult as Decision;
  const ignored = result.ignoredContextKeys ?? [];
  const missing = [...missingKeys(analysis.identityAnalysis, deliberatelyAbsent), ...missingKeys(analysis.resourceAnalysis, deliberatelyAbsent)];
  const decidedBy =
    decision === "Allowed"
      ? [...(analysis.identityAnalysis?.allowStatements ?? []), ...(analysis.resourceAnalysis?.allowStatements ?? [])].map((s) => statementRef(s, "Allow", resourcePolicyName))
      : decision === "ExplicitlyDenied"
        ? [...(analysis.identityAnalysis?.denyStatements ?? []), ...(analysis.resourceAnalysis?.denyStatements ?? [])].map((s) => statementRef(s, "Deny", resourcePolicyName))
        : [];
  return {
    decision,
    decidedBy,
    problems: [
      ...problems,
      ...ignored.map((k) => `the evaluator ignored context key ${k}`),
      ...[...new Set(missing)].map((k) => `a condition failed only because context key ${k} had no value`),
    ],
  };
}

/** A simulation with no organization policies (none apply to this account's review). */
function simulation(
  identityPolicies: Simulation["identityPolicies"],
  resourcePolicy: Simulation["resourcePolicy"],
  request: { principal: Simulation["request"]["principal"]; action: string; resourceArn: string; accountId: string; context: Record<string, string | string[]> },
): Simulation {
  return {
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resourceArn, accountId: request.accountId },
      contextVariables: request.context,
    },
  };
}

/** Resolves each policy document for one identity, once (keyed by the document itself, never its name). */
class SubstitutionCache {
  private readonly cache = new WeakMap<IamDocument, Map<string, { document: IamDocument; unresolved: string[] }>>();
  get(policy: NamedPolicy, identityId: string | undefined) {
    let perIdentity = this.cache.get(policy.document);
    if (!perIdentity) this.cache.set(policy.document, (perIdentity = new Map()));
    const key = identityId ?? "";
    let hit = perIdentity.get(key);
    if (!hit) perIdentity.set(key, (hit = substituteIdentityId(policy.document, identityId)));
    return hit;
  }
}

const ALLOW_ALL: IamDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** How iam-simulate names a foreign principal, and the identity policies it brings. */
function foreignSimulation(f: ForeignPrincipal, accountId: string): { principal: Simulation["request"]["principal"]; identityPolicies: Simulation["identityPolicies"] } {
  const p = f.principal;
  if (p.kind === "anonymous") return { principal: anonymousPrincipal, identityPolicies: [] };
  if (p.kind === "service") return { principal: p.service, identityPolicies: [] };
  if (p.kind === "canonical-user") return { principal: anonymousPrincipal, identityPolicies: [] };
  // Another account's principal is allowed by its own account (worst case: everything); one of
  // the bucket's own account gets only what the bucket policy grants (its policies are not read).
  const arn = p.arn ?? `arn:aws:sts::${p.accountId}:assumed-role/any/session`;
  return { principal: arn, identityPolicies: p.accountId === accountId ? [] : [{ name: "its own account (assumed to allow everything)", policy: asSimulationPolicy(ALLOW_ALL) }] };
}

/** A request's simulation inputs that depend only on its role (or foreign principal) and identity id. */
interface Prepared {
  /** Unresolved policy variables, an unsupported principal. */
  problems: string[];
  principal: Simulation["request"]["principal"];
  /** The part of the shared-simulation key these inputs make up (shared-simulations.ts). */
  keyPrefix: string;
  /** The identity policies as the evaluator sees them: placeholder names. */
  evaluated: Simulation["identityPolicies"];
  /** Their own names, which the verdict is given back. */
  names: string[];
  resourceDocument?: IamDocument;
}

/** Simulations every local engine of the process shares unless given a store of its own. */
const processSimulations = new SharedSimulations();

export interface LocalEngineOptions {
  /**
   * Where simulations are shared (shared-simulations.ts says when two requests are one). By
   * default one store for the process: the evaluator's answer depends only on the key, so reviews
   * of the same documents under other names (a template and the policy files taken from it, two
   * stacks of one template) simulate each request once. A benchmark gives each run a new store,
   * to measure the simulations themselves.
   */
  simulations?: SharedSimulations;
}

export function createLocalEngine(options: LocalEngineOptions = {}): PolicyEngine {
  const shared = options.simulations ?? processSimulations;
  const substitutions = new SubstitutionCache();
  const stats = { simulations: 0 };
  const simulate = (...args: Parameters<typeof simulateOnce>) => {
    stats.simulations += 1;
    return simulateOnce(...args);
  };

  return {
    name: "local",
    stats,

    async evaluateS3(target: ReviewTarget, requests: S3Request[], onProgress?: Progress): Promise<Verdict[]> {
      const verdicts: Verdict[] = [];
      const needed = new Map<string, Set<string>>();
      // What a request's simulation takes besides action, resource and context depends only on its
      // role (or foreign principal) and identity id: worked out once per pair, not per request.
      const prepared = new Map<RoleUnderReview | ForeignPrincipal, Map<string, Prepared>>();
      const prepare = (request: S3Request): Prepared => {
        const problems: string[] = [];
        if (request.foreign?.principal.kind === "canonical-user") problems.push("the local engine cannot simulate a canonical-user principal");
        const foreign = request.foreign ? foreignSimulation(request.foreign, target.accountId) : undefined;
        const identityPolicies = foreign ? foreign.identityPolicies : request.role.identityPolicies.map((p) => {
          const { document, unresolved } = substitutions.get(p, request.identityId);
          problems.push(...unresolved.map((v) => `${p.name} uses policy variable ${v}, which no scenario supplies`));
          return { name: p.name, policy: asSimulationPolicy(document) };
        });
        let resourceDocument: IamDocument | undefined;
        if (target.bucketPolicy) {
          const { document, unresolved } = substitutions.get(target.bucketPolicy, request.identityId);
          problems.push(...unresolved.map((v) => `${target.bucketPolicy!.name} uses policy variable ${v}, which no scenario supplies`));
          resourceDocument = document;
        }
        const principal = foreign ? foreign.principal : sessionArn(request.role, target.accountId);
        const principalKey = foreign || !blindToSessions(resourceDocument) ? principal : `a session in ${target.accountId}`;
        return {
          problems,
          principal,
          // The account is part of the request (the resource's account): reviews of other accounts must not share.
          keyPrefix: JSON.stringify([target.accountId, principalKey, identityPolicies.map((p) => shared.documentId(p.policy as unknown as IamDocument)), resourceDocument ? shared.documentId(resourceDocument) : -1]),
          evaluated: identityPolicies.map((p, n) => ({ name: placeholder(n), policy: forSlot(p.policy as unknown as IamDocument, "identity") })),
          names: identityPolicies.map((p) => p.name),
          ...(resourceDocument ? { resourceDocument } : {}),
        };
      };
      for (const [i, request] of requests.entries()) {
        const subject = request.foreign ?? request.role;
        let perIdentity = prepared.get(subject);
        if (!perIdentity) prepared.set(subject, (perIdentity = new Map()));
        let p = perIdentity.get(request.identityId ?? "");
        if (!p) perIdentity.set(request.identityId ?? "", (p = prepare(request)));
        const { problems, principal, resourceDocument } = p;
        const requestKey = request.key ?? JSON.stringify([request.action, request.resourceArn, request.context, request.deliberatelyAbsent]);
        // The count is of the simulations this review needs, whether or not an earlier review in
        // the process already ran them (the store's own `runs` counts those actually run).
        let perAsker = needed.get(p.keyPrefix);
        if (!perAsker) needed.set(p.keyPrefix, (perAsker = new Set()));
        if (!perAsker.has(requestKey)) {
          perAsker.add(requestKey);
          stats.simulations += 1;
        }
        const verdict = await shared.get(p.keyPrefix, requestKey, () =>
          simulateOnce(
            simulation(p.evaluated, resourceDocument && forSlot(resourceDocument, "resource"), { ...request, principal, accountId: target.accountId }),
            request.deliberatelyAbsent,
            [],
            RESOURCE_PLACEHOLDER,
          ),
        );
        const own = renamed(verdict, p.names, target.bucketPolicy?.name ?? "resource policy");
        verdicts.push(problems.length ? { ...own, problems: [...problems, ...own.problems] } : own);
        onProgress?.(i + 1, requests.length);
      }
      return verdicts;
    },

    async evaluateTrust(target: ReviewTarget, requests: TrustRequest[]): Promise<Verdict[]> {
      const verdicts: Verdict[] = [];
      for (const request of requests) {
        verdicts.push(
          await simulate(
            simulation([], forSlot(request.trustPolicy.document, "resource"), {
              principal: "cognito-identity.amazonaws.com",
              action: "sts:AssumeRoleWithWebIdentity",
              resourceArn: request.role.roleArn,
              accountId: target.accountId,
              context: request.context,
            }),
            request.deliberatelyAbsent,
            [],
            request.trustPolicy.name,
          ),
        );
      }
      return verdicts;
    },

    async evaluateReachability(target: ReviewTarget, requests: S3Request[]): Promise<Verdict[]> {
      const verdicts: Verdict[] = [];
      for (const request of requests) {
        const control: PolicyStatement = { Effect: "Allow", Action: request.action, Resource: request.resourceArn };
        // A foreign principal's control: the bucket policy grants it the request.
        const foreign = request.foreign ? foreignSimulation(request.foreign, target.accountId) : undefined;
        const resourceControl = foreign ? asSimulationPolicy({ Version: "2012-10-17", Statement: [{ ...control, Principal: "*" }] }) : undefined;
        verdicts.push(
          await simulate(
            simulation(foreign ? foreign.identityPolicies : [{ name: "reachability-control", policy: asSimulationPolicy({ Version: "2012-10-17", Statement: [control] }) }], resourceControl, {
              ...request,
              principal: foreign ? foreign.principal : sessionArn(request.role, target.accountId),
              accountId: target.accountId,
            }),
            request.deliberatelyAbsent,
            [],
          ),
        );
      }
      return verdicts;
    },
  };
}
