/**
 * The review's verdict: exit 1 exactly when some principal can reach what it should not (or
 * that cannot be ruled out), as the matrix, the proof and the grant checks found it; warnings
 * (narrower than intended, excess on the owner's own data, no TLS deny, structural advice) fail
 * the review only with --strict, which turns them into findings.
 */
import type { Finding, MatrixResult } from "./matrix";
import type { ProofResult, PropertyVerdict } from "./prover/verdicts";
import { replayWords } from "./proof-report";

export interface ReviewVerdict {
  pass: boolean;
  strict: boolean;
  findings: Finding[];
  warnings: Finding[];
}

function proofFinding(v: PropertyVerdict): Finding {
  const c = v.counterexample;
  return {
    category: "proof",
    ruleId: `proof/${v.id}`,
    request: `${v.property}. ${v.id}, ${v.role === "other principals" ? "other principals" : `role ${v.role}`}${c ? `: ${c.request}` : ""}`,
    expected: "PROVED",
    actual: v.status,
    decidedBy: c ? c.simulator.decidedBy.map((r) => `${r.policy} › ${r.statement} (${r.effect})`).join(", ") || "no statement matched" : "prover",
    detail: v.status === "UNKNOWN" ? `not proved: ${v.reason}` : c ? replayWords(c) : v.title,
  };
}

export function verdictOf(matrix: MatrixResult, proof: ProofResult | undefined, strict: boolean): ReviewVerdict {
  const failing = proof?.verdicts.filter((v) => v.status !== "PROVED") ?? [];
  const findings = [...matrix.findings, ...failing.filter((v) => v.status === "UNKNOWN" || v.severity === "finding").map(proofFinding)];
  const warnings = [...matrix.warnings, ...failing.filter((v) => v.status === "VIOLATED" && v.severity === "warning").map(proofFinding)];
  if (strict) return { pass: findings.length + warnings.length === 0, strict, findings: [...findings, ...warnings], warnings: [] };
  return { pass: findings.length === 0, strict, findings, warnings };
}
