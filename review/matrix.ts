/**
 * Runs a review: every scenario on an engine, each verdict compared with intent, each expected
 * denial checked against its control, plus the structural inspection and the role-mapping model.
 * A row passes only when the verdict matches intent, carries no problem, and (for a denial) its
 * control was allowed cleanly in the same run.
 */
import { isAllowed, type PolicyEngine, type Progress, type S3Request, type StatementRef, type Verdict } from "./engines/engine";
import { inspectBucketPolicy, inspectStorageGrants, inspectTrustPolicy, type InspectionIssue } from "../iam/inspect";
import { resolveRole } from "./cognito-role-resolution";
import { bucketArnOf, type ReviewTarget, type SourceLocation } from "./review-target";
import { buildScenarios, type S3Scenario, type TrustScenario } from "./scenarios";

export type FindingCategory =
  | "object-outside-folder"
  | "list-reveals-names"
  | "dangerous-action"
  | "insecure-transport"
  | "owner-lacks-access"
  | "trust"
  | "role-mapping"
  | "unreliable-verdict"
  | "inspection"
  /** `--template` inputs reference a document they do not contain: the verdict is UNKNOWN. */
  | "absent-policy"
  /** A role-mapping rule that is a finding by its shape (Contains on cognito:groups). */
  | "role-mapping-rule";

export interface Row {
  scenario: S3Scenario | TrustScenario;
  verdict: Verdict;
  /** For an expected denial: how its control went. */
  control?: { kind: "owner" | "reachability" | "trust"; allowed: boolean; detail: string };
  pass: boolean;
  /** Why the row failed. */
  failure?: string;
  category?: FindingCategory;
}

export interface MappingRow {
  label: string;
  groups: string[];
  authenticated: boolean;
  expected: string;
  actual: string;
  pass: boolean;
}

export interface Finding {
  category: FindingCategory;
  /** The request, in words. */
  request: string;
  expected: string;
  actual: string;
  /** The statement(s) that decided, or the inspected statement. */
  decidedBy: string;
  detail: string;
  /** Where in the input files the finding comes from (`--template` inputs). */
  sources?: SourceLocation[];
}

export interface MatrixResult {
  target: ReviewTarget;
  engine: string;
  trustEngine?: string;
  rows: Row[];
  mapping: MappingRow[];
  inspection: { document: string; issue: InspectionIssue }[];
  findings: Finding[];
  notes: string[];
  simulations: number;
  elapsedMs: number;
  pass: boolean;
}

export interface MatrixOptions {
  engine: PolicyEngine;
  /** Engine for trust policies when `engine` cannot evaluate them (AWS's simulator). */
  trustEngine?: PolicyEngine;
  onProgress?: Progress;
}

const decisionWord = (allow: boolean) => (allow ? "ALLOW" : "DENY");
export const formatRefs = (refs: StatementRef[]) => (refs.length ? refs.map((r) => `${r.policy} › ${r.statement} (${r.effect})`).join(", ") : "no statement matched");

function toRequest(s: S3Scenario): S3Request {
  return { role: s.role, identityId: s.callerId, action: s.action, resourceArn: s.resource.arn, context: s.context, deliberatelyAbsent: s.deliberatelyAbsent };
}

export function describeScenario(s: S3Scenario | TrustScenario): string {
  if (s.kind === "trust") return `role ${s.role.group}: sts:AssumeRoleWithWebIdentity with ${s.label}`;
  return `role ${s.role.group}, identity ${s.caller}: ${s.action} on ${s.resource.label}${s.contextLabel ? ` (${s.contextLabel})` : ""}`;
}

function categoryOf(s: S3Scenario | TrustScenario, verdict: Verdict): FindingCategory {
  if (s.kind === "trust") return "trust";
  if (s.expected.allow) return "owner-lacks-access";
  if (!isAllowed(verdict.decision)) return "unreliable-verdict";
  if (s.context["aws:SecureTransport"] === "false") return "insecure-transport";
  if (/^s3:List/.test(s.action) && s.resource.target.kind === "bucket") return "list-reveals-names";
  if (s.resource.target.kind === "object" && s.resource.owner !== s.caller) return "object-outside-folder";
  return "dangerous-action";
}

