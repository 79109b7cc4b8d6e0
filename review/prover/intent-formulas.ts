/**
 * The intent (review/intent.ts, written from the mission and independent of the policy code) as
 * formulas over the symbolic request: the prover checks policies against these, never against
 * themselves. Areas are where identities' data lies: each identity's folder, each shared folder
 * (for `{id}` folders, one per identity).
 */
import type { Bool, Seq } from "z3-solver";
import { INTENDED_ALL_FOLDERS_READ_ACTIONS, INTENDED_LIST_ACTION, isOneOf, sharedObjectActions, type SharedFolder, type StorageIntent } from "../intent";
import { folderShape, startsWith, startsWithArea, underPrefix, type AreaShape, type Identity, type ListParameters, type Universe } from "./requests";
import { fixedHeadLength, lengthEquals, prefixOfText, startsWithPieces, textAt, type SymStr } from "./sym-string";
import { zlength, zstr } from "./solver";

export const isAllFoldersReadAction = (action: string) => isOneOf(action, INTENDED_ALL_FOLDERS_READ_ACTIONS);
export const isIntendedListAction = (action: string) => action.toLowerCase() === INTENDED_LIST_ACTION.toLowerCase();
export const isOwnerAction = (intent: StorageIntent, action: string) => isOneOf(action, intent.ownerActions);

/** Where identities' data lies: an identity's area (folder or `{id}` shared folder), or a shared folder. */
export type Area =
  | { kind: "folder"; shape: AreaShape; label: string }
  | { kind: "shared-identity"; shape: AreaShape; folder: SharedFolder; label: string }
  | { kind: "shared"; prefix: string; folder: SharedFolder; label: string };

export function areasOf(u: Universe, intent: StorageIntent): Area[] {
  return [
    { kind: "folder", shape: folderShape(u), label: "another identity's folder" },
    ...intent.sharedFolders.map((f): Area => (f.perIdentity ? { kind: "shared-identity", shape: f.perIdentity, folder: f, label: `another identity's ${f.keyPrefix}` } : { kind: "shared", prefix: f.keyPrefix, folder: f, label: `the shared folder ${f.keyPrefix}` })),
  ];
}

/** `s` lies in the area (of identity `who`, for an identity's area). */
export function inArea(u: Universe, area: Area, s: SymStr, who: Identity): Bool<"main"> {
  return area.kind === "shared" ? startsWith(u, s, area.prefix) : startsWithArea(u, s, area.shape, who);
}

/** Intent for an object request by `caller` on `key`. */
export function intendedObject(u: Universe, intent: StorageIntent, action: string, caller: Identity, k: SymStr, tls: Bool<"main">, readAllFolders: boolean): Bool<"main"> {
  const { z } = u;
  const grants: Bool<"main">[] = [];
  if (isOwnerAction(intent, action)) grants.push(startsWithArea(u, k, folderShape(u), caller));
  for (const f of intent.sharedFolders) {
    if (f.perIdentity && isOwnerAction(intent, action)) grants.push(startsWithArea(u, k, f.perIdentity, caller));
    if (isOneOf(action, sharedObjectActions(f))) grants.push(f.perIdentity ? sharedIdentityArea(u, k, f) : startsWith(u, k, f.keyPrefix));
  }
  if (readAllFolders && isAllFoldersReadAction(action)) grants.push(underPrefix(u, k));
  return grants.length ? z.And(tls, z.Or(...grants)) : z.Bool.val(false);
}

/** `s` lies in some identity's copy of a `{id}` shared folder. */
function sharedIdentityArea(u: Universe, s: SymStr, f: SharedFolder): Bool<"main"> {
  const { z } = u;
  const { before, after } = f.perIdentity!;
  const b = zlength(before);
  return z.And(startsWith(u, s, before), textAt(z, s, b + u.idLength, after));
}

