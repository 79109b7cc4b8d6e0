/**
 * IAM's documented size limits for policy documents. A document beyond them cannot be attached
 * in AWS, so a reviewer refuses it instead of spending unbounded work on it. IAM does not count
 * white space, so a document is measured as compact JSON.
 *
 *   role inline policies: 10,240 characters in total per role; managed policy: 6,144 characters;
 *   role trust policy: 2,048 characters by default, 4,096 at most (a quota increase);
 *   S3 bucket policy: 20 KB.
 */
import { PolicyInputError } from "./document";

export const INLINE_POLICIES_PER_ROLE_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;
export const TRUST_POLICY_LIMIT = 4_096;
export const BUCKET_POLICY_LIMIT = 20 * 1024;
/** A role holds at most 20 managed policies (10 by default). */
export const MANAGED_POLICIES_PER_ROLE = 20;

/** Characters IAM counts: the document as compact JSON (white space outside strings dropped). */
export function policySize(document: unknown): number {
  const value = typeof document === "string" ? safeParse(document) : document;
  return JSON.stringify(value).length;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.replace(/\s+/g, "");
  }
}

export interface SizedDocument {
  name: string;
  size: number;
}

/** Refuses a trust or bucket policy over its limit (PolicyInputError naming the limit). */
export function checkResourcePolicySize(doc: SizedDocument, kind: "trust" | "bucket"): void {
  const limit = kind === "trust" ? TRUST_POLICY_LIMIT : BUCKET_POLICY_LIMIT;
  if (doc.size > limit) {
    const what = kind === "trust" ? "a role trust policy may hold 4,096 characters (2,048 by default)" : "an S3 bucket policy may hold 20 KB (20,480 characters)";
    throw new PolicyInputError(`${doc.name}: ${doc.size} characters exceeds IAM's limit: ${what}`);
  }
}

/**
 * Refuses identity policies that no role could hold: inline policies share 10,240 characters per
 * role, a managed policy holds 6,144, a role takes at most 20 managed policies. `inline` says the
 * documents are known to be inline (a stack's role policies); files may be either.
 */
export function checkIdentityPolicySizes(docs: SizedDocument[], inline: boolean): void {
  const limitWords = "inline policies 10,240 characters in total per role, a managed policy 6,144";
  for (const d of docs) {
    if (d.size > INLINE_POLICIES_PER_ROLE_LIMIT) throw new PolicyInputError(`${d.name}: ${d.size} characters exceeds IAM's limits (${limitWords})`);
  }
  const mustBeInline = inline ? docs : docs.filter((d) => d.size > MANAGED_POLICY_LIMIT);
  const inlineTotal = mustBeInline.reduce((n, d) => n + d.size, 0);
  if (inlineTotal > INLINE_POLICIES_PER_ROLE_LIMIT) {
    throw new PolicyInputError(`${mustBeInline.map((d) => d.name).join(", ")}: ${inlineTotal} characters of inline policy exceeds IAM's limits (${limitWords})`);
  }
  // The rest fit as managed policies, or in what inline space is left.
  const rest = inline ? [] : docs.filter((d) => d.size <= MANAGED_POLICY_LIMIT).sort((a, b) => a.size - b.size);
  let room = INLINE_POLICIES_PER_ROLE_LIMIT - inlineTotal;
  const managed = rest.filter((d) => {
    if (d.size <= room) {
      room -= d.size;
      return false;
    }
    return true;
  });
  if (managed.length > MANAGED_POLICIES_PER_ROLE) {
    throw new PolicyInputError(`${docs.length} identity policies exceed IAM's limits for one role (${limitWords}, at most ${MANAGED_POLICIES_PER_ROLE} managed policies)`);
  }
}
