/**
 * What `--template` inputs add to a review's verdict, and where each finding comes from:
 * a document the inputs reference but do not contain makes the verdict UNKNOWN (a finding, exit
 * 1) until it is supplied; a `Contains` rule on `cognito:groups` is a finding by its shape; and
 * every finding names the file, line and resource behind it (its `sources`).
 */
import type { Finding, MatrixResult } from "../matrix";
import type { NamedPolicy, ReviewTarget, SourceLocation } from "../review-target";
import type { ReviewVerdict } from "../verdict";

export const whereIs = (s: SourceLocation) => `${s.file}${s.line !== undefined ? `:${s.line}` : ""} (${s.resource})`;

const FLAG = { identity: "--identity-policy", trust: "--trust-policy", resource: "--bucket-policy" } as const;

export function inputFindings(t: ReviewTarget): Finding[] {
  const inputs = t.inputs;
  if (!inputs) return [];
  return [
    ...inputs.absent.map((a): Finding => ({
      category: "absent-policy",
      request: `${a.use === "resource" ? "bucket policy" : a.use === "trust" ? "trust policy" : "policy"} ${a.reference} of ${a.use === "resource" ? "bucket" : "role"} ${a.holder}`,
      expected: "a document the review can read",
      actual: "UNKNOWN",
      decidedBy: whereIs(a.source),
      detail: `not in the inputs (${a.why}): what it grants is unknown, so the verdict is UNKNOWN until it is given with ${FLAG[a.use]} ${JSON.stringify(a.reference)}=FILE`,
      sources: [a.source],
    })),
    ...inputs.mappingIssues.map((m): Finding => ({
      category: "role-mapping-rule",
      request: `role mapping ${m.at}`,
      expected: "Equals",
      actual: "Contains",
      decidedBy: m.source ? whereIs(m.source) : "role mapping",
      detail: m.message,
      ...(m.source ? { sources: [m.source] } : {}),
    })),
  ];
}

const documentsOf = (t: ReviewTarget): NamedPolicy[] => [
  ...t.roles.flatMap((r) => [...r.identityPolicies, ...(r.trustPolicy ? [r.trustPolicy] : [])]),
  ...(t.bucketPolicy ? [t.bucketPolicy] : []),
];

/** The statement a finding names after `<policy> › `, as its label (Sid or #index). */
function statementAfter(text: string, policy: string): string | undefined {
  const at = text.indexOf(`${policy} › `);
  if (at < 0) return undefined;
  return /^(.+?)(?: \((?:Allow|Deny)\))?(?:,|$)/.exec(text.slice(at + policy.length + 3))?.[1];
}

/** Where a finding comes from: the documents (and statements) that decided it, else the role or the mapping. */
export function findingSources(f: Finding, t: ReviewTarget): SourceLocation[] {
  if (f.sources) return f.sources;
  const out: SourceLocation[] = [];
  for (const d of documentsOf(t)) {
    if (!d.source || !(f.decidedBy.includes(d.name) || f.request.startsWith(d.name))) continue;
    const label = statementAfter(f.decidedBy, d.name);
    const line = label !== undefined ? d.source.statementLines?.[label] : undefined;
    out.push({ ...d.source, ...(line !== undefined ? { line } : {}) });
  }
  if (out.length === 0) {
    // A matrix row names its role first; a proof property names it after the property (`1. object-isolation, role user: …`).
    for (const r of t.roles) if (r.source && new RegExp(`(?:^|, )role ${r.group.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:[,:]|$)`).test(f.request)) out.push(r.source);
  }
  if (out.length === 0 && f.category === "role-mapping" && t.roleMapping?.source) out.push(t.roleMapping.source);
  return out;
}

const located = (t: ReviewTarget) => (f: Finding): Finding => {
  const sources = findingSources(f, t);
  return sources.length ? { ...f, sources } : f;
};

/** The review with the inputs' own findings added, and every finding's and warning's sources named. */
export function withInputFindings(result: MatrixResult): MatrixResult {
  const extra = inputFindings(result.target);
  const findings = [...result.findings, ...extra].map(located(result.target));
  return { ...result, findings, warnings: result.warnings.map(located(result.target)), pass: result.pass && extra.length === 0 };
}

/** The verdict with the proof's findings located too (at the statements their counterexamples name, else the role). */
export function locatedVerdict(verdict: ReviewVerdict, t: ReviewTarget): ReviewVerdict {
  return { ...verdict, findings: verdict.findings.map(located(t)), warnings: verdict.warnings.map(located(t)) };
}