export async function runMatrix(target: ReviewTarget, options: MatrixOptions): Promise<MatrixResult> {
  const started = performance.now();
  const { engine } = options;
  const scenarios = await buildScenarios(target);
  const notes: string[] = [];

  const s3Verdicts = await engine.evaluateS3(target, scenarios.s3.map(toRequest), options.onProgress);
  const verdictById = new Map(scenarios.s3.map((s, i) => [s.id, s3Verdicts[i]!]));

  // Reachability controls, once per distinct request shape: the control policy is the same for
  // every role, so the role does not change the answer.
  const needsReach = scenarios.s3.filter((s) => s.control?.kind === "reachability");
  const reachKey = (s: S3Scenario) => JSON.stringify([s.action, s.resource.arn, s.context]);
  const distinct = [...new Map(needsReach.map((s) => [reachKey(s), s])).values()];
  const reachVerdicts = await engine.evaluateReachability(target, distinct.map(toRequest));
  const reachByKey = new Map(distinct.map((s, i) => [reachKey(s), reachVerdicts[i]!]));

  const trustEngine = engine.evaluateTrust ? engine : options.trustEngine;
  let trustVerdicts: Verdict[] = [];
  if (scenarios.trust.length > 0) {
    if (trustEngine?.evaluateTrust) {
      trustVerdicts = await trustEngine.evaluateTrust(target, scenarios.trust.map((s) => ({ role: s.role, trustPolicy: s.role.trustPolicy!, context: s.context, deliberatelyAbsent: s.deliberatelyAbsent })));
      if (trustEngine !== engine) notes.push(`Trust policies were evaluated by the ${trustEngine.name} engine: the ${engine.name} engine cannot evaluate sts:AssumeRoleWithWebIdentity.`);
    } else {
      notes.push("Trust policies were not evaluated: no engine here can evaluate sts:AssumeRoleWithWebIdentity.");
    }
  }
  if (target.roles.some((r) => !r.trustPolicy)) notes.push(`No trust policy given for: ${target.roles.filter((r) => !r.trustPolicy).map((r) => r.group).join(", ")} (trust not checked for those roles).`);
  const trustById = new Map(scenarios.trust.map((s, i) => [s.id, trustVerdicts[i]]));

  const rows: Row[] = [];
  const judge = (scenario: S3Scenario | TrustScenario, verdict: Verdict, control?: Row["control"]) => {
    const allowed = isAllowed(verdict.decision);
    let failure: string | undefined;
    if (verdict.problems.length > 0) failure = `unreliable verdict: ${verdict.problems.join("; ")}`;
    else if (allowed !== scenario.expected.allow) failure = `${decisionWord(allowed)} where intent says ${decisionWord(scenario.expected.allow)} (${scenario.expected.reason})`;
    else if (control && !control.allowed) failure = `denial may be vacuous: its control was not allowed (${control.detail})`;
    const row: Row = { scenario, verdict, pass: failure === undefined };
    if (control) row.control = control;
    if (failure) {
      row.failure = failure;
      row.category = verdict.problems.length > 0 || (control && !control.allowed && allowed === scenario.expected.allow) ? "unreliable-verdict" : categoryOf(scenario, verdict);
    }
    rows.push(row);
  };
  const controlFrom = (kind: "owner" | "reachability" | "trust", v: Verdict | undefined, what: string): Row["control"] => {
    const allowed = !!v && isAllowed(v.decision) && v.problems.length === 0;
    return { kind, allowed, detail: v ? `${what}: ${v.decision}${v.problems.length ? `, ${v.problems.join("; ")}` : ""}` : `${what}: not evaluated` };
  };

  for (const s of scenarios.s3) {
    const verdict = verdictById.get(s.id)!;
    if (!s.control) judge(s, verdict);
    else if (s.control.kind === "owner") judge(s, verdict, controlFrom("owner", verdictById.get(s.control.scenarioId), `owner's same request (${s.control.scenarioId})`));
    else judge(s, verdict, controlFrom("reachability", reachByKey.get(reachKey(s)), "same request under an allow-all control policy"));
  }
  for (const s of scenarios.trust) {
    const verdict = trustById.get(s.id);
    if (!verdict) continue;
    judge(s, verdict, s.controlId ? controlFrom("trust", trustById.get(s.controlId), "this pool, authenticated") : undefined);
  }

  const mapping = target.roleMapping ? mappingRows(target) : [];
  if (!target.roleMapping) notes.push("Role mapping not checked: no identity-pool role attachment was given.");

  const inspection = inspectDocuments(target);

  const findings: Finding[] = [
    ...rows.filter((r) => !r.pass).map((r): Finding => ({
      category: r.category!,
      request: describeScenario(r.scenario),
      expected: decisionWord(r.scenario.expected.allow),
      actual: r.verdict.decision,
      decidedBy: formatRefs(r.verdict.decidedBy),
      detail: r.failure!,
    })),
    ...mapping.filter((m) => !m.pass).map((m): Finding => ({
      category: "role-mapping",
      request: `${m.label}`,
      expected: m.expected,
      actual: m.actual,
      decidedBy: `role mapping (${target.roleMapping!.type}, ambiguous: ${target.roleMapping!.ambiguousRoleResolution})`,
      detail: "Cognito would hand this user a role the intent does not give them",
    })),
    ...inspection.map(({ document, issue }): Finding => ({
      category: "inspection",
      request: `${document}${issue.statement ? ` statement ${issue.statement}` : ""}`,
      expected: "compliant",
      actual: issue.rule,
      decidedBy: `${document}${issue.statement ? ` › ${issue.statement}` : ""}`,
      detail: issue.message,
    })),
  ];
  return {
    target,
    engine: engine.name,
    ...(trustEngine && trustEngine !== engine ? { trustEngine: trustEngine.name } : {}),
    rows,
    mapping,
    inspection,
    findings,
    notes,
    simulations: scenarios.s3.length + distinct.length + trustVerdicts.length,
    elapsedMs: performance.now() - started,
    pass: findings.length === 0,
  };
}

