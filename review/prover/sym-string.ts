/**
 * Matching a policy's token list against a symbolic string, as Z3 formulas. The encoding is
 * positional: identity ids have a fixed length (what Cognito issues), so every literal and
 * identity piece before the first `*` and after the last one sits at a known offset and becomes
 * an `extract(…) == …` equality. Z3 answers those in milliseconds, where `prefixOf`/regex forms
 * over the same strings ran into its timeout. The formulas are quantifier-free, so they stay
 * exact under negation (Deny, NotResource, StringNotLike).
 */
import type { Arith, Bool, Re, Seq } from "z3-solver";
import { groundTokens, type Token } from "./pattern";
import { type Z3, zlength, zstr } from "./solver";
import { UnsupportedConstruct } from "./unsupported";

/** A string expression with what is known about it: a literal head, and maybe its length. */
export interface SymStr {
  expr: Seq<"main">;
  /** Known literal text at its start ("" if none). */
  head: string;
  /** Known total length, when every part has a fixed length. */
  length?: number;
  /**
   * How `expr` is built, when known: literals and fixed-length variables (identity ids), then at
   * most one free string. Pieces at known offsets are then compared part by part, which Z3
   * decides at once, where an `extract` of the whole concatenation made it search.
   */
  parts?: Part[];
}

export type Part = { kind: "lit"; text: string } | { kind: "var"; expr: Seq<"main">; length: number } | { kind: "free"; expr: Seq<"main"> };

/** What a piece is compared with: text, or a fixed-length expression (the identity). */
export type Target = { text: string } | { expr: Seq<"main">; length: number };

/** `v[o, o + n)` equals the target, compared part by part; undefined when the parts do not reach. */
function pieceEquals(z: Z3, v: SymStr, o: number, target: Target): Bool<"main">[] | undefined {
  if (!v.parts) return undefined;
  const n = "text" in target ? zlength(target.text) : target.length;
  const slice = (i: number, m: number): Target => ("text" in target ? { text: [...target.text].slice(i, i + m).join("") } : { expr: i === 0 && m === target.length ? target.expr : target.expr.extract(i, m), length: m });
  const out: Bool<"main">[] = [];
  let start = 0;
  for (const part of v.parts) {
    const end = part.kind === "lit" ? start + zlength(part.text) : part.kind === "var" ? start + part.length : Infinity;
    const from = Math.max(o, start);
    const to = Math.min(o + n, end);
    if (from < to) {
      const t = slice(from - o, to - from);
      const m = to - from;
      const po = from - start;
      if (part.kind === "lit") {
        const text = [...part.text].slice(po, po + m).join("");
        out.push("text" in t ? z.Bool.val(t.text === text) : t.expr.eq(zstr(z, text)));
      } else {
        const piece = part.kind === "var" && po === 0 && m === part.length ? part.expr : part.expr.extract(po, m);
        out.push("text" in t ? piece.eq(zstr(z, t.text)) : piece.eq(t.expr));
      }
    }
    if (end >= o + n) return out;
    start = end;
  }
  return undefined;
}

/** `len(v) >= n`, decided in TypeScript where the parts say enough (a template's fixed head, then its free tail). */
export function lengthAtLeast(z: Z3, v: SymStr, n: number): Bool<"main"> {
  if (v.length !== undefined) return z.Bool.val(v.length >= n);
  if (v.parts) {
    let fixed = 0;
    for (const [i, part] of v.parts.entries()) {
      if (fixed >= n) return z.Bool.val(true);
      if (part.kind === "lit") fixed += zlength(part.text);
      else if (part.kind === "var") fixed += part.length;
      else if (i === v.parts.length - 1) return part.expr.length().ge(n - fixed);
      else break;
    }
    if (fixed >= n) return z.Bool.val(true);
  }
  return v.expr.length().ge(n);
}

/** `v` has `text` at offset `o` (and is long enough), part by part where the parts reach. */
export function textAt(z: Z3, v: SymStr, o: number, text: string): Bool<"main"> {
  const n = zlength(text);
  const byParts = pieceEquals(z, v, o, { text });
  return z.And(lengthAtLeast(z, v, o + n), ...(byParts ?? [v.expr.extract(o, n).eq(zstr(z, text))]));
}

/** How many characters at the start of `v` its parts fix (literals and fixed-length variables). */
export function fixedHeadLength(v: SymStr): number {
  if (v.length !== undefined) return v.length;
  let n = 0;
  for (const part of v.parts ?? []) {
    if (part.kind === "free") break;
    n += part.kind === "lit" ? zlength(part.text) : part.length;
  }
  return n;
}

