/** The review as a readable matrix (table), as JSON, or as JUnit XML for CI. */
import Table from "cli-table3";
import { isAllowed } from "./engines/engine";
import { describeScenario, formatRefs, type MatrixResult, type Row } from "./matrix";
import { proofJson, proofJunitCases, renderProofTable, type JunitCase } from "./proof-report";
import type { ProofResult } from "./prover/verdicts";
import type { ReviewTarget } from "./review-target";
import type { S3Scenario } from "./scenarios";
import type { ReviewScope } from "./scope";
import type { ReviewVerdict } from "./verdict";
import { whereIs } from "./inputs/input-findings";

/** `--template` inputs: the files, and where the bucket, folder root and identity pool came from. */
function inputsLines(t: ReviewTarget): string[] {
  const i = t.inputs!;
  const fact = (what: string, value: string, p: { from: string; detail: string }) => `  ${what} ${value}: from the ${p.from === "file" ? "inputs" : p.from}, ${p.detail}`;
  return [
    `Inputs: ${i.files.join(", ")}${i.variant ? `; condition branch ${i.variant}` : ""}`,
    fact("bucket", t.bucketName, i.provenance.bucket),
    fact("folder root", JSON.stringify(t.prefix), i.provenance.prefix),
    fact("identity pool", t.identityPoolId, i.provenance.identityPool),
    ...t.roles.map((r) => `  role ${r.group}: ${r.source ? whereIs(r.source) : r.roleArn}`),
    ...i.notes.map((n) => `  note: ${n}`),
  ];
}

export type ReportFormat = "table" | "json" | "junit";

const word = (allow: boolean) => (allow ? "allow" : "deny");
/** A cell: actual decision, and whether it matches intent (with the expected one when it does not). */
function cell(row: Row | undefined): string {
  if (!row) return "";
  const actual = word(isAllowed(row.verdict.decision));
  if (row.pass) return `${actual} ✓`;
  return row.verdict.problems.length ? `${actual} ✗ unreliable` : `${actual} ✗ want ${word(row.scenario.expected.allow)}`;
}

function table(head: string[]): Table.Table {
  // No rule between rows: the matrix stays one line per request.
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true, chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" } });
}

export interface ReportInput {
  matrix: MatrixResult;
  proof?: ProofResult;
  verdict: ReviewVerdict;
  scope: ReviewScope;
}

/**
 * The matrix's tables: a pure function of the matrix result, rendered once per result.
 * Runs that share a matrix (review-memo.ts: the default, `--strict` and `--no-prove` reviews of
 * one target) print the same tables, and cli-table3 measures every cell's width character by
 * character, which made rendering a fifth of a corpus review.
 */
const renderedTables = new WeakMap<Row[], { from: MatrixResult; out: string[] }>();

