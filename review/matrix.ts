/**
 * Runs a review: every scenario on an engine, each verdict compared with intent, each expected
 * denial checked against its control, plus the structural inspection and the role-mapping model.
 * A row passes only when the verdict matches intent, carries no problem, and (for a denial) its
 * control was allowed cleanly in the same run.
 */
import { isAllowed, type PolicyEngine, type Progress, type S3Request, type StatementRef, type Verdict } from "./engines/engine";
import { createLocalEngine } from "./engines/local-engine";
import { inspectBucketPolicy, inspectStorageGrants, inspectTrustPolicy, type InspectionIssue } from "../iam/inspect";
import { inspectNonS3Grants } from "../iam/non-s3-grants";
import { isAccessControlWrite } from "../iam/s3-actions";
import { folderOf, LISTING_ACTIONS, isOneOf, sharedPrefixOf } from "./intent";
import { revealedKey } from "./prover/replay";
import { resolveRole } from "./cognito-role-resolution";
import { bucketArnOf, type ReviewTarget, type SourceLocation } from "./review-target";
import { buildScenarios, type S3Scenario, type TrustScenario } from "./scenarios";
import { judgeKeysWrittenByOthers } from "./written-by-others";

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
  | "other-principal"
  | "access-control-write"
  | "excess"
  | "non-s3-grant"
  | "proof"
  /** `--template` inputs reference a document they do not contain: the verdict is UNKNOWN. */
  | "absent-policy"
  /** A role-mapping rule that is a finding by its shape (Contains on cognito:groups). */
  | "role-mapping-rule";

/** A finding fails the review; a warning only with --strict. */
export type Severity = "finding" | "warning";

export interface Row {
  scenario: S3Scenario | TrustScenario;
  verdict: Verdict;
  /** For an expected denial: how its control went. */
  control?: { kind: "owner" | "reachability" | "trust"; allowed: boolean; detail: string };
  pass: boolean;
  /** Why the row failed. */
  failure?: string;
  category?: FindingCategory;
  severity?: Severity;
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
  /** The SARIF rule id, where the category alone does not say it (proof properties). */
  ruleId?: string;
}

export interface MatrixResult {
  target: ReviewTarget;
  engine: string;
  trustEngine?: string;
  rows: Row[];
  mapping: MappingRow[];
  inspection: { document: string; issue: InspectionIssue }[];
  findings: Finding[];
  /** What fails the review only with --strict: narrower than intended, excess on the owner's own data, no TLS deny, advice. */
  warnings: Finding[];
  notes: string[];
  /** Requests evaluated (scenarios, their controls, trust). */
  requests: number;
  /** Evaluations run for them (fewer where equal requests shared one). */
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
  const request: S3Request = { role: s.role, action: s.action, resourceArn: s.resource.arn, context: s.context, deliberatelyAbsent: s.deliberatelyAbsent, key: s.requestKey };
  if (s.callerId !== undefined) request.identityId = s.callerId;
  if (s.foreign) request.foreign = s.foreign;
  return request;
}

export function describeScenario(s: S3Scenario | TrustScenario): string {
  if (s.kind === "trust") return `role ${s.role.group}: sts:AssumeRoleWithWebIdentity with ${s.label}`;
  const who = s.foreign ? s.foreign.label : `role ${s.role.group}, identity ${s.caller}`;
  return `${who}: ${s.action} on ${s.resource.label}${s.contextLabel ? ` (${s.contextLabel})` : ""}`;
}

/** The areas of the other real identity (C's id is impossible) and of shared folders a request must not reach. */
function protectedAreas(target: ReviewTarget, s: S3Scenario, ids: Record<"A" | "B", string>, listing: boolean): string[] {
  const intent = target.intent;
  const victim = s.caller === "B" ? ids.A : ids.B;
  const own = folderOf(intent.prefix, s.caller === "B" ? ids.B : ids.A);
  const shared = intent.sharedFolders.filter((f) => (listing ? !f.access.includes("list") || f.perIdentity : true));
  return [folderOf(intent.prefix, victim), ...shared.map((f) => sharedPrefixOf(f, victim))].filter((a) => a !== "" && !a.startsWith(own));
}