function inspectDocuments(target: ReviewTarget): { document: string; issue: InspectionIssue }[] {
  const out: { document: string; issue: InspectionIssue }[] = [];
  for (const role of target.roles) {
    for (const p of role.identityPolicies) {
      for (const issue of inspectStorageGrants(p.document, { bucketArn: bucketArnOf(target), prefix: target.prefix, readAllFolders: role.readAllFolders })) out.push({ document: p.name, issue });
    }
    if (role.trustPolicy) for (const issue of inspectTrustPolicy(role.trustPolicy.document, target.identityPoolId)) out.push({ document: role.trustPolicy.name, issue });
  }
  if (target.bucketPolicy) for (const issue of inspectBucketPolicy(target.bucketPolicy.document, bucketArnOf(target))) out.push({ document: target.bucketPolicy.name, issue });
  return out;
}

/**
 * Intent for role mapping: a user in exactly one group gets that group's role; a user in several
 * gets one of their groups' roles or none; a user in no group, an unknown group, or not signed
 * in gets no role at all.
 */
function mappingRows(target: ReviewTarget): MappingRow[] {
  const mapping = target.roleMapping!;
  const groups = target.roles.filter((r) => !r.notAGroup).map((r) => r.group);
  const roleOf = (g: string) => target.roles.find((r) => r.group === g)?.roleArn;
  const users: { label: string; groups: string[]; authenticated: boolean; allowed: (role?: string) => boolean; expected: string }[] = [
    { label: "signed-in user in no group", groups: [], authenticated: true, allowed: (r) => r === undefined, expected: "no role" },
    { label: "signed-in user in an unknown group", groups: ["not-a-group"], authenticated: true, allowed: (r) => r === undefined, expected: "no role" },
    { label: "guest (not signed in)", groups: [], authenticated: false, allowed: (r) => r === undefined, expected: "no role" },
    ...groups.map((g) => ({ label: `user in ${g}`, groups: [g], authenticated: true, allowed: (r?: string) => r === roleOf(g), expected: `${g}'s role` })),
  ];
  if (groups.length > 1) {
    users.push({
      label: `user in ${groups.join(" and ")}`,
      groups,
      authenticated: true,
      allowed: (r) => r === undefined || groups.some((g) => roleOf(g) === r),
      expected: "one of their groups' roles, or none",
    });
  }
  return users.map((u) => {
    const outcome = resolveRole(mapping, { authenticated: u.authenticated, groups: u.groups });
    const role = "role" in outcome ? outcome.role : undefined;
    const actual = role ? `role ${target.roles.find((r) => r.roleArn === role)?.group ?? role}` : `no role (${"denied" in outcome ? outcome.denied : ""})`;
    return { label: u.label, groups: u.groups, authenticated: u.authenticated, expected: u.expected, actual, pass: u.allowed(role) };
  });
}
