/**
 * One interface, two implementations: `local` (an offline IAM evaluator) and `aws` (IAM's own
 * policy simulator). The matrix hands an engine requests and compares its verdicts with intent.
 */
import type { ForeignPrincipal } from "../../iam/principals";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
export const isAllowed = (d: Decision) => d === "Allowed";

/**
 * A request made with one role's credentials by one identity, or (with `foreign`) by a principal
 * that is not one of the reviewed roles: then only the bucket policy can grant it anything (and,
 * for another account, its own identity policies, assumed to allow everything).
 */
export interface S3Request {
  role: RoleUnderReview;
  /** The caller's identity id: the value of `${cognito-identity.amazonaws.com:sub}`; absent for a caller without one. */
  identityId?: string;
  foreign?: ForeignPrincipal;
  action: string;
  resourceArn: string;
  /** Request context, without the identity id (engines supply that their own way). */
  context: Record<string, string | string[]>;
  /** Keys deliberately left out (e.g. `s3:prefix` in the "absent prefix" scenario): a policy
   *  condition on one of these failing for lack of a value is the point, not a problem. */
  deliberatelyAbsent: string[];
  /**
   * Optional: text equal exactly for requests equal in action, resource, context and
   * `deliberatelyAbsent`, made once by whoever builds many such requests (scenarios.ts).
   */
  key?: string;
}

/** A request to assume a role with a web identity token from an identity pool. */
export interface TrustRequest {
  role: RoleUnderReview;
  trustPolicy: NamedPolicy;
  /** `cognito-identity.amazonaws.com:aud` and `:amr` as Cognito would send them. */
  context: Record<string, string | string[]>;
  deliberatelyAbsent: string[];
}

/** The statement that decided a request, for findings. */
export interface StatementRef {
  policy: string;
  /** statementLabel's name for it: the Sid, else `#<0-based index>`. */
  statement: string;
  effect: "Allow" | "Deny";
}

export interface Verdict {
  decision: Decision;
  decidedBy: StatementRef[];
  /** Anything that makes the verdict untrustworthy: an ignored or missing context key, an
   *  evaluator error, an unsupported construct. A verdict with problems never counts as a pass. */
  problems: string[];
}

export interface Progress {
  (done: number, total: number): void;
}

export interface PolicyEngine {
  readonly name: "local" | "aws";
  /** Evaluations actually run so far (an engine may share one among equal requests). */
  readonly stats?: { simulations: number };
  /** Evaluates S3 requests against each role's identity policies and the bucket policy. */
  evaluateS3(target: ReviewTarget, requests: S3Request[], onProgress?: Progress): Promise<Verdict[]>;
  /** Evaluates trust requests; `undefined` when the engine cannot (AWS's simulator skips sts:Assume*). */
  evaluateTrust?(target: ReviewTarget, requests: TrustRequest[]): Promise<Verdict[]>;
  /** Evaluates a request under a permissive control policy (`Allow action on resource`): proves the
   *  request itself is well-formed and evaluable, so a Deny elsewhere is our policies' doing. */
  evaluateReachability(target: ReviewTarget, requests: S3Request[]): Promise<Verdict[]>;
}
