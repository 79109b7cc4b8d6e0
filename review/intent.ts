/**
 * What the storage is meant to allow, written from the mission's own words and independent of
 * the policy code (nothing here is imported from components/): every scenario's expected
 * decision comes from here, so a policy is never judged against itself.
 *
 *   An identity may read, write and delete objects in `<prefix>/<its id>/`, and abort or list
 *   the parts of its multipart uploads there. It may list only inside that folder: no listing
 *   may return a key or a common prefix outside it. A group configured to read all folders may
 *   also read (never write) any object under `<prefix>/` and list under `<prefix>/`. Nothing
 *   else: no ACLs, no versions, no bucket settings, no other S3 resource. Nothing without TLS.
 */

/** The object actions an identity needs on its own folder. */
export const INTENDED_OWNER_OBJECT_ACTIONS: readonly string[] = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
];
/** What "read every folder" means. */
export const INTENDED_ALL_FOLDERS_READ_ACTIONS: readonly string[] = ["s3:GetObject"];
/** The only listing anybody is meant to have. */
export const INTENDED_LIST_ACTION = "s3:ListBucket";

export type IntendedTarget =
  | { kind: "object"; key: string }
  | { kind: "bucket" }
  /** An S3 resource other than this bucket and its objects (access points, jobs, `*`, …). */
  | { kind: "other" };

export interface IntendedRequest {
  action: string;
  target: IntendedTarget;
  callerId: string;
  /** The caller's group may read every folder. */
  readAllFolders: boolean;
  secureTransport: boolean;
  /** `s3:prefix` of a list request, if any. */
  listPrefix?: string;
}

export interface Expectation {
  allow: boolean;
  /** Why, in words a reviewer can check against the mission. */
  reason: string;
}

const sameAction = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isOneOf = (action: string, list: readonly string[]) => list.some((x) => sameAction(x, action));

export function intendedDecision(prefix: string, request: IntendedRequest): Expectation {
  const ownFolder = `${prefix}/${request.callerId}/`;
  const allFolders = `${prefix}/`;
  if (!request.secureTransport) return { allow: false, reason: "requests without TLS are refused" };

  const { target, action } = request;
  if (target.kind === "object") {
    if (target.key.startsWith(ownFolder) && isOneOf(action, INTENDED_OWNER_OBJECT_ACTIONS)) {
      return { allow: true, reason: "owner action in the caller's own folder" };
    }
    if (request.readAllFolders && target.key.startsWith(allFolders) && isOneOf(action, INTENDED_ALL_FOLDERS_READ_ACTIONS)) {
      return { allow: true, reason: "read-only access to every folder, granted to this group" };
    }
    if (!target.key.startsWith(ownFolder)) return { allow: false, reason: "object outside the caller's own folder" };
    return { allow: false, reason: "action not granted on objects" };
  }
  if (target.kind === "bucket" && sameAction(action, INTENDED_LIST_ACTION)) {
    // A listing returns keys (and common prefixes) that start with s3:prefix. Only a prefix that
    // already lies inside the folder guarantees that nothing outside it can come back: the folder
    // name without its slash would also match `<id>x/…`, another identity's folder.
    if (request.listPrefix !== undefined && request.listPrefix.startsWith(ownFolder)) {
      return { allow: true, reason: "listing inside the caller's own folder" };
    }
    if (request.readAllFolders && request.listPrefix !== undefined && request.listPrefix.startsWith(allFolders)) {
      return { allow: true, reason: "listing every folder, granted to this group" };
    }
    return { allow: false, reason: "listing that could reveal names outside the caller's own folder" };
  }
  if (target.kind === "bucket") return { allow: false, reason: "bucket-level action not granted" };
  return { allow: false, reason: "not this bucket's objects" };
}