/** Intent for a bucket-level request: listing inside the caller's own areas or a listable shared folder. */
export function intendedBucket(u: Universe, intent: StorageIntent, action: string, caller: Identity, list: ListParameters | undefined, tls: Bool<"main">, readAllFolders: boolean): Bool<"main"> {
  const { z } = u;
  if (!list) return z.Bool.val(false);
  const p = list.prefixSym;
  const inside: Bool<"main">[] = [];
  if (isOwnerAction(intent, action)) {
    inside.push(startsWithArea(u, p, folderShape(u), caller));
    for (const f of intent.sharedFolders) if (f.perIdentity) inside.push(startsWithArea(u, p, f.perIdentity, caller));
  }
  if (isIntendedListAction(action)) {
    for (const f of intent.sharedFolders) if (f.access.includes("list")) inside.push(startsWith(u, p, f.perIdentity ? f.perIdentity.before : f.keyPrefix));
    if (readAllFolders) inside.push(underPrefix(u, p));
  }
  return inside.length ? z.And(tls, list.prefixPresent, z.Or(...inside)) : z.Bool.val(false);
}

/**
 * A listing with these parameters can return a key or a common prefix inside the area H
 * (`before<id>after` of `other`, or a shared folder's prefix): either the prefix already lies in
 * H, or the prefix is a proper prefix of H and the delimiter (if any) does not roll every key of
 * H up into a common prefix shorter than H — it does not occur in H before H's final character.
 */
export function listingReveals(u: Universe, list: ListParameters, area: Area, other: Identity): Bool<"main"> {
  const { z } = u;
  const ps = list.prefixSym;
  const p = list.prefix;
  const n = p.length();
  // What the prefix's template fixes decides the length tests below in TypeScript.
  const fixed = fixedHeadLength(ps);
  const no = z.Bool.val(false);
  const text = area.kind === "shared" ? area.prefix : other.text !== undefined ? `${area.shape.before}${other.text}${area.shape.after}` : undefined;
  if (text !== undefined && !u.delimiterMatters) {
    // Known text and no delimiter: inside it, or a prefix of it.
    return z.Or(startsWith(u, ps, text), prefixOfText(z, ps, text));
  }
  const keeps = (rest: Seq<"main">) => (u.delimiterMatters ? z.Or(z.Not(list.delimiterPresent), list.delimiter.length().eq(0), z.Not(rest.contains(list.delimiter))) : z.Bool.val(true));
  if (area.kind === "shared") {
    const h = zstr(z, area.prefix);
    const inH = startsWith(u, ps, area.prefix);
    const properPrefix = fixed >= zlength(area.prefix) ? no : z.And(n.lt(zlength(area.prefix)), prefixOfText(z, ps, area.prefix), keeps(h.extract(n, n.neg().add(zlength(area.prefix) - 1))));
    return z.Or(inH, properPrefix);
  }
  const { before, after } = area.shape;
  const b = zlength(before);
  const full = zstr(z, before).concat(other.id).concat(zstr(z, after));
  const total = b + u.idLength + zlength(after);
  // Within the literal before the id: `p` is a prefix of it.
  const inBefore = fixed > b ? no : z.And(n.le(b), prefixOfText(z, ps, before), keeps(full.extract(n, n.neg().add(total - 1))));
  const startsLikeArea = p.extract(0, b).eq(zstr(z, before));
  // The whole id without what follows (the common mistake), apart: its offsets are concrete.
  const wholeIdPieces = startsWithPieces(z, ps, [{ text: before }, { expr: other.id, length: u.idLength }]);
  const wholeId = fixed > b + u.idLength ? no : z.And(lengthEquals(z, ps, b + u.idLength), wholeIdPieces ?? z.And(startsLikeArea, p.extract(b, u.idLength).eq(other.id)));
  const partOf = fixed >= b + u.idLength ? no : z.And(n.gt(b), n.lt(b + u.idLength), startsLikeArea, p.extract(b, n.sub(b)).prefixOf(other.id), keeps(full.extract(n, n.neg().add(total - 1))));
  // Past the id, inside what follows it (when that is longer than the final "/").
  const inAfter = zlength(after) > 1 && fixed < total ? z.And(n.gt(b + u.idLength), n.lt(total), p.prefixOf(full), keeps(full.extract(n, n.neg().add(total - 1)))) : no;
  return z.Or(startsWithArea(u, ps, area.shape, other), inBefore, wholeId, partOf, inAfter);
}
