/**
 * A design's intent as the command states it: `--owner-actions` and `--shared-folder`, checked
 * before anything is reviewed (a bad value is an input error: exit 2 with one line).
 */
import { PolicyInputError } from "../iam/document";
import { allS3Actions } from "../iam/s3-actions";
import { DEFAULT_OWNER_ACTIONS, isOneOf, LISTING_ACTIONS, type SharedAccess, type SharedFolder, type StorageIntent } from "./intent";

const ACCESS_WORDS: readonly SharedAccess[] = ["read", "write", "delete", "list"];
const KEY_PREFIX = /^([A-Za-z0-9._-]+\/|\{id\}\/)+$/;

/** `public/=read,write` or `protected/{id}/=read,list`. */
export function parseSharedFolder(value: string): SharedFolder {
  const at = value.lastIndexOf("=");
  const where = `--shared-folder ${JSON.stringify(value)}`;
  if (at <= 0) throw new PolicyInputError(`${where} must be <keyPrefix>=<access>, e.g. public/=read,list`);
  const keyPrefix = value.slice(0, at);
  const words = value.slice(at + 1).split(",").map((w) => w.trim()).filter(Boolean);
  if (!KEY_PREFIX.test(keyPrefix)) throw new PolicyInputError(`${where}: the key prefix must be segments of A-Z a-z 0-9 . _ - (or {id}) each ending in '/'`);
  const ids = keyPrefix.split("{id}").length - 1;
  if (ids > 1) throw new PolicyInputError(`${where}: {id} may appear once`);
  if (words.length === 0 || words.some((w) => !ACCESS_WORDS.includes(w as SharedAccess))) {
    throw new PolicyInputError(`${where}: access must be a comma-separated subset of ${ACCESS_WORDS.join(", ")}`);
  }
  const [before, after] = keyPrefix.split("{id}") as [string, string | undefined];
  return { keyPrefix, access: [...new Set(words as SharedAccess[])], ...(after !== undefined ? { perIdentity: { before, after } } : {}) };
}

/** `--owner-actions`: known S3 object actions, or a listing (inside the own folder). */
export async function parseOwnerActions(value: string | undefined): Promise<string[]> {
  if (value === undefined) return [...DEFAULT_OWNER_ACTIONS];
  const names = value.split(",").map((a) => a.trim()).filter(Boolean);
  if (names.length === 0) throw new PolicyInputError("--owner-actions needs at least one S3 action");
  const actions = await allS3Actions();
  return names.map((name) => {
    const known = actions.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (!known) throw new PolicyInputError(`--owner-actions: ${JSON.stringify(name)} is not an S3 action`);
    if (known.scope !== "object" && !isOneOf(known.name, LISTING_ACTIONS.slice(0, 2))) {
      throw new PolicyInputError(`--owner-actions: ${known.name} is neither an object action nor s3:ListBucket/s3:ListBucketVersions`);
    }
    return known.name;
  });
}

export function storageIntent(prefix: string, ownerActions: readonly string[], sharedFolders: readonly SharedFolder[]): StorageIntent {
  return { prefix, ownerActions, sharedFolders };
}
