/**
 * Which object keys a caller may name, and where they land. A key is a path relative to the
 * caller's folder; anything that could make it mean a different path once some later layer
 * normalises or decodes it is refused, with every rule it broke named.
 *
 * API Gateway HTTP APIs decode the request path once before the function sees `{key+}`; a
 * percent sequence still present was encoded more than once, and a decoder further on could turn
 * it into a separator or a dot segment. Such keys are refused; `%` that decodes to anything
 * harmless (`100%`, `%41`) is kept literally.
 */

/** S3's limit for a whole key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export type KeyProblem = string;

/** Decoding rounds tried: enough for any realistic stacking of encodings. */
const MAX_DECODE_ROUNDS = 8;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Decodes every valid `%XX` (as one byte each) until nothing changes, leniently. */
function percentDecodedFully(key: string): string {
  let current = key;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = current.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** Whether decoding `key` further would add a separator, a dot segment or a control character. */
function percentEncodingChangesPath(key: string): boolean {
  const decoded = percentDecodedFully(key);
  if (decoded === key) return false;
  return (
    count(decoded, "/") !== count(key, "/") ||
    count(decoded, "\\") !== count(key, "\\") ||
    decoded.split("/").some((s) => s === "." || s === "..") ||
    CONTROL.test(decoded)
  );
}

/** Whether `text` is valid Unicode (no lone surrogate), so it has a UTF-8 form at all. */
export const isWellFormedText = (text: string): boolean => !LONE_SURROGATE.test(text);

const UTF8 = new TextEncoder();

/** UTF-8 bytes of `text` (a lone surrogate counts as U+FFFD, as S3 would store it), without Node's Buffer: FilesClient uses this too. */
export function utf8Length(text: string): number {
  return UTF8.encode(text).byteLength;
}

/** Every rule `key` breaks; an empty list means it is an acceptable key. */
export function objectKeyProblems(key: string): KeyProblem[] {
  if (key.length === 0) return ["is empty"];
  const problems: KeyProblem[] = [];
  if (utf8Length(key) > MAX_KEY_BYTES) problems.push(`is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`);
  if (key.startsWith("/")) problems.push("starts with '/'");
  const segments = key.split("/");
  if (segments.some((s) => s === "..")) problems.push("has a '..' segment");
  if (segments.some((s) => s === ".")) problems.push("has a '.' segment");
  if (segments.slice(key.startsWith("/") ? 1 : 0).some((s) => s === "")) problems.push("has an empty segment ('//' or a trailing '/')");
  // WHATWG URL parsing and Windows tools read '\' as '/': a key holding one could change path on the way.
  if (key.includes("\\")) problems.push("contains '\\' (read as '/' by URL parsers and some clients)");
  if (CONTROL.test(key)) problems.push("contains a control character");
  if (LONE_SURROGATE.test(key)) problems.push("is not valid Unicode (lone surrogate)");
  if (percentEncodingChangesPath(key)) {
    problems.push("contains percent-encoding that decodes to '/', '\\', a '.' or '..' segment or a control character");
  }
  return problems;
}

/**
 * Every rule a key S3 could hold breaks: the looser rule for keys that travel in a query string
 * or a JSON body (never in a path), so that every key LIST returns, whoever wrote it, can be
 * read and deleted. Only what S3 itself refuses, and what cannot be sent at all, is refused.
 */
export function storedKeyProblems(key: string): KeyProblem[] {
  if (key.length === 0) return ["is empty"];
  const problems: KeyProblem[] = [];
  if (utf8Length(key) > MAX_KEY_BYTES) problems.push(`is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`);
  if (LONE_SURROGATE.test(key)) problems.push("is not valid Unicode (lone surrogate)");
  return problems;
}

/** Whether `key` can travel in `/files/{key+}`; otherwise the `?key=` forms serve it. */
export const isPathSafeKey = (key: string): boolean => objectKeyProblems(key).length === 0;

/** `<prefix>/<identityId>/`: the only folder an identity's credentials can reach. */
export function identityFolder(prefix: string, identityId: string): string {
  return `${prefix}/${identityId}/`;
}

/** The full S3 key of an accepted relative key. */
export function keyInFolder(folder: string, key: string): string {
  return folder + key;
}