/** Why an allowed request that intent refuses matters: a finding when it reaches another identity's data (or grants outside IAM's view). */
function harmOf(target: ReviewTarget, s: S3Scenario, ids: Record<"A" | "B", string>): { category: FindingCategory; severity: Severity } {
  const listing = isOneOf(s.action, LISTING_ACTIONS) && s.resource.target.kind === "bucket";
  const prefix = s.context["s3:prefix"];
  const reaches = (areas: string[]) =>
    listing
      ? areas.some((a) => revealedKey(a, typeof prefix === "string" ? prefix : s.action === "s3:ListBucketMultipartUploads" ? undefined : undefined, typeof s.context["s3:delimiter"] === "string" ? (s.context["s3:delimiter"] as string) : undefined))
      : s.resource.target.kind === "object" && areas.some((a) => (s.resource.target as { key: string }).key.startsWith(a));
  if (s.foreign) {
    const areas = [folderOf(target.prefix, ids.B), folderOf(target.prefix, ids.A), ...target.intent.sharedFolders.map((f) => sharedPrefixOf(f, ids.B))];
    return { category: "other-principal", severity: reaches(areas) ? "finding" : "warning" };
  }
  if (isAccessControlWrite(s.action, target.aclsDisabled)) return { category: "access-control-write", severity: "finding" };
  if (s.context["aws:SecureTransport"] === "false") return { category: "insecure-transport", severity: "warning" };
  const other = reaches(protectedAreas(target, s, ids, listing)) || (!listing && (s.resource.owner === "A" || s.resource.owner === "B") && s.resource.owner !== s.caller);
  if (listing) return { category: "list-reveals-names", severity: other ? "finding" : "warning" };
  if (s.resource.target.kind === "object" && s.resource.owner !== s.caller) return { category: other ? "object-outside-folder" : "excess", severity: other ? "finding" : "warning" };
  return { category: other ? "object-outside-folder" : "excess", severity: other ? "finding" : "warning" };
}

function categoryOf(target: ReviewTarget, s: S3Scenario | TrustScenario, verdict: Verdict, ids: Record<"A" | "B", string>): { category: FindingCategory; severity: Severity } {
  if (s.kind === "trust") return { category: "trust", severity: s.expected.allow ? "warning" : "finding" };
  if (s.expected.allow) return { category: "owner-lacks-access", severity: "warning" };
  if (!isAllowed(verdict.decision)) return { category: "unreliable-verdict", severity: "finding" };
  return harmOf(target, s, ids);
}

