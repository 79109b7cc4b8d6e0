/**
 * What a review judges: the documents of one storage setup (ours, synthesized, or another app's
 * files), plus the facts the intent needs. Engines and the matrix see only this.
 */
import type { IamDocument } from "../iam/document";
import type { StorageIntent } from "./intent";

/** Where a document, role or mapping was read: the input file and the resource in it. */
export interface SourceLocation {
  /** The input file, as given on the command line. */
  file: string;
  /** 1-based line of the resource (or document) in the file, when known. */
  line?: number;
  /** Logical id, Terraform address, Pulumi URN, or an IAM name or ARN. */
  resource: string;
  /** Lines of the document's statements, by statement label (Sid or #index), when known. */
  statementLines?: Record<string, number>;
}

export interface NamedPolicy {
  /** Where it came from: a role policy's logical name, or a file path. */
  name: string;
  document: IamDocument;
  /** Read from a template, plan, stack export or CLI output: where (optional; policy files and stacks leave it out). */
  source?: SourceLocation;
}

export interface RoleUnderReview {
  /** The group (or a label, for files) whose role this is. */
  group: string;
  /** Role ARN (synthesized, deployed, or a placeholder for files). */
  roleArn: string;
  /** Identity policies attached to the role. */
  identityPolicies: NamedPolicy[];
  /** The role's trust policy, when known. */
  trustPolicy?: NamedPolicy;
  /** Intended: this group may read (never write) every identity's folder. */
  readAllFolders: boolean;
  /** Where the role was read (templates and other inputs). */
  source?: SourceLocation;
  /** Not a user-pool group's role (a pool's default role, say): the role-mapping intent lists no "user in <group>" for it. */
  notAGroup?: boolean;
}

/** Cognito role mapping as configured on the identity pool (for the "user in no group" check). */
export interface RoleMappingUnderReview {
  type: "Token" | "Rules";
  ambiguousRoleResolution: string;
  rules: { claim: string; matchType: string; value: string; roleArn: string }[];
  /** The pool's default role for authenticated identities (used only when resolution is not Deny). */
  defaultAuthenticatedRoleArn?: string;
  /** Role for unauthenticated identities, if any is attached. */
  unauthenticatedRoleArn?: string;
  allowUnauthenticatedIdentities: boolean;
  /** group name → role ARN, as the user pool's groups carry them (Token mapping reads these). */
  groupRoles: Record<string, string>;
  groupPrecedence: Record<string, number>;
  /** Where the role attachment was read (templates and other inputs). */
  source?: SourceLocation;
}

export interface ReviewTarget {
  /** Human label: "stack dev" or "files". */
  label: string;
  region: string;
  accountId: string;
  bucketName: string;
  /** Folder root: identity `<id>` owns `<prefix>/<id>/` (`<id>/` when empty). Same as `intent.prefix`. */
  prefix: string;
  /** What the design is meant to allow (owner actions, shared folders). */
  intent: StorageIntent;
  /** The inputs prove that ACLs play no part (BucketOwnerEnforced ownership), so ACL writes are harmless. */
  aclsDisabled: boolean;
  /** The identity pool whose tokens the roles should trust. */
  identityPoolId: string;
  roles: RoleUnderReview[];
  bucketPolicy?: NamedPolicy;
  roleMapping?: RoleMappingUnderReview;
  /** Set when the target was read from templates, plans, stack exports or CLI output (`--template`). */
  inputs?: TargetInputs;
}

/** A fact of the review (bucket, prefix, identity pool) and where it came from. */
export interface Provenance {
  /** "file": the inputs determine it; "flag": given on the command line; "placeholder": neither (a generated name). */
  from: "file" | "flag" | "placeholder";
  /** How, in words: "BucketName of S3Bucket (storage.json:40)". */
  detail: string;
}

/** A document the inputs reference but do not contain (an AWS-managed policy, another stack's export, a value unknown until apply). */
export interface AbsentDocument {
  /** What the inputs name: the policy ARN, the export, the Terraform attribute. */
  reference: string;
  use: "identity" | "trust" | "resource";
  /** The role (group label) or bucket it belongs to. */
  holder: string;
  why: string;
  source: SourceLocation;
}

/** What `--template` inputs add to a target: the files, the facts' provenance, what is missing. */
export interface TargetInputs {
  files: string[];
  /** The branch of template conditions this target reviews ("IsProd=true"), when the inputs have undetermined conditions. */
  variant?: string;
  provenance: { bucket: Provenance; prefix: Provenance; identityPool: Provenance };
  /** Referenced but not contained: the verdict is UNKNOWN until each is supplied. */
  absent: AbsentDocument[];
  /** Role mapping rules that are findings by their shape (Contains on cognito:groups). */
  mappingIssues: { at: string; message: string; source?: SourceLocation }[];
  /** What the reader assumed or left out, in words. */
  notes: string[];
}

export const bucketArnOf = (t: Pick<ReviewTarget, "bucketName">) => `arn:aws:s3:::${t.bucketName}`;
