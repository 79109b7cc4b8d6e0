/**
 * What a caller may say about a file and how to read or write it: content type, download
 * filename (Content-Disposition), Cache-Control, user metadata, conditional writes and reads,
 * and byte ranges. Each arrives as a header (inline routes) or a JSON field (URL routes) and is
 * checked here against the header grammar of RFC 9110, so that the value can never break the
 * header S3 (or the SDK, which throws on a bad header) receives, and against S3's own bounds.
 */
import contentDisposition from "content-disposition";
import { MAX_METADATA_ENTRIES, S3_LIMITS } from "../contract/files-api";
import { isWellFormedText } from "../contract/object-keys";
import { HttpError } from "./http-errors";
import { badRequest } from "./request-input";

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** A quoted-string of visible ASCII and spaces (no control characters, no obs-text). */
const QUOTED = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*"';
/** `type/subtype *( OWS ";" OWS name=value )`, OWS being spaces and tabs only (RFC 9110 §5.6.3, §8.3.1). */
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);
/** `directive[=value]` separated by commas (RFC 9111 §5.2). */
const CACHE_CONTROL = new RegExp(`^${TOKEN}(?:=(?:${TOKEN}|${QUOTED}))?(?:[ \\t]*,[ \\t]*${TOKEN}(?:=(?:${TOKEN}|${QUOTED}))?)*$`);
/** A strong entity tag, as S3 writes them (`"…"`). */
const ENTITY_TAG = /^"[\x21\x23-\x7e]*"$/;
/** Metadata names S3 keeps as given (it lower-cases them): lower-case letters, digits, `-` and `_`. */
const METADATA_NAME = /^[a-z0-9][a-z0-9_-]{0,127}$/;
/** Visible ASCII and spaces: what survives S3's metadata headers unchanged. */
const HEADER_TEXT = /^[\x20-\x7e]*$/;
const MAX_HEADER_VALUE = 1024;

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** Strips optional whitespace around a field value: spaces and tabs only (RFC 9110 §5.5), never line breaks. */
const trimOws = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "");

/** A Content-Type S3 will store and return as sent; absent or empty is `application/octet-stream`. */
export function contentTypeOf(value: string | undefined): string {
  const trimmed = value === undefined ? undefined : trimOws(value);
  if (trimmed === undefined || trimmed === "") return DEFAULT_CONTENT_TYPE;
  if (trimmed.length > 255 || !MEDIA_TYPE.test(trimmed)) {
    throw badRequest("invalid_content_type", "Content-Type must be a media type such as 'text/plain; charset=utf-8' (visible ASCII, no line breaks).");
  }
  return trimmed;
}

/** A Content-Disposition to store with the file (RFC 6266), checked by parsing it. */
export function storedContentDisposition(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = () => badRequest("invalid_content_disposition", "Content-Disposition must be e.g. 'attachment; filename=\"a.txt\"' (RFC 6266), in visible ASCII.");
  if (value.length > MAX_HEADER_VALUE || !HEADER_TEXT.test(value)) throw problem();
  try {
    contentDisposition.parse(value);
  } catch {
    throw problem();
  }
  return value;
}

/**
 * The Content-Disposition a download URL asks S3 to answer with: `attachment` (save) or
 * `inline`, with the filename in an ASCII fallback and RFC 5987 UTF-8 form (RFC 6266 §4.3).
 */
export function downloadDisposition(filename: string | undefined, disposition: unknown): string | undefined {
  if (disposition !== undefined && disposition !== "attachment" && disposition !== "inline") {
    throw badRequest("invalid_disposition", "disposition must be 'attachment' or 'inline'.");
  }
  if (filename === undefined) return disposition === undefined ? undefined : disposition;
  // eslint-disable-next-line no-control-regex -- a filename must not hold control characters
  if (filename.length === 0 || filename.length > 255 || /[\u0000-\u001f\u007f-\u009f\u2028\u2029/\\]/.test(filename) || !isWellFormedText(filename)) {
    throw badRequest("invalid_filename", "filename must be 1-255 characters without '/', '\\' or control characters.");
  }
  // The header stays ASCII: an ASCII fallback (`_` for anything else) beside the exact UTF-8 name.
  const fallback = filename.replace(/[^\x20-\x7e]/gu, "_");
  return contentDisposition(filename, { type: (disposition as string | undefined) ?? "attachment", fallback });
}

