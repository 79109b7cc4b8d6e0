/** What a review modelled and what it did not: printed with every report, so a PASS is read for what it covers. */
import type { ReviewTarget } from "./review-target";

export interface ReviewScope {
  modelled: string[];
  notModelled: string[];
}

export function scopeOf(target: ReviewTarget, otherPrincipals: string[]): ReviewScope {
  const modelled = [
    `identity policies of ${target.roles.map((r) => `role ${r.group}`).join(", ")}`,
    ...(target.bucketPolicy ? [`the bucket policy (${target.bucketPolicy.name})`] : []),
    ...(target.roles.some((r) => r.trustPolicy) ? ["trust policies (this pool, other pools, unauthenticated identities, other providers, AWS principals)"] : []),
    ...(target.roleMapping ? ["the identity pool's role mapping"] : []),
    `principals: the reviewed roles' identities (every id the pool can issue)${otherPrincipals.length ? `, and ${otherPrincipals.join("; ")}` : ""}`,
    ...(target.aclsDisabled ? ["ACLs: disabled (BucketOwnerEnforced), so ACL writes grant nothing"] : []),
  ];
  const notModelled = [
    ...(target.aclsDisabled ? [] : ["object and bucket ACLs (the inputs do not show ACLs disabled: ACL writes are findings)"]),
    "service and resource control policies (SCPs, RCPs)",
    "permission boundaries and session policies",
    "access points and their policies, S3 resources other than this bucket (the matrix samples them)",
    "VPC endpoint policies",
    "KMS key policies",
    "identity policies of other principals in this account (a bucket policy naming the account delegates to them)",
    ...(target.bucketPolicy ? [] : ["a bucket policy (none given)"]),
    ...(target.roles.every((r) => r.trustPolicy) ? [] : ["the trust of roles without a trust policy"]),
  ];
  return { modelled, notModelled };
}
