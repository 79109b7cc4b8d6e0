/** The prover's verdicts in the review's three formats: a table section, JSON, JUnit test cases. */
import Table from "cli-table3";
import { formatRefs } from "./matrix";
import type { Counterexample, PropertyVerdict, ProofResult } from "./prover/verdicts";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function statusCell(v: PropertyVerdict | undefined): string {
  if (!v) return "";
  if (v.status === "PROVED") return v.intended.length ? "PROVED (+ intended group-wide read)" : "PROVED";
  return v.status === "VIOLATED" && v.severity === "warning" ? "VIOLATED (warning)" : v.status;
}

/** Both verdicts, side by side: what the prover's model says and what the simulator decided. */
export function replayWords(c: Counterexample): string {
  const sim = `${c.simulator.decision}${c.simulator.decidedBy.length ? ` by ${formatRefs(c.simulator.decidedBy)}` : ""}${c.simulator.problems.length ? ` (problems: ${c.simulator.problems.join("; ")})` : ""}`;
  const intent = c.intent ? `; intent: ${c.intent.allow ? "allow" : "deny"} (${c.intent.reason})` : "";
  return `prover: ${c.prover}; simulator: ${sim}${intent} — ${c.confirmed ? "confirmed" : "NOT confirmed"}`;
}

export function renderProofTable(p: ProofResult): string {
  const roles = [...new Set(p.verdicts.map((v) => v.role))].filter((r) => r !== "other principals");
  const numbers = [...new Set(p.verdicts.map((v) => v.property))];
  const t = new Table({ head: ["property", ...roles.map((r) => `role ${r}`)], style: { head: [], border: [] }, wordWrap: true, chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" } });
  for (const n of numbers) {
    const first = p.verdicts.find((v) => v.property === n)!;
    const cells = n === 7 ? roles.map((_, i) => (i === 0 ? statusCell(first) : "")) : roles.map((r) => statusCell(p.verdicts.find((v) => v.property === n && v.role === r)));
    t.push([`${n}. ${first.title}`, ...cells]);
  }
  const out = [
    "Proof (z3): for every identity id the pool can issue (<region>:<uuid>), every object key, list prefix and delimiter, every S3 action, and every other principal the bucket policy could admit.",
    t.toString(),
  ];
  for (const v of p.verdicts) {
    if (v.status === "VIOLATED" && v.counterexample) {
      out.push(`  VIOLATED${v.severity === "warning" ? " (warning)" : ""} ${v.property}. ${v.id}, ${v.role === "other principals" ? v.role : `role ${v.role}`}: ${v.counterexample.request}`, `      ${replayWords(v.counterexample)}`);
    } else if (v.status === "UNKNOWN") {
      out.push(`  UNKNOWN — not proved: ${v.property}. ${v.id}, role ${v.role}: ${v.reason}`);
    }
    for (const note of v.intended) out.push(`  intended (${v.property}. ${v.id}, role ${v.role}): ${note}`);
  }
  const proved = p.verdicts.filter((v) => v.status === "PROVED").length;
  out.push(`${p.proved ? "PROVED" : "NOT PROVED"}: ${proved}/${p.verdicts.length} property verdicts proved; ${p.queries} queries in ${seconds(p.elapsedMs)} (solver start ${seconds(p.solverStartMs)}).`);
  return out.join("\n");
}

export function proofJson(p: ProofResult) {
  return {
    proved: p.proved,
    pass: p.pass,
    otherPrincipals: p.otherPrincipals,
    elapsedMs: Math.round(p.elapsedMs),
    solverStartMs: Math.round(p.solverStartMs),
    queries: p.queries,
    verdicts: p.verdicts.map((v) => ({ ...v, elapsedMs: Math.round(v.elapsedMs) })),
  };
}

export interface JunitCase {
  suite: string;
  name: string;
  failure?: string;
}

export function proofJunitCases(label: string, p: ProofResult, strict = false): JunitCase[] {
  return p.verdicts.map((v) => ({
    suite: `${label} / proof / ${v.role === "other principals" ? v.role : `role ${v.role}`}`,
    name: `${v.property}. ${v.title}`,
    ...(v.status === "VIOLATED" && (v.severity === "finding" || strict) ? { failure: `VIOLATED: ${v.counterexample?.request} — ${v.counterexample ? replayWords(v.counterexample) : ""}` } : {}),
    ...(v.status === "UNKNOWN" ? { failure: `UNKNOWN — not proved: ${v.reason}` } : {}),
  }));
}
