/**
 * Policies validated once per document, not once per simulation. iam-simulate's validated mode
 * checks every policy of every simulation against IAM's grammar before evaluating it — the same
 * few documents thousands of times in one matrix — unless it is handed iam-policy's
 * `ValidatedPolicy` (`createValidatedPolicy`), whose stored result it reuses (`validateOrReuse`)
 * and whose document it loads as it would the plain one. Each slot is validated by the function
 * iam-simulate runs for that slot: identity policies as identity policies, and the resource slot
 * (a bucket policy, or the trust policy when a role's trust is simulated) as a resource policy. So
 * a document the evaluator would refuse is refused with the same errors. Documents are never
 * changed once read (identity substitution makes new ones), so one validation per document object
 * holds.
 */
import * as path from "node:path";
import type { IamDocument } from "../../iam/document";

type Validate = (policy: unknown) => unknown[];
interface IamPolicy {
  createValidatedPolicy(policy: unknown, validate: Validate): object;
  validateIdentityPolicy: Validate;
  validateResourcePolicy: Validate;
}

// iam-policy as iam-simulate loads it (a dependency of the evaluator, not of this project).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the evaluator's own module
const iamPolicy = require(require.resolve("@cloud-copilot/iam-policy", { paths: [path.dirname(require.resolve("@cloud-copilot/iam-simulate"))] })) as IamPolicy;

export type PolicySlot = "identity" | "resource";

const validators: Record<PolicySlot, Validate> = { identity: iamPolicy.validateIdentityPolicy, resource: iamPolicy.validateResourcePolicy };
const done: Record<PolicySlot, WeakMap<IamDocument, object>> = { identity: new WeakMap(), resource: new WeakMap() };

/** The document with its validation for `slot`, computed on first use. */
export function validated(document: IamDocument, slot: PolicySlot): object {
  let hit = done[slot].get(document);
  if (!hit) done[slot].set(document, (hit = iamPolicy.createValidatedPolicy(document, validators[slot])));
  return hit;
}
