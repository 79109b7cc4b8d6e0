/**
 * What the storage is meant to allow, written from the mission's own words and independent of
 * the policy code (nothing here is imported from components/): every scenario's expected
 * decision comes from here, so a policy is never judged against itself.
 *
 *   An identity may use the owner actions (by default: read, write and delete objects, abort or
 *   list the parts of its multipart uploads, list) in `<prefix>/<its id>/` (`<its id>/` when the
 *   prefix is empty). It may list only inside that folder: no listing may return a key or a
 *   common prefix outside it. A group configured to read all folders may also read (never write)
 *   any object under the prefix and list there. A design may declare shared folders: what every
 *   identity may do there, and, for a folder with `{id}`, that `…/<its id>/` is also its own.
 *   Nothing else: no ACLs, no versions, no bucket settings, no other S3 resource, nothing
 *   without TLS, and nothing at all for a principal that is not one of the reviewed roles'
 *   identities (another account, anonymous, a service, another identity pool).
 */

/** The default owner actions (s3:ListBucket: listing with an s3:prefix inside the own folder). */
export const DEFAULT_OWNER_ACTIONS: readonly string[] = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
  "s3:ListBucket",
];
/** What "read every folder" means. */
export const INTENDED_ALL_FOLDERS_READ_ACTIONS: readonly string[] = ["s3:GetObject"];
/** The listing a folder's owner (and a reader) is meant to have. */
export const INTENDED_LIST_ACTION = "s3:ListBucket";
/** Listing actions: they take `s3:prefix` (or a prefix parameter) and can reveal key names. */
export const LISTING_ACTIONS: readonly string[] = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

export type SharedAccess = "read" | "write" | "delete" | "list";
/** The S3 object actions each shared access word stands for (`list` is s3:ListBucket). */
export const SHARED_ACCESS_ACTIONS: Record<Exclude<SharedAccess, "list">, readonly string[]> = {
  read: ["s3:GetObject"],
  write: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
  delete: ["s3:DeleteObject"],
};

/** A key prefix every identity of the reviewed roles may use as declared (Amplify's `public/`, `protected/{id}/`). */
export interface SharedFolder {
  /** As declared, e.g. `public/` or `protected/{id}/`. */
  keyPrefix: string;
  /** `{id}` splits the prefix: `before<id>after`; absent for a folder without `{id}`. */
  perIdentity?: { before: string; after: string };
  access: SharedAccess[];
}

/** The design's intent, as the reviewer was told it. */
export interface StorageIntent {
  /** Folder root: identity `<id>` owns `<prefix>/<id>/`, or `<id>/` when empty. */
  prefix: string;
  /** What the owner is meant to have in its own folder. */
  ownerActions: readonly string[];
  sharedFolders: readonly SharedFolder[];
}

export const defaultIntent = (prefix: string): StorageIntent => ({ prefix, ownerActions: DEFAULT_OWNER_ACTIONS, sharedFolders: [] });

/** The folder an identity owns, relative to the bucket. */
export const folderOf = (prefix: string, id: string) => (prefix === "" ? `${id}/` : `${prefix}/${id}/`);
/** Where every identity folder lies (`<prefix>/`, or the whole bucket). */
export const identityRoot = (prefix: string) => (prefix === "" ? "" : `${prefix}/`);
/** A shared folder's prefix for one identity (the folder itself when it has no `{id}`). */
export const sharedPrefixOf = (f: SharedFolder, id: string) => (f.perIdentity ? `${f.perIdentity.before}${id}${f.perIdentity.after}` : f.keyPrefix);

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
  /** A principal that is not one of the reviewed roles' identities: nothing is intended for it. */
  foreign?: boolean;
}

export interface Expectation {
  allow: boolean;
  /** Why, in words a reviewer can check against the mission. */
  reason: string;
}

const sameAction = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const isOneOf = (action: string, list: readonly string[]) => list.some((x) => sameAction(x, action));

