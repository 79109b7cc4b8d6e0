/**
 * The format-neutral model every input reader produces: roles, managed policies, buckets, bucket
 * policies, identity pools, role attachments and user-pool groups, each with where it was read.
 * Documents are raw JSON with every intrinsic or reference already resolved; to-targets.ts parses
 * them and turns the model into review targets.
 */
import type { SourceLocation } from "../review-target";

/** A policy document as read: its JSON value, or why it cannot be read (unknown until apply, encrypted, another stack's). */
export interface ModelDocument {
  /** How reports name it: `AuthRole inline policy storage`. */
  label: string;
  /** The resolved JSON; undefined when `missing` says why it is not there. */
  json?: unknown;
  missing?: string;
  source: SourceLocation;
}

export interface ModelRole {
  /** The resource's id in its file (logical id, address, URN) or, for CLI output, the role name. */
  id: string;
  name: string;
  arn: string;
  trust?: ModelDocument;
  /** The trust is unknown (until apply) but built from an identity pool: an identity role all the same. */
  trustBuiltFromIdentityPool?: boolean;
  /** Inline policies written in the role itself. */
  inline: ModelDocument[];
  /** Managed policy ARNs the role lists itself. */
  managedPolicyArns: { arn: string; source: SourceLocation }[];
  source: SourceLocation;
}

/** A policy document attached to a role by a separate resource (AWS::IAM::Policy, aws_iam_role_policy, RolePolicy, get-role-policy). */
export interface ModelRolePolicy {
  /** The role: its name, ARN or model id. */
  role: string;
  document: ModelDocument;
}

export interface ModelManagedPolicy {
  arn: string;
  document: ModelDocument;
}

/** A managed policy attached to a role by a separate resource (or a CFN ManagedPolicy's `Roles`). */
export interface ModelPolicyAttachment {
  role: string;
  policyArn: string;
  source: SourceLocation;
}

export interface ModelBucket {
  name: string;
  /** The name is a stand-in for one generated at deploy time (or unknown until apply). */
  placeholder: boolean;
  source: SourceLocation;
}

/** A bucket's object-ownership setting (CloudFormation OwnershipControls, Terraform/Pulumi ownership-controls resources). */
export interface ModelOwnershipControls {
  /** The bucket's name. */
  bucket: string;
  /** `BucketOwnerEnforced` (ACLs disabled), `BucketOwnerPreferred`, `ObjectWriter`; undefined when unknown. */
  objectOwnership?: string;
  source: SourceLocation;
}

export interface ModelBucketPolicy {
  /** The bucket's name. */
  bucket: string;
  document: ModelDocument;
}

export interface ModelIdentityPool {
  id: string;
  placeholder: boolean;
  allowUnauthenticatedIdentities: boolean;
  source: SourceLocation;
}

export interface ModelRoleMapping {
  type: "Token" | "Rules";
  ambiguousRoleResolution: string;
  rules: { claim: string; matchType: string; value: string; roleArn: string }[];
}

export interface ModelRoleAttachment {
  identityPoolId: string;
  authenticatedRoleArn?: string;
  unauthenticatedRoleArn?: string;
  mappings: ModelRoleMapping[];
  source: SourceLocation;
}

export interface ModelUserPoolGroup {
  name: string;
  roleArn?: string;
  precedence?: number;
  source: SourceLocation;
}

export interface InputModel {
  files: string[];
  roles: ModelRole[];
  rolePolicies: ModelRolePolicy[];
  managedPolicies: ModelManagedPolicy[];
  attachments: ModelPolicyAttachment[];
  buckets: ModelBucket[];
  bucketPolicies: ModelBucketPolicy[];
  ownershipControls: ModelOwnershipControls[];
  identityPools: ModelIdentityPool[];
  roleAttachments: ModelRoleAttachment[];
  userPoolGroups: ModelUserPoolGroup[];
  /** Values the inputs leave open that the reader stood in for (`placeholder value → what it stands for`). */
  placeholders: Map<string, string>;
  notes: string[];
}

export function emptyModel(files: string[] = []): InputModel {
  return {
    files,
    roles: [],
    rolePolicies: [],
    managedPolicies: [],
    attachments: [],
    buckets: [],
    bucketPolicies: [],
    ownershipControls: [],
    identityPools: [],
    roleAttachments: [],
    userPoolGroups: [],
    placeholders: new Map(),
    notes: [],
  };
}

/** One model of several inputs (files reviewed together, such as a root stack and a storage stack). */
export function mergeModels(models: InputModel[]): InputModel {
  const out = emptyModel();
  for (const m of models) {
    out.files.push(...m.files);
    out.roles.push(...m.roles);
    out.rolePolicies.push(...m.rolePolicies);
    out.managedPolicies.push(...m.managedPolicies);
    out.attachments.push(...m.attachments);
    out.buckets.push(...m.buckets);
    out.bucketPolicies.push(...m.bucketPolicies);
    out.ownershipControls.push(...m.ownershipControls);
    out.identityPools.push(...m.identityPools);
    out.roleAttachments.push(...m.roleAttachments);
    out.userPoolGroups.push(...m.userPoolGroups);
    for (const [k, v] of m.placeholders) out.placeholders.set(k, v);
    out.notes.push(...m.notes);
  }
  return out;
}

/** A `{resource}` location in `file`. */
export const at = (file: string, resource: string, line?: number): SourceLocation => ({ file, resource, ...(line !== undefined ? { line } : {}) });
