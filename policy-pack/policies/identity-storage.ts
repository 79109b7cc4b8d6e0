/**
 * Which part of a stack is identity storage, found from the resources themselves so that the pack
 * judges any stack, not only ours:
 *
 * - an identity role is an IAM role whose trust policy lets `cognito-identity.amazonaws.com` in
 *   (during preview, when that trust is still unknown because it embeds the identity pool's id: a
 *   role whose trust the engine records as built from an identity pool);
 * - its grants are every document attached to it in the stack: RolePolicy, inline policies,
 *   managed policies (RolePolicyAttachment, PolicyAttachment or managedPolicyArns) defined in the stack; an attached
 *   policy the stack does not define is listed as unreadable;
 * - an identity storage bucket is a bucket of the stack that those grants name (or, during preview,
 *   that a grant is built from).
 *
 * Roles trusted by anything else (a Lambda execution role, say) are not identity roles: nothing
 * here looks at them.
 */
import type { PolicyResource } from "@pulumi/policy";
import { bucketArnsIn, bucketNameOfArn, cognitoTrustStatements } from "../../iam/storage-layout";
import { mentionsCognitoIdentity, readDocument, type DocumentRead } from "./documents";
import { BUCKET_TYPES, dependenciesOf, describe, isBucket, knownString, refersTo, TYPES } from "./resources";
import type { PreviewDeferrals } from "./unknowns";

export interface IdentityRole {
  role: PolicyResource;
  /** "role <name> (<physical name>)", for messages. */
  label: string;
  /** Why it counts: its trust names the Cognito principal, or (preview) its trust is built from an identity pool. */
  basis: "trust" | "trust-built-from-identity-pool";
}

export interface GrantDocument {
  role: IdentityRole;
  /** The resource to fix: the RolePolicy, the managed Policy, or the Role for an inline policy. */
  holder: PolicyResource;
  /** "role policy x", "managed policy y", "inline policy z of role r", for messages. */
  label: string;
  document: DocumentRead;
  /** Buckets the engine recorded as inputs of the document: known even while its text is not. */
  bucketDependencies: PolicyResource[];
}

/** A policy attached to an identity role that the stack does not define, so its grants cannot be read. */
export interface UnreadableAttachment {
  role: IdentityRole;
  holder: PolicyResource;
  policyArn: string;
}

export interface IdentityStorage {
  roles: IdentityRole[];
  grants: GrantDocument[];
  unreadable: UnreadableAttachment[];
  /** Buckets of the stack that identity roles' grants name or are built from. */
  buckets: PolicyResource[];
}

function identityRoles(resources: PolicyResource[], deferrals: PreviewDeferrals): IdentityRole[] {
  const roles: IdentityRole[] = [];
  for (const role of resources.filter((r) => r.type === TYPES.role)) {
    const label = `role ${describe(role, deferrals)}`;
    const trust = readDocument(() => role.props.assumeRolePolicy, "trust", `${label} trust policy`);
    if (trust.kind === "parsed" && cognitoTrustStatements(trust.doc).length > 0) roles.push({ role, label, basis: "trust" });
    // An unreadable trust that names the principal is cognito-role-trust's violation; its grants are still judged.
    else if (trust.kind === "invalid" && mentionsCognitoIdentity(trust.text)) roles.push({ role, label, basis: "trust" });
    else if (trust.kind === "unknown") {
      if (dependenciesOf(role, "assumeRolePolicy", [TYPES.identityPool]).length > 0) {
        roles.push({ role, label, basis: "trust-built-from-identity-pool" });
      } else {
        deferrals.defer(`whether ${label} is trusted by cognito-identity.amazonaws.com, and so its grants (${trust.error.message})`, trust.error);
      }
    }
  }
  return roles;
}

function roleValues(role: PolicyResource, deferrals: PreviewDeferrals): (string | undefined)[] {
  return [knownString(role, "name", deferrals), knownString(role, "id", deferrals), knownString(role, "arn", deferrals)];
}