export function cacheControlOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = trimOws(value);
  if (trimmed.length === 0 || trimmed.length > 256 || !CACHE_CONTROL.test(trimmed)) {
    throw badRequest("invalid_cache_control", "Cache-Control must be directives such as 'max-age=3600, private' (visible ASCII).");
  }
  return trimmed;
}

/** User metadata: at most 10 entries of `name` → visible-ASCII value, 2 KB in all (S3's limit). */
export function metadataOf(entries: unknown): Record<string, string> | undefined {
  if (entries === undefined) return undefined;
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) throw badRequest("invalid_metadata", "metadata must be an object of name → string.");
  const pairs = Object.entries(entries as Record<string, unknown>);
  if (pairs.length > MAX_METADATA_ENTRIES) throw badRequest("invalid_metadata", `metadata holds at most ${MAX_METADATA_ENTRIES} entries.`);
  let bytes = 0;
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!METADATA_NAME.test(name)) throw badRequest("invalid_metadata", `metadata name ${JSON.stringify(name)} must be lower-case letters, digits, '-' or '_'.`);
    if (typeof value !== "string" || !HEADER_TEXT.test(value)) throw badRequest("invalid_metadata", `metadata ${name} must be a string of visible ASCII characters.`);
    bytes += name.length + value.length;
    out[name] = value;
  }
  if (bytes > S3_LIMITS.maxMetadataBytes) throw badRequest("invalid_metadata", `metadata is limited to ${S3_LIMITS.maxMetadataBytes} bytes of names and values.`);
  return out;
}

/** S3's conditional write: `If-None-Match: *` (only if absent) or `If-Match: <etag>` (only if unchanged). */
export interface WriteCondition {
  ifNoneMatch?: "*";
  ifMatch?: string;
}

export function writeCondition(ifMatch: string | undefined, ifNoneMatch: string | undefined): WriteCondition {
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw badRequest("invalid_condition", "Send If-Match or If-None-Match, not both.");
  if (ifNoneMatch !== undefined) {
    if (trimOws(ifNoneMatch) !== "*") throw badRequest("invalid_condition", "If-None-Match on a write must be '*' (create only if absent).");
    return { ifNoneMatch: "*" };
  }
  if (ifMatch !== undefined) {
    const etag = trimOws(ifMatch);
    if (!ENTITY_TAG.test(etag)) throw badRequest("invalid_condition", 'If-Match must be one entity tag as returned in ETag, e.g. "9b2cf535f27731c974343645a3985328".');
    return { ifMatch: etag };
  }
  return {};
}

/** `If-None-Match` on a read: `*` or entity tags (weak ones compared by their tag, RFC 9110 §13.1.2). */
export function readCondition(ifNoneMatch: string | undefined): string | undefined {
  if (ifNoneMatch === undefined) return undefined;
  const value = trimOws(ifNoneMatch);
  if (value === "*") return value;
  const tags = value.split(",").map((t) => trimOws(t).replace(/^W\//, ""));
  if (value.length > MAX_HEADER_VALUE || tags.some((t) => !ENTITY_TAG.test(t))) {
    throw badRequest("invalid_condition", "If-None-Match must be '*' or entity tags as returned in ETag.");
  }
  return tags.join(", ");
}

/** One byte range of RFC 9110 §14.1.2: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`. */
export type ByteRange = { first: number; last?: number } | { suffix: number };

const rangeError = (code: string, message: string) => new HttpError(416, code, message);

export function byteRange(value: string | undefined): ByteRange | undefined {
  if (value === undefined) return undefined;
  const trimmed = trimOws(value);
  if (trimmed.includes(",")) throw rangeError("multiple_ranges_unsupported", "Ask for one byte range at a time (S3 serves a single range).");
  const match = /^bytes=(?:(\d{1,16})-(\d{1,16})?|-(\d{1,16}))$/.exec(trimmed);
  if (!match) throw rangeError("malformed_range", "Range must be bytes=<first>-<last>, bytes=<first>- or bytes=-<suffix length>.");
  if (match[3] !== undefined) {
    const suffix = Number(match[3]);
    if (suffix === 0) throw rangeError("range_not_satisfiable", "A suffix range of 0 bytes selects nothing.");
    return { suffix };
  }
  const first = Number(match[1]);
  if (match[2] === undefined) return { first };
  const last = Number(match[2]);
  if (last < first) throw rangeError("malformed_range", "Range's last byte comes before its first.");
  return { first, last };
}

/** The range as the header S3 takes. */
export function rangeHeader(range: ByteRange): string {
  return "suffix" in range ? `bytes=-${range.suffix}` : `bytes=${range.first}-${range.last ?? ""}`;
}
