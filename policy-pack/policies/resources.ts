/**
 * The resource types the pack judges, and how a stack policy finds which resource refers to which.
 * Type tokens are plain strings (the pack does not load @pulumi/aws), so it judges stacks written in
 * any language. Links are found the way the engine records them: a property's dependencies
 * (`propertyDependencies`, known even during preview, when the referenced name or ARN is not), or
 * else the referenced value itself (for names of resources made elsewhere).
 */
import type { PolicyResource } from "@pulumi/policy";
import type { Nameable } from "./config";
import type { PreviewDeferrals } from "./unknowns";

export const TYPES = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  managedPolicy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  /** Attaches one managed policy to lists of roles, users and groups. */
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  identityPool: "aws:cognito/identityPool:IdentityPool",
  roleAttachment: "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

/** `aws.s3.Bucket` (the former BucketV2) and the deprecated `aws.s3.BucketV2` alias. */
export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

export const isBucket = (r: PolicyResource) => BUCKET_TYPES.includes(r.type);

/** What a resource policy's args and a stack policy's resources have in common. */
export type PropsHolder = Pick<PolicyResource, "urn" | "name" | "props">;

/** Reads `props[key]` as a string; undefined when absent, not a string, or unknown during preview. */
export function knownString(r: PropsHolder, key: string, deferrals: PreviewDeferrals): string | undefined {
  const v = deferrals.quietly(() => r.props[key] as unknown);
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** How config and messages name a resource: URN, logical name, and physical name when known. */
export function nameable(r: PropsHolder, deferrals: PreviewDeferrals, physicalKey = "name"): Nameable {
  const physicalName = knownString(r, physicalKey, deferrals);
  return { urn: r.urn, name: r.name, ...(physicalName ? { physicalName } : {}) };
}

/**
 * True when `holder.props[property]` refers to `target`: the engine recorded `target` as a
 * dependency of that property, or the property's (known) value is one of `targetValues`
 * (a name, id or ARN of the target). Unknown values simply do not match.
 */
export function refersTo(
  holder: PolicyResource,
  property: string,
  target: PolicyResource,
  targetValues: (string | undefined)[],
  deferrals: PreviewDeferrals,
): boolean {
  const deps = holder.propertyDependencies?.[property] ?? [];
  if (deps.some((d) => d.urn === target.urn)) return true;
  const raw = deferrals.quietly(() => holder.props[property] as unknown);
  // A list property (PolicyAttachment's `roles`) refers to each of its known elements.
  // Read element by element: Array methods would trip over an unknown element and lose the rest.
  const values = Array.isArray(raw) ? Array.from({ length: raw.length }, (_, i) => deferrals.quietly(() => raw[i] as unknown)) : [raw];
  return values.some((v) => typeof v === "string" && v.length > 0 && targetValues.some((t) => t !== undefined && t === v));
}

/** The resources of `types` that the engine recorded as dependencies of `holder.props[property]`. */
export function dependenciesOf(holder: PolicyResource, property: string, types: readonly string[]): PolicyResource[] {
  return (holder.propertyDependencies?.[property] ?? []).filter((d) => types.includes(d.type));
}

/** `name (physical-name)` for messages. */
export function describe(r: PropsHolder, deferrals: PreviewDeferrals, physicalKey = "name"): string {
  const physical = knownString(r, physicalKey, deferrals);
  return physical && physical !== r.name ? `${r.name} (${physical})` : r.name;
}
