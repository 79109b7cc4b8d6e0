/**
 * What a review judges: the documents of one storage setup (ours, synthesized, or another app's
 * files), plus the facts the intent needs. Engines and the matrix see only this.
 */
import type { IamDocument } from "../iam/document";
import type { StorageIntent } from "./intent";

export interface NamedPolicy {
  /** Where it came from: a role policy's logical name, or a file path. */
  name: string;
  document: IamDocument;
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
}

export const bucketArnOf = (t: Pick<ReviewTarget, "bucketName">) => `arn:aws:s3:::${t.bucketName}`;
