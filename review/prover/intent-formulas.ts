/**
 * The intent (review/intent.ts, written from the mission and independent of the policy
 * code) as formulas over the symbolic request: the prover checks policies against these, never
 * against themselves.
 */
import type { Bool, Seq } from "z3-solver";
import { INTENDED_ALL_FOLDERS_READ_ACTIONS, INTENDED_LIST_ACTION, INTENDED_OWNER_OBJECT_ACTIONS } from "../intent";
import { underFolder, underPrefix, type Identity, type ListParameters, type Universe } from "./requests";
import { free } from "./sym-string";
import { zlength, zstr } from "./solver";

const oneOf = (action: string, list: readonly string[]) => list.some((x) => x.toLowerCase() === action.toLowerCase());

export const isOwnerObjectAction = (action: string) => oneOf(action, INTENDED_OWNER_OBJECT_ACTIONS);
export const isAllFoldersReadAction = (action: string) => oneOf(action, INTENDED_ALL_FOLDERS_READ_ACTIONS);
export const isIntendedListAction = (action: string) => action.toLowerCase() === INTENDED_LIST_ACTION.toLowerCase();

/** Intent for an object request by `caller` on `key`. */
export function intendedObject(u: Universe, action: string, caller: Identity, key: Seq<"main">, tls: Bool<"main">, readAllFolders: boolean): Bool<"main"> {
  const { z } = u;
  const grants: Bool<"main">[] = [];
  if (isOwnerObjectAction(action)) grants.push(underFolder(u, free(key), caller));
  if (readAllFolders && isAllFoldersReadAction(action)) grants.push(underPrefix(u, free(key)));
  return grants.length ? z.And(tls, z.Or(...grants)) : z.Bool.val(false);
}

/** Intent for a bucket-level request: only ListBucket, only with a prefix inside the caller's folder. */
export function intendedBucket(u: Universe, action: string, caller: Identity, list: ListParameters | undefined, tls: Bool<"main">, readAllFolders: boolean): Bool<"main"> {
  const { z } = u;
  if (!isIntendedListAction(action) || !list) return z.Bool.val(false);
  const p = free(list.prefix);
  const inside = readAllFolders ? z.Or(underFolder(u, p, caller), underPrefix(u, p)) : underFolder(u, p, caller);
  return z.And(tls, list.prefixPresent, inside);
}

/**
 * A listing with these parameters can return a key or a common prefix under `other`'s folder F:
 * either the prefix already lies in F, or the prefix is a proper prefix of F and the delimiter
 * (if any) does not roll every key of F up into a common prefix shorter than F — that is, it
 * does not occur in F before F's final character. F = `<prefix>/` + id + `/`, so a proper prefix
 * of F is a prefix of the literal `<prefix>/`, or `<prefix>/` followed by a prefix of the id.
 */
export function listingReveals(u: Universe, list: ListParameters, other: Identity): Bool<"main"> {
  const { z } = u;
  const head = `${u.target.prefix}/`;
  const p = list.prefix;
  const n = p.length();
  // The rest of F (before its final "/") that a delimiter could occur in.
  const keepsFolder = (rest: Seq<"main">) => (u.delimiterMatters ? z.Or(z.Not(list.delimiterPresent), list.delimiter.length().eq(0), z.Not(rest.contains(list.delimiter))) : z.Bool.val(true));
  const inHead = z.And(n.le(zlength(head)), p.prefixOf(zstr(z, head)), keepsFolder(zstr(z, head).concat(other.id).extract(n, n.neg().add(zlength(head) + u.idLength))));
  const startsLikeFolder = p.extract(0, zlength(head)).eq(zstr(z, head));
  // The whole id without the final "/" (the common mistake), apart: its offsets are concrete.
  const wholeId = z.And(n.eq(zlength(head) + u.idLength), startsLikeFolder, p.extract(zlength(head), u.idLength).eq(other.id));
  const partOfId = z.And(
    n.gt(zlength(head)),
    n.lt(zlength(head) + u.idLength),
    startsLikeFolder,
    p.extract(zlength(head), n.sub(zlength(head))).prefixOf(other.id),
    keepsFolder(other.id.extract(n.sub(zlength(head)), n.neg().add(zlength(head) + u.idLength))),
  );
  return z.Or(underFolder(u, free(p), other), inHead, wholeId, partOfId);
}