/** `len(v) == n`, decided in TypeScript where the parts say enough. */
export function lengthEquals(z: Z3, v: SymStr, n: number): Bool<"main"> {
  if (v.length !== undefined) return z.Bool.val(v.length === n);
  const fixed = fixedHeadLength(v);
  const tail = v.parts?.[v.parts.length - 1];
  if (v.parts && tail?.kind === "free" && v.parts.slice(0, -1).every((p) => p.kind !== "free")) return fixed > n ? z.Bool.val(false) : tail.expr.length().eq(n - fixed);
  return v.expr.length().eq(n);
}

/** `v` is a prefix of `text` (S3's "the key starts with the list prefix", read the other way), part by part where it can. */
export function prefixOfText(z: Z3, v: SymStr, text: string): Bool<"main"> {
  const chars = [...text];
  if (!v.parts) return v.expr.prefixOf(zstr(z, text));
  const out: Bool<"main">[] = [];
  let o = 0;
  for (const [i, part] of v.parts.entries()) {
    if (part.kind === "free") {
      if (i !== v.parts.length - 1) return v.expr.prefixOf(zstr(z, text));
      out.push(part.expr.prefixOf(zstr(z, chars.slice(o).join(""))));
      return z.And(...out);
    }
    const n = part.kind === "lit" ? zlength(part.text) : part.length;
    if (o + n > chars.length) return z.Bool.val(false);
    const slice = chars.slice(o, o + n).join("");
    if (part.kind === "lit") {
      if (part.text !== slice) return z.Bool.val(false);
    } else out.push(part.expr.eq(zstr(z, slice)));
    o += n;
  }
  return z.And(...out);
}

/**
 * `v` starts with the pieces (text, or fixed-length expressions such as an identity id), compared
 * part by part: literal against literal is decided here, and Z3 sees only equalities between
 * whole pieces, never an `extract` of a concatenation. Undefined when `v` has no parts.
 */
export function startsWithPieces(z: Z3, v: SymStr, pieces: Target[]): Bool<"main"> | undefined {
  if (!v.parts) return undefined;
  const out: Bool<"main">[] = [];
  let o = 0;
  for (const piece of pieces) {
    const n = "text" in piece ? zlength(piece.text) : piece.length;
    if (n === 0) continue;
    const eq = pieceEquals(z, v, o, piece);
    if (!eq) return undefined;
    out.push(...eq);
    o += n;
  }
  if (out.some((b) => z.isFalse(b))) return z.Bool.val(false);
  return z.And(lengthAtLeast(z, v, o), ...out);
}

export interface MatchEnv {
  z: Z3;
  /** The caller's identity id, `${cognito-identity.amazonaws.com:sub}`. */
  identity: Seq<"main">;
  /** Its fixed length, or NO_FIXED_LENGTH where ids of any pool may appear (trust). */
  identityLength: number;
  /**
   * The id as text when it is pinned (then every pattern is ground and becomes a regular
   * expression, which Z3 decides quickly), or null for a caller without an identity id.
   */
  identityText?: string | null;
}

export const NO_FIXED_LENGTH = -1;

export function literal(z: Z3, text: string): SymStr {
  return { expr: zstr(z, text), head: text, length: zlength(text), parts: [{ kind: "lit", text }] };
}

/** `head` followed by a free string. */
export function withHead(z: Z3, head: string, rest: Seq<"main">): SymStr {
  return { expr: head ? zstr(z, head).concat(rest) : rest, head, parts: [...(head ? [{ kind: "lit" as const, text: head }] : []), { kind: "free", expr: rest }] };
}

export function free(expr: Seq<"main">): SymStr {
  return { expr, head: "", parts: [{ kind: "free", expr }] };
}

function tokenLength(t: Token, env: MatchEnv): number {
  if (t.kind === "literal") return zlength(t.text);
  if (t.kind !== "identity") return 1;
  if (env.identityLength === NO_FIXED_LENGTH) throw new UnsupportedConstruct("policy variable ${cognito-identity.amazonaws.com:sub} in a trust policy");
  return env.identityLength;
}
const segmentLength = (seg: Token[], env: MatchEnv) => seg.reduce((n, t) => n + tokenLength(t, env), 0);

function lengthOf(env: MatchEnv, v: SymStr): Arith<"main"> | number {
  return v.length ?? v.expr.length();
}

