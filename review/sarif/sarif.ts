/**
 * `--format sarif`: the review as SARIF 2.1.0 for code scanning. One result per finding (`error`
 * for a finding that fails the run, `warning` for a warning) and per proof property not proved,
 * each under a stable rule id (listed in ../README.md), located in the input file at the line of
 * the statement or resource when the inputs say where.
 */
import * as path from "node:path";
import type * as Sarif from "sarif";
import type { InspectionRule } from "../../iam/inspect";
import type { Finding, FindingCategory } from "../matrix";
import { PROPERTIES } from "../prover/verdicts";
import type { ReportInput } from "../report";
import type { SourceLocation } from "../review-target";

/** The official schema's URI (the schema itself ships beside this file for the tests). */
export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const CATEGORY_RULES: Record<FindingCategory, string> = {
  "object-outside-folder": "An identity can read, write or delete an object outside its own folder.",
  "list-reveals-names": "A listing can reveal key names in another identity's folder.",
  "dangerous-action": "A request the intent denies (ACL, policy, bucket-level or other-resource action) is allowed.",
  "insecure-transport": "A request without TLS is allowed.",
  "owner-lacks-access": "An identity cannot do what the intent grants in its own folder.",
  trust: "The role trust admits a token it should not (another pool, unauthenticated, no aud), or refuses this pool's.",
  "role-mapping": "Cognito's role mapping hands a user a role the intent does not give them.",
  "unreliable-verdict": "A simulator verdict cannot be trusted (an ignored or missing context key, a vacuous control).",
  inspection: "A statement is wrong by its shape (structural inspection).",
  "absent-policy": "The inputs reference a policy they do not contain (AWS-managed, another stack's export, unknown until apply): the verdict is UNKNOWN.",
  "role-mapping-rule": "A role-mapping rule matches cognito:groups with Contains.",
  "other-principal": "A principal other than the reviewed roles' identities (another account, anyone, a service, another identity pool) can reach identity folders.",
  "access-control-write": "A principal can change access outside IAM's view (ACL or bucket-policy writes) while ACLs are not shown disabled.",
  excess: "An allowed request the intent does not grant, touching only the caller's own data.",
  "non-s3-grant": "A grant outside S3 (Cognito Sync, identity-pool administration, or another service).",
  proof: "A proof property was not proved (VIOLATED with a counterexample, or UNKNOWN).",
};

const INSPECTION_RULES: Record<InspectionRule, string> = {
  "trust-missing-aud": "The trust lacks StringEquals cognito-identity.amazonaws.com:aud: any identity pool could obtain the role.",
  "trust-wrong-aud": "The trust's aud is not this identity pool.",
  "trust-missing-amr": "The trust lacks amr = authenticated: unauthenticated identities could obtain the role.",
  "trust-wrong-principal": "The trust admits a principal other than cognito-identity.amazonaws.com.",
  "wildcard-action": "A grant uses a wildcard S3 action.",
  "acl-action": "A grant allows an ACL action.",
  "version-deletion-action": "A grant allows deleting object versions.",
  "not-action-or-resource": "An Allow uses NotAction or NotResource.",
  "object-not-confined": "Object access is not confined to the identity's own folder.",
  "list-not-confined": "Listing is not confined by s3:prefix to the identity's own folder.",
  "bucket-missing-tls-deny": "The bucket policy does not deny requests without TLS.",
};

/** Every rule id the reviewer can report, with its description: stable, and documented in review/README.md. */
export const SARIF_RULES: Record<string, string> = {
  // Inspection issues and proof properties are reported under their own rule ids (below).
  ...Object.fromEntries(Object.entries(CATEGORY_RULES).filter(([c]) => c !== "inspection" && c !== "proof").map(([c, d]) => [`${c === "absent-policy" || c === "role-mapping-rule" ? "inputs" : "isolation"}/${c}`, d])),
  ...Object.fromEntries(Object.entries(INSPECTION_RULES).map(([r, d]) => [`inspection/${r}`, d])),
  ...Object.fromEntries(Object.values(PROPERTIES).map((p) => [`proof/${p.id}`, `Not proved: ${p.title}.`])),
};

export function ruleIdOf(f: Finding): string {
  if (f.ruleId) return f.ruleId;
  if (f.category === "inspection") return `inspection/${f.actual}`;
  return `${f.category === "absent-policy" || f.category === "role-mapping-rule" ? "inputs" : "isolation"}/${f.category}`;
}

const uriOf = (file: string) => encodeURI(path.relative(process.cwd(), path.resolve(file)).split(path.sep).join("/"));

function location(s: SourceLocation): Sarif.Location {
  return {
    physicalLocation: { artifactLocation: { uri: uriOf(s.file) }, ...(s.line !== undefined ? { region: { startLine: s.line } } : {}) },
    logicalLocations: [{ name: s.resource, kind: "resource" }],
  };
}

export function renderSarif(reviews: ReportInput[]): string {
  const results: Sarif.Result[] = [];
  const used = new Map<string, number>();
  const rule = (id: string) => {
    if (!used.has(id)) used.set(id, used.size);
    return { ruleId: id, ruleIndex: used.get(id)! };
  };
  for (const { matrix, verdict } of reviews) {
    // verdict.findings fail the run (with --strict, warnings are among them); warnings do not.
    for (const [level, list] of [["error", verdict.findings], ["warning", verdict.warnings]] as const) {
      for (const f of list) {
        results.push({
          ...rule(ruleIdOf(f)),
          level,
          message: { text: `${f.request}: expected ${f.expected}, got ${f.actual}. ${f.detail} (decided by ${f.decidedBy})` },
          ...(f.sources?.length ? { locations: f.sources.map(location) } : {}),
          properties: { review: matrix.target.label, category: f.category },
        });
      }
    }
  }
  const rules: Sarif.ReportingDescriptor[] = [...used.keys()].map((id) => ({
    id,
    shortDescription: { text: SARIF_RULES[id] ?? id },
    defaultConfiguration: { level: "error" },
  }));
  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "identity-scoped-storage review", rules } }, results }],
  };
  return JSON.stringify(log, null, 2);
}