export async function runMatrix(target: ReviewTarget, options: MatrixOptions): Promise<MatrixResult> {
  const started = performance.now();
  const { engine } = options;
  const engines = [...new Set([engine, options.trustEngine].filter((e): e is PolicyEngine => !!e))];
  const runsBefore = engines.map((e) => e.stats?.simulations ?? 0);
  const scenarios = await buildScenarios(target);
  const notes: string[] = [];

  // AWS's simulator cannot act as another account or anonymous: those requests go to the local engine.
  const foreignEngine = engine.name === "aws" ? (options.trustEngine ?? createLocalEngine()) : engine;
  const own = scenarios.s3.filter((s) => !s.foreign);
  const foreign = scenarios.s3.filter((s) => s.foreign);
  const s3Verdicts = [...(await engine.evaluateS3(target, own.map(toRequest), options.onProgress)), ...(await foreignEngine.evaluateS3(target, foreign.map(toRequest)))];
  if (foreign.length && foreignEngine !== engine) notes.push(`Requests by principals other than the reviewed roles were evaluated by the ${foreignEngine.name} engine.`);
  const verdictById = new Map<string, Verdict>();
  own.forEach((s, i) => verdictById.set(s.id, s3Verdicts[i]!));
  foreign.forEach((s, i) => verdictById.set(s.id, s3Verdicts[own.length + i]!));

  // Reachability controls, once per distinct request shape: the control policy is the same for
  // every role, so the role does not change the answer.
  const allowedCleanly = (v: Verdict | undefined) => !!v && isAllowed(v.decision) && v.problems.length === 0;
  const ownerRefused = (s: S3Scenario) => s.control?.kind === "owner" && !allowedCleanly(verdictById.get(s.control.scenarioId));
  const needsReach = scenarios.s3.filter((s) => s.control?.kind === "reachability" || ownerRefused(s));
  // The role is not in the key: the control policy is the same for every role.
  const reachKey2 = (s: S3Scenario) => (s.foreign ? `${s.foreign.label}\u0000${s.requestKey}` : s.requestKey);
  const distinct = [...new Map(needsReach.map((s) => [reachKey2(s), s])).values()];
  const reachVerdicts = [
    ...(await engine.evaluateReachability(target, distinct.filter((s) => !s.foreign).map(toRequest))),
    ...(await foreignEngine.evaluateReachability(target, distinct.filter((s) => s.foreign).map(toRequest))),
  ];
  const reachOrder = [...distinct.filter((s) => !s.foreign), ...distinct.filter((s) => s.foreign)];
  const reachByKey = new Map(reachOrder.map((s, i) => [reachKey2(s), reachVerdicts[i]!]));

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
  const ids = { A: scenarios.identities.A, B: scenarios.identities.B };
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
      const unreliable = verdict.problems.length > 0 || (control && !control.allowed && allowed === scenario.expected.allow);
      const c = unreliable ? { category: "unreliable-verdict" as const, severity: "finding" as const } : categoryOf(target, scenario, verdict, ids);
      row.category = c.category;
      row.severity = c.severity;
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
    else if (s.control.kind === "owner") {
      // An owner who lacks the action (a warning) leaves the denial to the reachability control.
      const owner = controlFrom("owner", verdictById.get(s.control.scenarioId), `owner's same request (${s.control.scenarioId})`);
      const reach = owner?.allowed ? undefined : reachByKey.get(reachKey2(s));
      judge(s, verdict, reach ? controlFrom("reachability", reach, "same request under an allow-all control policy (the owner's was refused)") : owner);
    } else judge(s, verdict, controlFrom("reachability", reachByKey.get(reachKey2(s)), "same request under an allow-all control policy"));
  }
  for (const s of scenarios.trust) {
    const verdict = trustById.get(s.id);
    if (!verdict) continue;
    judge(s, verdict, s.controlId ? controlFrom("trust", trustById.get(s.controlId), "this pool, authenticated") : undefined);
  }

  const mapping = target.roleMapping ? mappingRows(target) : [];
  if (!target.roleMapping) notes.push("Role mapping not checked: no identity-pool role attachment was given.");

  const inspection = inspectDocuments(target);

  const rowFinding = (r: Row): Finding => ({
    category: r.category!,
    request: describeScenario(r.scenario),
    expected: decisionWord(r.scenario.expected.allow),
    actual: r.verdict.decision,
    decidedBy: formatRefs(r.verdict.decidedBy),
    detail: r.failure!,
  });
  const writtenByOthers = await judgeKeysWrittenByOthers(target, rows, scenarios.identities, engine);
  const failed = rows.filter((r) => !r.pass);
  const nonS3 = target.roles.flatMap((role) => role.identityPolicies.flatMap((p) => inspectNonS3Grants(p.document, { identityPoolId: target.identityPoolId }).map((g) => ({ ...g, document: p.name }))));
  const nonS3Finding = (g: (typeof nonS3)[number]): Finding => ({ category: "non-s3-grant", request: `${g.document} statement ${g.statement}`, expected: "no grant reaching other identities", actual: g.actions.join(", "), decidedBy: `${g.document} › ${g.statement}`, detail: g.message });
  const findings: Finding[] = [
    ...failed.filter((r) => r.severity === "finding").map(rowFinding),
    ...mapping.filter((m) => !m.pass).map((m): Finding => ({
      category: "role-mapping",
      request: `${m.label}`,
      expected: m.expected,
      actual: m.actual,
      decidedBy: `role mapping (${target.roleMapping!.type}, ambiguous: ${target.roleMapping!.ambiguousRoleResolution})`,
      detail: "Cognito would hand this user a role the intent does not give them",
    })),
    ...nonS3.filter((g) => g.severity === "finding").map(nonS3Finding),
  ];
  // The structural inspection never fails a run on its own: it reports what semantics cannot see.
  const warnings: Finding[] = [
    ...failed.filter((r) => r.severity === "warning").map(rowFinding),
    ...nonS3.filter((g) => g.severity === "warning").map(nonS3Finding),
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
    warnings,
    notes,
    requests: scenarios.s3.length + distinct.length + trustVerdicts.length + writtenByOthers,
    // Engines that count their evaluations say how many were run; the others ran one per request.
    simulations: engines.every((e) => e.stats) ? engines.reduce((n, e, i) => n + e.stats!.simulations - runsBefore[i]!, 0) : scenarios.s3.length + distinct.length + trustVerdicts.length + writtenByOthers,
    elapsedMs: performance.now() - started,
    pass: findings.length === 0,
  };
}

function inspectDocuments(target: ReviewTarget): { document: string; issue: InspectionIssue }[] {
  const out: { document: string; issue: InspectionIssue }[] = [];
  for (const role of target.roles) {
    // IAM applies every Deny of the role's policies to each Allow: a broad Allow may be narrowed elsewhere.
    const denies = role.identityPolicies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === "Deny"));
    for (const p of role.identityPolicies) {
      for (const issue of inspectStorageGrants(p.document, { bucketArn: bucketArnOf(target), prefix: target.prefix, readAllFolders: role.readAllFolders, denies })) out.push({ document: p.name, issue });
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