function grantsOf(identity: IdentityRole, resources: PolicyResource[], deferrals: PreviewDeferrals): { grants: GrantDocument[]; unreadable: UnreadableAttachment[] } {
  const { role } = identity;
  const values = roleValues(role, deferrals);
  const grants: GrantDocument[] = [];
  const unreadable: UnreadableAttachment[] = [];
  const managed = resources.filter((r) => r.type === TYPES.managedPolicy);
  const fromManaged = (policy: PolicyResource): GrantDocument | undefined => {
    // One managed policy can be attached more than once (an attachment and managedPolicyArns): judge it once.
    if (grants.some((g) => g.holder === policy)) return undefined;
    const label = `managed policy ${describe(policy, deferrals)}`;
    return {
      role: identity,
      holder: policy,
      label,
      document: readDocument(() => policy.props.policy, "identity", label),
      bucketDependencies: dependenciesOf(policy, "policy", BUCKET_TYPES),
    };
  };
  const pushGrant = (grant: GrantDocument | undefined) => grant && grants.push(grant);
  const managedByArn = (arn: string) => managed.find((p) => knownString(p, "arn", deferrals) === arn || knownString(p, "id", deferrals) === arn);

  for (const rp of resources.filter((r) => r.type === TYPES.rolePolicy && refersTo(r, "role", role, values, deferrals))) {
    const label = `role policy ${describe(rp, deferrals)}`;
    grants.push({
      role: identity,
      holder: rp,
      label,
      document: readDocument(() => rp.props.policy, "identity", label),
      bucketDependencies: dependenciesOf(rp, "policy", BUCKET_TYPES),
    });
  }

  const inline = deferrals.known(`inlinePolicies of ${identity.label}`, () => role.props.inlinePolicies as unknown);
  for (const { index, value } of deferrals.elements(`inlinePolicies of ${identity.label}`, inline)) {
    const entry = value as Record<string, unknown>;
    const name = deferrals.quietly(() => entry.name);
    const label = `inline policy ${typeof name === "string" ? name : `#${index}`} of ${identity.label}`;
    grants.push({ role: identity, holder: role, label, document: readDocument(() => entry.policy, "identity", label), bucketDependencies: [] });
  }

  const attachments = resources.filter(
    (r) =>
      (r.type === TYPES.rolePolicyAttachment && refersTo(r, "role", role, values, deferrals)) ||
      (r.type === TYPES.policyAttachment && refersTo(r, "roles", role, values, deferrals)),
  );
  for (const attachment of attachments) {
    const policy = managed.find((p) => refersTo(attachment, "policyArn", p, [knownString(p, "arn", deferrals), knownString(p, "id", deferrals)], deferrals));
    if (policy) pushGrant(fromManaged(policy));
    else {
      const arn = deferrals.known(`policyArn of attachment ${attachment.name} on ${identity.label}`, () => attachment.props.policyArn as unknown);
      if (typeof arn === "string") unreadable.push({ role: identity, holder: attachment, policyArn: arn });
    }
  }

  // Managed policies of the stack are linked by dependency even while their ARNs are unknown.
  for (const policy of dependenciesOf(role, "managedPolicyArns", [TYPES.managedPolicy])) pushGrant(fromManaged(policy));
  const listed = deferrals.known(`managedPolicyArns of ${identity.label}`, () => role.props.managedPolicyArns as unknown);
  for (const { value: arn } of deferrals.elements(`managedPolicyArns of ${identity.label}`, listed)) {
    if (typeof arn !== "string") continue;
    const policy = managedByArn(arn);
    if (policy) pushGrant(fromManaged(policy));
    else unreadable.push({ role: identity, holder: role, policyArn: arn });
  }
  return { grants, unreadable };
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split(/([*?])/).map((p) => (p === "*" ? ".*" : p === "?" ? "." : p.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`);
  return re.test(value);
}

function storageBuckets(resources: PolicyResource[], grants: GrantDocument[], deferrals: PreviewDeferrals): PolicyResource[] {
  const buckets = resources.filter(isBucket);
  const found = new Set<PolicyResource>();
  for (const grant of grants) {
    for (const b of grant.bucketDependencies) found.add(b);
    if (grant.document.kind !== "parsed") continue;
    for (const arn of bucketArnsIn(grant.document.doc)) {
      const name = bucketNameOfArn(arn)!;
      // A grant on every bucket ("*") is judged as a grant; it does not make every bucket identity storage.
      if (/^[*?]+$/.test(name)) continue;
      for (const b of buckets) {
        const bucketName = knownString(b, "bucket", deferrals) ?? knownString(b, "id", deferrals);
        const bucketArn = knownString(b, "arn", deferrals);
        if ((bucketName && globMatch(name, bucketName)) || bucketArn === arn) found.add(b);
      }
    }
  }
  return buckets.filter((b) => found.has(b));
}

/** The identity roles, their grants and the buckets those grants reach, in `resources`. */
export function identityStorage(resources: PolicyResource[], deferrals: PreviewDeferrals): IdentityStorage {
  const roles = identityRoles(resources, deferrals);
  const grants: GrantDocument[] = [];
  const unreadable: UnreadableAttachment[] = [];
  for (const role of roles) {
    const found = grantsOf(role, resources, deferrals);
    grants.push(...found.grants);
    unreadable.push(...found.unreadable);
  }
  return { roles, grants, unreadable, buckets: storageBuckets(resources, grants, deferrals) };
}