/** `v` has `seg` at `offset` (a number, or an expression for segments anchored at the end). */
function segmentAt(env: MatchEnv, v: SymStr, seg: Token[], offset: number | Arith<"main">): Bool<"main">[] {
  const { z } = env;
  const out: Bool<"main">[] = [];
  let o: number | Arith<"main"> = offset;
  for (const t of seg) {
    const n = tokenLength(t, env);
    const byParts = t.kind !== "one" && typeof o === "number" ? pieceEquals(z, v, o, t.kind === "literal" ? { text: t.text } : { expr: env.identity, length: n }) : undefined;
    if (t.kind === "one") {
      // Any character: the length bound placed by the caller guarantees there is one.
    } else if (byParts) {
      out.push(...byParts);
    } else if (typeof o === "number" && o + n <= zlength(v.head)) {
      // Inside the known head: decide (literal) or pin the identity to the text there.
      const text = [...v.head].slice(o, o + n).join("");
      out.push(t.kind === "literal" ? z.Bool.val(t.text === text) : env.identity.eq(zstr(z, text)));
    } else {
      const piece = v.expr.extract(o, n);
      out.push(t.kind === "literal" ? piece.eq(zstr(z, t.text)) : piece.eq(env.identity));
    }
    o = typeof o === "number" ? o + n : o.add(n);
  }
  return out;
}

function splitOnStars(tokens: Token[]): Token[][] {
  const segments: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "star") segments.push([]);
    else segments[segments.length - 1]!.push(t);
  }
  return segments;
}

const atLeast = (env: MatchEnv, v: SymStr, n: number): Bool<"main"> => lengthAtLeast(env.z, v, n);

/** Z3 regex for a ground token list (`*` any run, `?` one character). */
export function globRegex(z: Z3, tokens: Token[], anyChar?: Re<"main">): Re<"main"> {
  const reSort = z.Re.sort(z.String.sort());
  const all = anyChar ?? z.AllChar(reSort);
  const parts = tokens.map((t): Re<"main"> => {
    if (t.kind === "literal") return z.Re.toRe(t.text);
    if (t.kind === "star") return z.Star(all);
    if (t.kind === "one") return all;
    throw new Error("globRegex needs a ground pattern");
  });
  if (parts.length === 0) return z.Re.toRe("");
  return parts.length === 1 ? parts[0]! : z.ReConcat(...parts);
}

/** `v` equals the pattern read literally (StringEquals): no wildcards. */
export function equalsTokens(env: MatchEnv, v: SymStr, tokens: Token[]): Bool<"main"> {
  return globMatch(env, v, tokens);
}

/**
 * Whether the pattern matches `v` whatever its variables hold: literal tokens against literal
 * parts, the identity token against the part that is the caller's own id, and each `*` over whole
 * parts (a free tail only when nothing but `*` follows). A witness alignment found here is valid
 * for every value, so the match is decided in TypeScript; Z3 searched for minutes for the same
 * fact through `indexOf` when a `*` stands before the identity. False means "not shown", never
 * "no match".
 */
export function matchesStructurally(env: MatchEnv, v: SymStr, tokens: Token[]): boolean {
  const parts = v.parts;
  if (!parts) return false;
  const seen = new Set<string>();
  const isCaller = (p: Part) => p.kind === "var" && (p.expr === env.identity || p.expr.eqIdentity(env.identity));
  // (token, part, offset into a literal part)
  const go = (t: number, p: number, o: number): boolean => {
    const state = `${t},${p},${o}`;
    if (seen.has(state)) return false;
    seen.add(state);
    const part = parts[p];
    if (part?.kind === "lit" && o === zlength(part.text)) return go(t, p + 1, 0);
    const token = tokens[t];
    if (!token) return !part;
    if (token.kind === "star") {
      if (go(t + 1, p, o)) return true;
      if (!part) return false;
      if (part.kind === "lit") return go(t, p, o + 1);
      if (part.kind === "var") return go(t, p + 1, 0);
      // A free tail: only trailing stars take it, whatever it holds.
      return tokens.slice(t).every((x) => x.kind === "star");
    }
    if (!part || part.kind === "free") return false;
    if (token.kind === "identity") return o === 0 && isCaller(part) && go(t + 1, p + 1, 0);
    if (part.kind !== "lit") return false;
    if (token.kind === "one") return go(t + 1, p, o + 1);
    // A literal token, character by character across literal parts.
    const text = [...token.text];
    let pp = p;
    let oo = o;
    for (const c of text) {
      let cur = parts[pp];
      if (cur?.kind === "lit" && oo === zlength(cur.text)) [pp, oo, cur] = [pp + 1, 0, parts[pp + 1]];
      if (cur?.kind !== "lit" || [...cur.text][oo] !== c) return false;
      oo += 1;
    }
    return go(t + 1, pp, oo);
  };
  return go(0, 0, 0);
}

