/**
 * The Z3 encodings of glob and equality matching, checked against a concrete oracle written here
 * (a JavaScript regex built from the pattern's pieces: `*` any run, `?` exactly one character,
 * the identity variable the pinned identity id). Ground and identity patterns are matched against
 * concrete strings given three ways (a known literal, a free string pinned by an equality, a
 * known head plus a pinned free rest), since the encoder takes different paths for each; then
 * realistic folder patterns are checked symbolically (identity and key left to the solver), under
 * negation, and for the shapes the encoder refuses.
 */
import fc from "fast-check";
import type { Bool, Seq } from "z3-solver";
import { tokenize } from "./pattern";
import { MAIN_THREAD_RLIMIT, solve, z3, zstr, type Z3 } from "./solver";
import { equalsTokens, free, globMatch, literal, NO_FIXED_LENGTH, withHead, type MatchEnv } from "./sym-string";
import { UnsupportedConstruct } from "./unsupported";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const LIKE = { wildcards: true, variables: true };
// Every query here is small: a budget that keeps it on the calling thread (an answer of unknown fails the test).
const QUERY_RLIMIT = MAIN_THREAD_RLIMIT;

let z: Z3;
beforeAll(async () => {
  z = (await z3()).z3;
});

const status = async (...assertions: Bool<"main">[]) => (await solve(z, assertions, QUERY_RLIMIT)).status;
const identityEnv = (name: string, length: number): { env: MatchEnv; id: Seq<"main">; fixed: Bool<"main"> } => {
  const id = z.String.const(name);
  return { env: { z, identity: id, identityLength: length }, id, fixed: id.length().eq(length) };
};

// ---- Ground oracle ------------------------------------------------------------------------

/** A pattern as pieces, so the oracle never reads the module's tokens. */
type Piece = { kind: "text"; text: string } | { kind: "*" } | { kind: "?" } | { kind: "id" };
const patternText = (ps: Piece[]) => ps.map((p) => (p.kind === "text" ? p.text : p.kind === "id" ? SUB : p.kind)).join("");
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const oracle = (ps: Piece[], id: string, s: string) =>
  new RegExp(`^${ps.map((p) => (p.kind === "text" ? escapeRe(p.text) : p.kind === "*" ? "[^]*" : p.kind === "?" ? "[^]" : escapeRe(id))).join("")}$`).test(s);
/** Whether the encoder refuses it: an identity, and a `?` between two `*`. */
const refused = (ps: Piece[]) => {
  const stars = ps.flatMap((p, i) => (p.kind === "*" ? [i] : []));
  return ps.some((p) => p.kind === "id") && stars.length >= 2 && ps.some((p, i) => p.kind === "?" && i > stars[0]! && i < stars[stars.length - 1]!);
};

const ALPHABET = ["a", "b", "/", "."];
const text = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(""));
const piece = fc.oneof(
  { weight: 3, arbitrary: text.map((t): Piece => ({ kind: "text", text: t })) },
  { weight: 2, arbitrary: fc.constant<Piece>({ kind: "*" }) },
  { weight: 1, arbitrary: fc.constant<Piece>({ kind: "?" }) },
);
/** Patterns with at least one identity piece. */
const withId = fc.array(fc.oneof({ weight: 4, arbitrary: piece }, { weight: 1, arbitrary: fc.constant<Piece>({ kind: "id" }) }), { maxLength: 6 }).map((ps): Piece[] => (ps.some((p) => p.kind === "id") ? ps : [...ps, { kind: "id" }]));
const ID_LENGTH = 2;
const smallId = fc.array(fc.constantFrom("a", "b"), { minLength: ID_LENGTH, maxLength: ID_LENGTH }).map((cs) => cs.join(""));
/**
 * A string meant to match (each piece filled in), then often spoiled so that it does not: one
 * piece left out (its text, the id, a `?`'s character), or the end cut or extended.
 */
const subjectFor = (ps: Piece[], id: string) =>
  fc
    .tuple(
      // A star's fill: as often empty as not.
      fc.array(fc.oneof(fc.constant([ALPHABET[0]!]), fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 4 })), { minLength: ps.length, maxLength: ps.length }),
      fc.integer({ min: -1, max: ps.length - 1 }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -2, max: 2 }) }),
      fc.constantFrom(...ALPHABET),
    )
    .map(([fills, drop, tweak, c]) => {
      const fill = (p: Piece, i: number) => (i === drop ? "" : p.kind === "text" ? p.text : p.kind === "id" ? id : p.kind === "?" ? fills[i]![0]! : fills[i]!.slice(0, fills[i]!.length - 1).join(""));
      const s = ps.map(fill).join("");
      return tweak < 0 ? s.slice(0, tweak) : s + c.repeat(tweak);
    });

/** The three ways the prover hands a concrete string to globMatch, each with the assertions pinning it. */
function representations(s: string, cut: number) {
  const k = z.String.const("k");
  const h = Math.min(cut, s.length);
  return [
    { how: "literal", v: literal(z, s), pin: [] },
    { how: "free", v: free(k), pin: [k.eq(z.String.val(s))] },
    { how: "head", v: withHead(z, s.slice(0, h), k), pin: [k.eq(z.String.val(s.slice(h)))] },
  ];
}