function matrixTables(r: MatrixResult): string[] {
  // Keyed by the rows array: a verdict's copy of the result (input-findings.ts) keeps it, and the rest the tables read.
  const rendered = renderedTables.get(r.rows);
  if (rendered && rendered.from.target === r.target && rendered.from.mapping === r.mapping && rendered.from.notes === r.notes) return rendered.out;
  const out: string[] = [];
  const t = r.target;
  const s3Rows = r.rows.filter((row) => row.scenario.kind === "s3") as (Row & { scenario: S3Scenario })[];
  for (const role of t.roles) {
    const mine = s3Rows.filter((row) => row.scenario.role === role && row.scenario.caller === "A" && !row.scenario.foreign);
    const objectRows = mine.filter((row) => row.scenario.resource.target.kind === "object" && !row.scenario.contextLabel);
    const resources = [...new Set(objectRows.map((row) => row.scenario.resource.label))];
    const objects = table([`role ${role.group}${role.readAllFolders ? " (reads all folders)" : ""}: object action by A`, ...resources]);
    for (const action of [...new Set(objectRows.map((row) => row.scenario.action))]) {
      objects.push([action, ...resources.map((label) => cell(objectRows.find((row) => row.scenario.action === action && row.scenario.resource.label === label)))]);
    }
    out.push(objects.toString());

    const lists = mine.filter((row) => /^s3:ListBucket/.test(row.scenario.action) && row.scenario.resource.target.kind === "bucket");
    const listActions = [...new Set(lists.map((row) => row.scenario.action))];
    const variants = [...new Set(lists.map((row) => row.scenario.contextLabel))];
    const listTable = table([`role ${role.group}: listing by A (request context)`, ...listActions]);
    for (const v of variants) listTable.push([v || "(none)", ...listActions.map((a) => cell(lists.find((row) => row.scenario.action === a && row.scenario.contextLabel === v)))]);
    out.push(listTable.toString());

    const rest = mine.filter((row) => !objectRows.includes(row) && !lists.includes(row));
    const notable = rest.filter((row) => !row.pass || isAllowed(row.verdict.decision) || row.scenario.contextLabel);
    const restTable = table([`role ${role.group}: other requests by A`, "resource", "result"]);
    for (const row of notable) restTable.push([`${row.scenario.action}${row.scenario.contextLabel ? ` (${row.scenario.contextLabel})` : ""}`, row.scenario.resource.label, cell(row)]);
    // The rest are passing denials (anything else is notable): one line says so.
    const quiet = rest.length - notable.length;
    if (quiet > 0) restTable.push([`${quiet} more bucket-level and other-resource actions`, "", "all deny ✓"]);
    out.push(restTable.toString(), "");
  }

  const foreignRows = s3Rows.filter((row) => row.scenario.foreign);
  if (foreignRows.length) {
    const notable = foreignRows.filter((row) => !row.pass);
    const foreign = table(["other principals (not the reviewed roles' identities)", "request", "result"]);
    for (const row of notable) foreign.push([row.scenario.foreign!.label, `${row.scenario.action} on ${row.scenario.resource.label}${row.scenario.contextLabel ? ` (${row.scenario.contextLabel})` : ""}`, cell(row)]);
    foreign.push([`${[...new Set(foreignRows.map((row) => row.scenario.foreign!.label))].join("; ")}`, `${foreignRows.length - notable.length} requests on identity folders`, "all deny ✓"]);
    out.push(foreign.toString());
  }
  const trustRows = r.rows.filter((row) => row.scenario.kind === "trust");
  if (trustRows.length) {
    const trust = table(["trust: sts:AssumeRoleWithWebIdentity", ...t.roles.map((role) => `role ${role.group}`)]);
    for (const label of [...new Set(trustRows.map((row) => (row.scenario.kind === "trust" ? row.scenario.label : "")))]) {
      trust.push([label, ...t.roles.map((role) => cell(trustRows.find((row) => row.scenario.role === role && row.scenario.kind === "trust" && row.scenario.label === label)))]);
    }
    out.push(trust.toString());
  }
  if (r.mapping.length) {
    const mapping = table(["role mapping: who gets which role", "intended", "Cognito would give", ""]);
    for (const m of r.mapping) mapping.push([m.label, m.expected, m.actual, m.pass ? "✓" : "✗"]);
    out.push(mapping.toString());
  }
  renderedTables.set(r.rows, { from: r, out });
  return out;
}

export function renderTable({ matrix: r, proof, verdict, scope }: ReportInput): string {
  const out: string[] = [];
  const t = r.target;
  out.push(`Isolation review of ${t.label} — engine: ${r.engine}${r.trustEngine ? ` (trust: ${r.trustEngine})` : ""}`);
  out.push(`Bucket ${t.bucketName}; each identity owns ${t.prefix ? `${t.prefix}/` : ""}<identity id>/. Identities: A, B, and C whose id is A's plus "x".`);
  if (t.inputs) out.push(...inputsLines(t));
  out.push(`Cells: actual decision, ✓ when it matches intent. Every expected denial was checked against its control (the owner's same request, or an allow-all control policy).`, "");

  out.push(...matrixTables(r));
  for (const note of r.notes) out.push(`Note: ${note}`);

  out.push("");
  if (proof) out.push(renderProofTable(proof), "");
  out.push(`Modelled: ${scope.modelled.join("; ")}.`, `Not modelled: ${scope.notModelled.join("; ")}.`, "");
  for (const [title, list] of [[verdict.strict ? "FINDINGS (--strict: warnings count)" : "FINDINGS", verdict.findings], ["WARNINGS (exit 1 only with --strict)", verdict.warnings]] as const) {
    if (!list.length) continue;
    out.push(`${title} (${list.length}):`);
    for (const f of list) {
      out.push(`  [${f.category}] ${f.request}`, `      expected ${f.expected}, got ${f.actual}; decided by ${f.decidedBy}`, `      ${f.detail}`);
      for (const s of f.sources ?? []) out.push(`      at ${whereIs(s)}`);
    }
    out.push("");
  }
  const passed = r.rows.filter((row) => row.pass).length;
  out.push(
    `${verdict.pass ? "PASS" : "FAIL"}: ${verdict.findings.length} finding(s), ${verdict.warnings.length} warning(s); ${passed}/${r.rows.length} requests as intended, ${r.mapping.filter((m) => m.pass).length}/${r.mapping.length} role-mapping cases, ` +
      `${r.inspection.length} inspection issue(s); ${r.requests} requests, ${r.simulations} simulations in ${(r.elapsedMs / 1000).toFixed(2)} s` +
      (proof ? `; proof: ${proof.verdicts.filter((v) => v.status === "PROVED").length}/${proof.verdicts.length} proved.` : "."),
  );
  return out.join("\n");
}

