/** What the prover reports: one verdict per property and role, with replayed counterexamples. */
import type { Decision, StatementRef } from "../engines/engine";
import type { Expectation } from "../intent";
import type { Listed } from "./s3-listing";

export type PropertyNumber = 1 | 2 | 3 | 4 | 5;

export const PROPERTIES: Record<PropertyNumber, { id: string; title: string }> = {
  1: { id: "object-isolation", title: "no object action by an identity touches a key in another identity's folder" },
  2: { id: "list-isolation", title: "no listing by an identity returns a key or common prefix in another identity's folder" },
  3: { id: "owner-access", title: "every identity can do what the intent grants, so the proof is not vacuous" },
  4: { id: "trust", title: "no token from another identity pool, and no unauthenticated identity, can assume the role" },
  5: { id: "least-privilege", title: "every request allowed on the bucket or its objects is one the intent grants" },
};

export type ProofStatus = "PROVED" | "VIOLATED" | "UNKNOWN";

/** A concrete request the solver found, replayed through the local simulator engine. */
export interface Counterexample {
  /** The request in words. */
  request: string;
  kind: "s3" | "trust";
  callerId?: string;
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
  solverStartMs: number;
  queries: number;
  elapsedMs: number;
}