/** `v` matches the glob (StringLike, Resource): `*` any run of characters, `?` exactly one. */
export function globMatch(env: MatchEnv, v: SymStr, written: Token[]): Bool<"main"> {
  const { z } = env;
  const ground = env.identityText === undefined ? written : groundTokens(written, env.identityText);
  if (ground === undefined) return z.Bool.val(false);
  const tokens = ground;
  if (matchesStructurally(env, v, tokens)) return z.Bool.val(true);
  const residual = matchByHead(z, v, tokens);
  if (residual) return residual;
  const segments = splitOnStars(tokens);
  if (segments.length === 1) {
    const n = segmentLength(segments[0]!, env);
    const len = lengthOf(env, v);
    const sameLength = typeof len === "number" ? z.Bool.val(len === n) : len.eq(n);
    return z.And(sameLength, ...segmentAt(env, v, segments[0]!, 0));
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middles = segments.slice(1, -1).filter((s) => s.length > 0);
  const firstLength = segmentLength(first, env);
  const lastLength = segmentLength(last, env);
  const hasIdentity = tokens.some((t) => t.kind === "identity");
  if (middles.length > 0 && !hasIdentity) return z.InRe(v.expr, globRegex(z, tokens));
  const len = lengthOf(env, v);
  const lastOffset = typeof len === "number" ? len - lastLength : len.sub(lastLength);
  const conditions: Bool<"main">[] = [atLeast(env, v, firstLength + lastLength + middles.reduce((n, s) => n + segmentLength(s, env), 0))];
  conditions.push(...segmentAt(env, v, first, 0));
  if (typeof lastOffset === "number" && lastOffset < 0) return z.Bool.val(false);
  conditions.push(...segmentAt(env, v, last, lastOffset));
  // Middle segments, leftmost occurrence first: if any placement works, the leftmost one does.
  let cursor: number | Arith<"main"> = firstLength;
  for (const seg of middles) {
    if (seg.some((t) => t.kind === "one")) throw new UnsupportedConstruct("`?` between two `*` in a pattern that uses ${cognito-identity.amazonaws.com:sub}");
    const needle = seg.map((t) => (t.kind === "literal" ? zstr(z, t.text) : env.identity)).reduce((a, b) => a.concat(b));
    const at = v.expr.indexOf(needle, cursor);
    conditions.push(at.ge(0));
    cursor = at.add(segmentLength(seg, env));
  }
  if (typeof cursor !== "number") conditions.push(typeof lastOffset === "number" ? cursor.le(lastOffset) : cursor.le(lastOffset));
  return z.And(...conditions);
}

/**
 * A ground pattern against a string that is known literal text followed by one free string: the
 * literal part is consumed here (the glob's states after reading it), and only what remains is
 * left to Z3, as a regular expression over the free part. Z3 spends seconds deriving a regular
 * expression through a long literal; this takes microseconds.
 */
function matchByHead(z: Z3, v: SymStr, tokens: Token[]): Bool<"main"> | undefined {
  if (!v.parts || tokens.some((t) => t.kind === "identity")) return undefined;
  const last = v.parts[v.parts.length - 1]!;
  const tail = last.kind === "free" ? last : undefined;
  const lits = tail ? v.parts.slice(0, -1) : v.parts;
  if (lits.some((p) => p.kind !== "lit")) return undefined;
  const head = [...lits.map((p) => (p as { text: string }).text).join("")];
  // One token per character, so that states (positions in the list) advance a character at a time.
  const flat: Token[] = tokens.flatMap((t): Token[] => (t.kind === "literal" ? [...t.text].map((c) => ({ kind: "literal" as const, text: c })) : [t]));
  const closed = (set: Set<number>) => {
    for (const i of [...set]) for (let j = i; j < flat.length && flat[j]!.kind === "star"; j += 1) set.add(j + 1);
    return set;
  };
  let states = closed(new Set([0]));
  for (const c of head) {
    const next = new Set<number>();
    for (const i of states) {
      const t = flat[i];
      if (t?.kind === "star") next.add(i);
      else if (t && (t.kind === "one" || (t.kind === "literal" && t.text === c))) next.add(i + 1);
    }
    states = closed(next);
    if (states.size === 0) return z.Bool.val(false);
  }
  if (!tail) return z.Bool.val(states.has(flat.length));
  const regexes = [...states].sort((a, b) => a - b).map((i) => globRegex(z, mergeLiterals(flat.slice(i))));
  return z.InRe(tail.expr, regexes.length === 1 ? regexes[0]! : z.Union(...regexes));
}

function mergeLiterals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const prev = out[out.length - 1];
    if (t.kind === "literal" && prev?.kind === "literal") out[out.length - 1] = { kind: "literal", text: prev.text + t.text };
    else out.push(t);
  }
  return out;
}