function rowJson(row: Row) {
  const s = row.scenario;
  return {
    id: s.id,
    kind: s.kind,
    role: s.role.group,
    ...(s.kind === "s3"
      ? { caller: s.foreign ? s.foreign.label : s.caller, ...(s.callerId !== undefined ? { callerId: s.callerId } : {}), action: s.action, resource: s.resource.label, resourceArn: s.resource.arn, context: s.context }
      : { request: s.label, context: s.context }),
    expected: word(s.expected.allow),
    reason: s.expected.reason,
    actual: row.verdict.decision,
    decidedBy: row.verdict.decidedBy,
    problems: row.verdict.problems,
    ...(row.control ? { control: row.control } : {}),
    pass: row.pass,
    ...(row.failure ? { failure: row.failure, category: row.category, severity: row.severity } : {}),
  };
}

export function renderJson({ matrix: r, proof, verdict, scope }: ReportInput): string {
  return JSON.stringify(
    {
      target: {
        label: r.target.label,
        bucket: r.target.bucketName,
        prefix: r.target.prefix,
        identityPoolId: r.target.identityPoolId,
        roles: r.target.roles.map((role) => role.group),
        ownerActions: r.target.intent.ownerActions,
        sharedFolders: r.target.intent.sharedFolders.map((f) => ({ keyPrefix: f.keyPrefix, access: f.access })),
        aclsDisabled: r.target.aclsDisabled,
        ...(r.target.inputs ? { inputs: r.target.inputs, roleSources: Object.fromEntries(r.target.roles.map((role) => [role.group, role.source])) } : {}),
      },
      engine: r.engine,
      ...(r.trustEngine ? { trustEngine: r.trustEngine } : {}),
      pass: verdict.pass,
      strict: verdict.strict,
      matrixPass: r.findings.length === 0,
      summary: { requests: r.rows.length, passed: r.rows.filter((row) => row.pass).length, findings: verdict.findings.length, warnings: verdict.warnings.length, simulations: r.simulations, elapsedMs: Math.round(r.elapsedMs) },
      findings: verdict.findings,
      warnings: verdict.warnings,
      scope,
      mapping: r.mapping,
      inspection: r.inspection,
      notes: r.notes,
      rows: r.rows.map(rowJson),
      ...(proof ? { proof: proofJson(proof) } : {}),
    },
    null,
    2,
  );
}

/**
 * Text for an XML attribute: markup characters as entities, tab and line breaks as character
 * references (an attribute would fold them to spaces), and what XML 1.0 cannot hold at all (other
 * control characters, lone surrogates, U+FFFE/U+FFFF) dropped.
 */
export const xml = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/[<>&"'\t\n\r]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" })[c]!);

export function renderJunit({ matrix: r, proof, verdict }: ReportInput): string {
  const fails = (severity: string | undefined) => severity === "finding" || verdict.strict;
  const cases: JunitCase[] = [
    ...r.rows.map((row) => ({
      suite: `${r.target.label} / ${row.scenario.kind === "s3" && row.scenario.foreign ? "other principals" : `role ${row.scenario.role.group}${row.scenario.role.source ? ` (${whereIs(row.scenario.role.source)})` : ""}`} / ${row.scenario.kind}`,
      name: describeScenario(row.scenario),
      failure: row.pass || !fails(row.severity) ? undefined : `${row.failure} — decided by ${formatRefs(row.verdict.decidedBy)}`,
    })),
    ...r.mapping.map((m) => ({ suite: `${r.target.label} / role mapping`, name: m.label, failure: m.pass ? undefined : `intended ${m.expected}, Cognito would give ${m.actual}` })),
    ...r.inspection.map((i) => ({ suite: `${r.target.label} / inspection`, name: `${i.document} ${i.issue.statement ?? ""}`.trim(), failure: verdict.strict ? `${i.issue.rule}: ${i.issue.message}` : undefined })),
    ...(proof ? proofJunitCases(r.target.label, proof, verdict.strict) : []),
    ...r.findings.filter((f) => f.category === "absent-policy" || f.category === "role-mapping-rule").map((f) => ({ suite: `${r.target.label} / inputs`, name: f.request, failure: `${f.detail} — at ${f.decidedBy}` })),
  ];
  const suites = [...new Set(cases.map((c) => c.suite))].map((suite) => {
    const mine = cases.filter((c) => c.suite === suite);
    const body = mine
      .map((c) => `    <testcase classname="${xml(suite)}" name="${xml(c.name)}">${c.failure ? `<failure message="${xml(c.failure)}"/>` : ""}</testcase>`)
      .join("\n");
    return `  <testsuite name="${xml(suite)}" tests="${mine.length}" failures="${mine.filter((c) => c.failure).length}">\n${body}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="isolation review" tests="${cases.length}" failures="${cases.filter((c) => c.failure).length}">\n${suites.join("\n")}\n</testsuites>\n`;
}

export function render(input: ReportInput, format: ReportFormat): string {
  return format === "json" ? renderJson(input) : format === "junit" ? renderJunit(input) : renderTable(input);
}
