/** What the prover reports: one verdict per property and role, with replayed counterexamples. */
import type { Decision, StatementRef } from "../engines/engine";
import type { Expectation } from "../intent";
import type { Listed } from "./s3-listing";

export type PropertyNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A violated "finding" property fails the review; a violated "warning" property fails it only with --strict. */
export type Severity = "finding" | "warning";

export const PROPERTIES: Record<PropertyNumber, { id: string; title: string; severity: Severity }> = {
  1: { id: "object-isolation", title: "no object action by an identity touches a key in another identity's folder or a shared folder beyond what is declared", severity: "finding" },
  2: { id: "list-isolation", title: "no listing by an identity returns a key or common prefix in another identity's folder", severity: "finding" },
  3: { id: "owner-access", title: "every identity can do what the intent grants (narrower than intended otherwise)", severity: "warning" },
  4: { id: "trust", title: "no token from another identity pool, no unauthenticated identity and no other principal can assume the role", severity: "finding" },
  5: { id: "least-privilege", title: "every request allowed on the bucket or its objects is one the intent grants (excess that reaches no other identity)", severity: "warning" },
  6: { id: "access-control-writes", title: "no ACL or bucket-policy write, which would grant access outside IAM's view", severity: "finding" },
  7: { id: "other-principals", title: "no principal other than the reviewed roles' identities reaches an identity's folder, a shared folder, or names in them", severity: "finding" },
};

/** The column for property 7, which is about principals, not roles. */
export const OTHER_PRINCIPALS = "other principals";

export type ProofStatus = "PROVED" | "VIOLATED" | "UNKNOWN";

/** A concrete request the solver found, replayed through the local simulator engine. */
export interface Counterexample {
  /** The request in words. */
  request: string;
  kind: "s3" | "trust";
  callerId?: string;
  /** The principal, when it is not a reviewed role's identity. */
  principal?: string;
  /** The identity whose folder is reached (properties 1 and 2). */
  otherId?: string;
  action: string;
  resourceArn: string;
  /** Property 2: a key in the other folder and how the listing would show it. */
  revealed?: { key: string } & Listed;
  context: Record<string, string | string[]>;
  absent: string[];
  /** What the prover's model says the policies decide. */
  prover: "allowed" | "denied";
  simulator: { decision: Decision; decidedBy: StatementRef[]; problems: string[] };
  /** Intent's decision for the same request (S3 requests). */
  intent?: Expectation;
  /** The simulator agrees with the prover (and reports no problem with the verdict). */
  confirmed: boolean;
}

export interface PropertyVerdict {
  property: PropertyNumber;
  id: string;
  title: string;
  role: string;
  status: ProofStatus;
  severity: Severity;
  /** For UNKNOWN: why (unsupported construct and statement, solver timeout, missing document). */
  reason?: string;
  counterexample?: Counterexample;
  /** Requests the property leaves out because the intent grants them, shown reachable. */
  intended: string[];
  queries: number;
  elapsedMs: number;
}

export interface ProofResult {
  verdicts: PropertyVerdict[];
  /** Every property PROVED for every role. */
  proved: boolean;
  /** No finding-severity property VIOLATED and nothing UNKNOWN (warnings may remain). */
  pass: boolean;
  /** The principals property 7 covered. */
  otherPrincipals: string[];
  solverStartMs: number;
  queries: number;
  elapsedMs: number;
}
