import fc from "fast-check";
import { MAX_KEY_BYTES, identityFolder, keyInFolder, objectKeyProblems } from "./object-keys";

const IDENTITY_ID = "ap-northeast-1:0b6f1f0e-3c55-4e0c-9a4b-2f3c1d5e6a7b";
const FOLDER = identityFolder("private", IDENTITY_ID);

/** What a path means once normalised the way URL and filesystem layers do it. */
function normalise(path: string): string[] {
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return out;
}

/** Every reading a later layer might give the key: as is, and decoded 1 to 4 more times (legacy `unescape`, lenient). */
function readings(path: string): string[] {
  const out = [path];
  for (let i = 0; i < 4; i++) out.push(unescape(out[out.length - 1]!));
  return out;
}

describe("objectKeyProblems", () => {
  it.each([
    ["report.pdf"],
    ["a/b/c.txt"],
    ["日本語/ファイル.txt"],
    ["with space and +plus"],
    ["100%"],
    ["%41 decodes to a harmless letter"],
    ["a%2eb (a dot inside a segment)"],
    ["..hidden/...dots"],
    ["k".repeat(MAX_KEY_BYTES)],
  ])("accepts %j", (key) => {
    expect(objectKeyProblems(key)).toEqual([]);
  });

  it.each([
    ["", "is empty"],
    ["../x", "'..' segment"],
    ["a/./b", "'.' segment"],
    ["/a", "starts with '/'"],
    ["a//b", "empty segment"],
    ["a/", "empty segment"],
    ["a\tb", "control character"],
    ["a%2fb", "percent-encoding"],
    ["%2E%2E/b", "percent-encoding"],
    ["a%252Fb", "percent-encoding"],
    ["a%2%46b", "percent-encoding"],
    ["a%5Cb", "percent-encoding"],
    ["..\\escape", "contains '\\'"],
    ["a%00b", "percent-encoding"],
    ["k".repeat(MAX_KEY_BYTES + 1), "longer than 1024 bytes"],
    ["\u00e9".repeat(513), "longer than 1024 bytes"],
    ["\udc00", "lone surrogate"],
  ])("refuses %j, naming the problem", (key, problem) => {
    expect(objectKeyProblems(key).join("; ")).toContain(problem);
  });

  it("names every problem a key has, not only the first", () => {
    expect(objectKeyProblems("/a/../b//c\u0000")).toHaveLength(4);
  });
});

/**
 * Any code point but a lone surrogate: fast-check's `unit: "binary"`, the same values for the same
 * seed (nat over the code points with the surrogate block skipped), with an unmapper that computes
 * the index instead of first filling a Map with all 1.1 million code points (1-3 s per file).
 */
const SURROGATE_BLOCK = 0x800;
const anyCodePoint = fc.nat({ max: 0x10ffff - SURROGATE_BLOCK }).map(
  (index) => String.fromCodePoint(index < 0xd800 ? index : index + SURROGATE_BLOCK),
  (value) => {
    const codePoint = typeof value === "string" ? value.codePointAt(0) : undefined;
    if (codePoint === undefined || String.fromCodePoint(codePoint) !== value || (codePoint >= 0xd800 && codePoint < 0xe000)) throw new Error("not one code point");
    return codePoint < 0xd800 ? codePoint : codePoint - SURROGATE_BLOCK;
  },
);

describe("properties", () => {
  // Characters that matter to paths and encodings, plus ordinary ones, so generated keys hit the edges often.
  const char = fc.constantFrom(..."ab.%2eEfF5cC0\\\u0000\n é/".split(""));
  const keyLike = fc.string({ unit: char, maxLength: 24 });
  const anyKey = fc.oneof(keyLike, fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: anyCodePoint, maxLength: 40 }));

  it("any accepted key, joined under the folder, stays inside <prefix>/<identityId>/ however often it is decoded", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyKey, (key) => {
        if (objectKeyProblems(key).length > 0) return;
        accepted++;
        const full = keyInFolder(FOLDER, key);
        const folder = normalise(FOLDER);
        for (const reading of readings(full)) {
          const segments = normalise(reading);
          // The matchers run only to report a failure: each expect() builds an Error (~25 µs), 20,000 of them here.
          if (segments.length <= folder.length || folder.some((segment, i) => segments[i] !== segment)) {
            expect(segments.slice(0, folder.length)).toEqual(folder);
            expect(segments.length).toBeGreaterThan(folder.length);
          }
        }
        // No layer's normalisation changes it: S3 stores the key the caller named.
        if (normalise(key).join("/") !== key) expect(normalise(key).join("/")).toBe(key);
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it("a key with a '.' or '..' segment is always refused", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: char, maxLength: 5 }), { maxLength: 4 }), fc.constantFrom(".", ".."), fc.nat(4), (parts, dots, at) => {
        parts.splice(Math.min(at, parts.length), 0, dots);
        expect(objectKeyProblems(parts.join("/"))).not.toEqual([]);
      }),
    );
  });

  it("a key with any control character is always refused", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 10 }), (before, code, after) => {
        expect(objectKeyProblems(`${before}${String.fromCharCode(code)}${after}`)).not.toEqual([]);
      }),
    );
  });
});