async function agreesWithOracle(ps: Piece[], id: string, s: string, cut: number): Promise<void> {
  const { env, id: a, fixed } = identityEnv("a", ID_LENGTH);
  const tokens = tokenize(patternText(ps), LIKE);
  const expected = oracle(ps, id, s) ? "sat" : "unsat";
  for (const { how, v, pin } of representations(s, cut)) {
    const actual = await status(fixed, a.eq(z.String.val(id)), ...pin, globMatch(env, v, tokens));
    if (actual !== expected) throw new Error(`${JSON.stringify(patternText(ps))} vs ${JSON.stringify(s)} (${how}, id ${id}): ${actual}, oracle ${expected}`);
  }
}

describe("globMatch against a regex oracle, on concrete strings", () => {
  it("agrees for ground patterns (no identity)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 6 }).chain((ps) => fc.tuple(fc.constant(ps), fc.oneof(subjectFor(ps, ""), fc.array(fc.constantFrom(...ALPHABET), { maxLength: 7 }).map((cs) => cs.join(""))), fc.nat(8))),
        ([ps, s, cut]) => agreesWithOracle(ps, "ab", s, cut),
      ),
      { numRuns: 150 },
    );
  });

  it("agrees for patterns with the identity (pinned to a short id), and refuses exactly `?` between two `*`", async () => {
    await fc.assert(
      fc.asyncProperty(
        withId.chain((ps) => fc.tuple(fc.constant(ps), smallId).chain(([ps2, id]) => fc.tuple(fc.constant(ps2), fc.constant(id), subjectFor(ps2, id), fc.nat(8)))),
        async ([ps, id, s, cut]) => {
          if (refused(ps)) {
            const { env } = identityEnv("a", ID_LENGTH);
            expect(() => globMatch(env, free(z.String.const("k")), tokenize(patternText(ps), LIKE))).toThrow(UnsupportedConstruct);
          } else await agreesWithOracle(ps, id, s, cut);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("agrees on hand-picked overlaps (middle segment against the end, leftmost placement)", async () => {
    // `I` stands for the identity variable, `*` and `?` for themselves.
    const cases: [string, string, string][] = [
      ["*I*I", "aa", "aaa"],
      ["*I*I", "aa", "aaaa"],
      ["*I*b", "ab", "bab"],
      ["*I*b", "ab", "abab"],
      ["I*ab*b", "ba", "bab"],
      ["I*ab*b", "ba", "baabb"],
      ["ab*ba", "aa", "aba"],
      ["a*?*b", "aa", "ab"],
      ["*?*", "aa", ""],
      ["a/*/I/*", "ab", "a/ab/x"],
      ["a/*/I/*", "ab", "a//ab/"],
    ];
    const pieces = (short: string) =>
      [...short].map((c): Piece => (c === "I" ? { kind: "id" } : c === "*" || c === "?" ? { kind: c } : { kind: "text", text: c }));
    for (const [short, id, s] of cases) for (const cut of [0, 1, 3]) await agreesWithOracle(pieces(short), id, s, cut);
  });

  it("equalsTokens reads `*` and `?` literally", async () => {
    const tokens = tokenize("a*?", { wildcards: false, variables: true });
    const env: MatchEnv = { z, identity: z.String.const("a"), identityLength: 2 };
    expect(await status(equalsTokens(env, literal(z, "a*?"), tokens))).toBe("sat");
    expect(await status(equalsTokens(env, literal(z, "axy"), tokens))).toBe("unsat");
    const k = z.String.const("k");
    expect(await status(k.eq(z.String.val("a*?")), equalsTokens(env, free(k), tokens))).toBe("sat");
    expect(await status(k.eq(z.String.val("abc")), equalsTokens(env, free(k), tokens))).toBe("unsat");
  });

  // IAM's `?` is one character. z3-solver hands a JS string to Z3 as UTF-8 bytes, one Z3
  // character each, so the prover writes such characters as \u{…} escapes (zstr) and counts
  // code points: a free string pinned to the text and the text as a literal must agree.
  it("`?` matches one non-ASCII character, whether the string is free or literal", async () => {
    const k = z.String.const("k");
    const env: MatchEnv = { z, identity: z.String.const("a"), identityLength: 2 };
    expect(await status(k.eq(zstr(z, "aéc")), globMatch(env, free(k), tokenize("a?c", LIKE)))).toBe("sat");
    expect(await status(globMatch(env, literal(z, "aéc"), tokenize("a?c", LIKE)))).toBe("sat");
    expect(await status(globMatch(env, literal(z, "😀"), tokenize("?", LIKE)))).toBe("sat");
    expect(await status(globMatch(env, literal(z, "😀"), tokenize("??", LIKE)))).toBe("unsat");
    expect(await status(k.eq(zstr(z, "a\\u{41}")), globMatch(env, free(k), tokenize("a?u{41}", LIKE)))).toBe("sat");
  });
});

// ---- Realistic folder patterns, symbolic ---------------------------------------------------

describe("globMatch on identity folders, symbolic", () => {
  const ID_A = "eu-west-1:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
  const ID_B = "eu-west-1:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
  const N = 46;
  const FOLDER_PATTERN = tokenize(`files-bucket/cognito-test/${SUB}/*`, LIKE);

  /** Identity `a` of length N and object key `k` inside `files-bucket/…`. */
  function setup() {
    const { env, id: a, fixed } = identityEnv("a", N);
    const k = z.String.const("k");
    const resource = withHead(z, "files-bucket/", k);
    const is = (s: Seq<"main">, v: string) => s.eq(z.String.val(v));
    /** `k` is `head` followed by anything (as a concatenation: prefixOf or extract forms make Z3 time out here). */
    const startsWith = (head: string) => k.eq(z.String.val(head).concat(z.String.const("rest")));
    return { env, a, k, resource, fixed, is, startsWith };
  }

  it("uses ids of the length Cognito issues", () => {
    expect(ID_A).toHaveLength(N);
    expect(ID_B).toHaveLength(N);
  });

  it("matches a key in the identity's own folder, not one in another folder or the folder name without `/`", async () => {
    const { env, a, k, resource, fixed, is } = setup();
    const match = globMatch(env, resource, FOLDER_PATTERN);
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_A}/photo.jpg`), match)).toBe("sat");
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_A}/`), match)).toBe("sat");
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_B}/photo.jpg`), match)).toBe("unsat");
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_A}`), match)).toBe("unsat");
    expect(await status(fixed, is(a, ID_A), is(k, `other-prefix/${ID_A}/photo.jpg`), match)).toBe("unsat");
  });

  it("proves no key in B's folder matches for any identity but B, and finds B itself", async () => {
    const { env, a, resource, fixed, startsWith } = setup();
    const inB = startsWith(`cognito-test/${ID_B}/`);
    const match = globMatch(env, resource, FOLDER_PATTERN);
    expect(await status(fixed, inB, a.neq(z.String.val(ID_B)), match)).toBe("unsat");
    const found = await solve(z, [fixed, inB, match], QUERY_RLIMIT);
    expect(found.status).toBe("sat");
    if (found.status === "sat") expect((found.model.eval(a) as Seq<"main">).asString()).toBe(ID_B);
  });

  it("flips under negation", async () => {
    const { env, a, k, resource, fixed, is, startsWith } = setup();
    const notMatch = z.Not(globMatch(env, resource, FOLDER_PATTERN));
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_A}/photo.jpg`), notMatch)).toBe("unsat");
    expect(await status(fixed, is(a, ID_A), is(k, `cognito-test/${ID_B}/photo.jpg`), notMatch)).toBe("sat");
    // No key inside A's folder is a non-match.
    expect(await status(fixed, is(a, ID_A), startsWith(`cognito-test/${ID_A}/`), notMatch)).toBe("unsat");
  });

  it("handles two stars with the identity between them", async () => {
    const { env, a, k, resource, fixed, is } = setup();
    const match = globMatch(env, resource, tokenize(`files-bucket/*/${SUB}/*.jpg`, LIKE));
    const withKey = async (key: string) => status(fixed, is(a, ID_A), is(k, key), match);
    expect(await withKey(`shared/x/${ID_A}/p.jpg`)).toBe("sat");
    expect(await withKey(`/${ID_A}/.jpg`)).toBe("sat");
    expect(await withKey(`x/${ID_B}/p.jpg`)).toBe("unsat");
    expect(await withKey(`x/${ID_A}/p.png`)).toBe("unsat");
    // "/<id>/" must come after "files-bucket/" plus the first star, not overlap it.
    expect(await withKey(`${ID_A}/p.jpg`)).toBe("unsat");
    // Identity free: a key naming B under the pattern is matched only with a = B.
    expect(await status(fixed, is(k, `x/${ID_B}/p.jpg`), a.neq(z.String.val(ID_B)), match)).toBe("unsat");
  });

  it("supports `?` outside the stars with the identity, and refuses `?` between two stars", async () => {
    const { env, a, k, resource, fixed, is } = setup();
    const match = globMatch(env, resource, tokenize(`files-bucket/${SUB}/?/*`, LIKE));
    expect(await status(fixed, is(a, ID_A), is(k, `${ID_A}/x/y`), match)).toBe("sat");
    expect(await status(fixed, is(a, ID_A), is(k, `${ID_A}/xy/z`), match)).toBe("unsat");
    expect(() => globMatch(env, resource, tokenize(`files-bucket/*a?b*/${SUB}`, LIKE))).toThrow(UnsupportedConstruct);
    expect(() => globMatch(env, free(k), tokenize(`*?*${SUB}`, LIKE))).toThrow(UnsupportedConstruct);
  });

  it("refuses the identity variable where ids have no fixed length (trust)", () => {
    const env: MatchEnv = { z, identity: z.String.const("sub"), identityLength: NO_FIXED_LENGTH };
    expect(() => globMatch(env, free(z.String.const("k")), tokenize(`x/${SUB}`, LIKE))).toThrow(UnsupportedConstruct);
  });
});
