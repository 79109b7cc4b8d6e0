/**
 * Reading the simulator's answers: per (action, resource) outcomes from either response shape,
 * each turned into a verdict for the request it answers, with the statements that decided it.
 */
import type { EvaluationResult, Statement } from "@aws-sdk/client-iam";
import { statementLabel } from "../../../iam/document";
import type { Decision, S3Request, StatementRef, Verdict } from "../engine";
import { pairKey, sentPolicies, type PlannedCall, type SentPolicy } from "./call-plan";

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


/** One decision IAM reported for one action on one resource. */
export interface PairOutcome {
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

export function verdictFor(request: S3Request, outcomes: PairOutcome[] | undefined, call: PlannedCall): Verdict {
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