/** Object actions a shared folder's access words grant. */
export const sharedObjectActions = (f: SharedFolder) => f.access.flatMap((a) => (a === "list" ? [] : SHARED_ACCESS_ACTIONS[a]));

/** The shared folder (and whose, for `{id}`) a key or list prefix lies in, if any. */
export function sharedFolderOf(intent: StorageIntent, s: string): { folder: SharedFolder; owner?: string } | undefined {
  for (const folder of intent.sharedFolders) {
    if (!folder.perIdentity) {
      if (s.startsWith(folder.keyPrefix)) return { folder };
      continue;
    }
    const { before, after } = folder.perIdentity;
    if (!s.startsWith(before)) continue;
    const rest = s.slice(before.length);
    const end = after === "" ? rest.length : rest.indexOf(after);
    if (end > 0) return { folder, owner: rest.slice(0, end) };
  }
  return undefined;
}

export function intendedDecision(intentOrPrefix: StorageIntent | string, request: IntendedRequest): Expectation {
  const intent = typeof intentOrPrefix === "string" ? defaultIntent(intentOrPrefix) : intentOrPrefix;
  if (request.foreign) return { allow: false, reason: "nothing is intended for a principal other than the reviewed roles' identities" };
  const ownFolder = folderOf(intent.prefix, request.callerId);
  const allFolders = identityRoot(intent.prefix);
  if (!request.secureTransport) return { allow: false, reason: "requests without TLS are refused" };
  const owner = intent.ownerActions;

  const { target, action } = request;
  if (target.kind === "object") {
    const shared = sharedFolderOf(intent, target.key);
    if (target.key.startsWith(ownFolder) && isOneOf(action, owner)) return { allow: true, reason: "owner action in the caller's own folder" };
    if (shared?.owner === request.callerId && isOneOf(action, owner)) return { allow: true, reason: `owner action in the caller's own ${shared.folder.keyPrefix}` };
    if (shared && isOneOf(action, sharedObjectActions(shared.folder))) return { allow: true, reason: `declared access to the shared folder ${shared.folder.keyPrefix}` };
    if (request.readAllFolders && target.key.startsWith(allFolders) && isOneOf(action, INTENDED_ALL_FOLDERS_READ_ACTIONS)) {
      return { allow: true, reason: "read-only access to every folder, granted to this group" };
    }
    if (!target.key.startsWith(ownFolder)) return { allow: false, reason: "object outside the caller's own folder" };
    return { allow: false, reason: "action not granted on objects" };
  }
  if (target.kind === "bucket" && isOneOf(action, LISTING_ACTIONS) && isOneOf(action, [INTENDED_LIST_ACTION, ...owner])) {
    // A listing returns keys (and common prefixes) that start with s3:prefix. Only a prefix that
    // already lies inside the folder guarantees that nothing outside it can come back: the folder
    // name without its slash would also match `<id>x/…`, another identity's folder.
    const p = request.listPrefix;
    const ownerMayList = isOneOf(action, owner);
    if (p !== undefined && ownerMayList && p.startsWith(ownFolder)) return { allow: true, reason: "listing inside the caller's own folder" };
    const shared = p === undefined ? undefined : sharedFolderOf(intent, p);
    if (shared?.owner === request.callerId && ownerMayList) return { allow: true, reason: `listing inside the caller's own ${shared.folder.keyPrefix}` };
    if (sameAction(action, INTENDED_LIST_ACTION) && p !== undefined) {
      const listable = intent.sharedFolders.find((f) => f.access.includes("list") && p.startsWith(f.perIdentity ? f.perIdentity.before : f.keyPrefix));
      if (listable) return { allow: true, reason: `listing the shared folder ${listable.keyPrefix}` };
      if (request.readAllFolders && p.startsWith(allFolders)) return { allow: true, reason: "listing every folder, granted to this group" };
    }
    return { allow: false, reason: "listing that could reveal names outside the caller's own folder" };
  }
  if (target.kind === "bucket") return { allow: false, reason: "bucket-level action not granted" };
  return { allow: false, reason: "not this bucket's objects" };
}
