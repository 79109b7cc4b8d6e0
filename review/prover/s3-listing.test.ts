/**
 * listedAs against S3's documented ListObjectsV2 semantics: only keys that start with Prefix are
 * listed; with a Delimiter, a key whose remainder after the prefix contains the delimiter is not
 * listed itself but rolled up into CommonPrefixes as prefix + remainder up to and including the
 * first occurrence of the delimiter. Expected values are written out by hand.
 */
import { listedAs } from "./s3-listing";

describe("listedAs", () => {
  it("without a delimiter, lists every key under the prefix as itself", () => {
    expect(listedAs("cognito-test/a/b/c.jpg", "cognito-test/", undefined)).toEqual({ as: "key", value: "cognito-test/a/b/c.jpg" });
    expect(listedAs("x", "", undefined)).toEqual({ as: "key", value: "x" });
  });

  it("with a delimiter, rolls a deeper key up into prefix + remainder through the first delimiter", () => {
    expect(listedAs("cognito-test/a/b/c.jpg", "cognito-test/", "/")).toEqual({ as: "common prefix", value: "cognito-test/a/" });
    // The prefix need not end at a delimiter: the remainder starts right after it.
    expect(listedAs("cognito-test/abc/d", "cognito-test/a", "/")).toEqual({ as: "common prefix", value: "cognito-test/abc/" });
  });

  it("with a delimiter, lists a key whose remainder has none as itself", () => {
    expect(listedAs("cognito-test/a/photo.jpg", "cognito-test/a/", "/")).toEqual({ as: "key", value: "cognito-test/a/photo.jpg" });
    // The key equal to the prefix has an empty remainder.
    expect(listedAs("cognito-test/a/", "cognito-test/a/", "/")).toEqual({ as: "key", value: "cognito-test/a/" });
  });

  it("with the prefix absent, lists from the start of the key", () => {
    expect(listedAs("cognito-test/a/b", undefined, undefined)).toEqual({ as: "key", value: "cognito-test/a/b" });
    expect(listedAs("cognito-test/a/b", undefined, "/")).toEqual({ as: "common prefix", value: "cognito-test/" });
    expect(listedAs("top.txt", undefined, "/")).toEqual({ as: "key", value: "top.txt" });
  });

  it("does not list a key outside the prefix, even one the prefix starts with or differs from by case", () => {
    expect(listedAs("cognito-test/b/x", "cognito-test/a/", undefined)).toBeUndefined();
    expect(listedAs("cognito-test/a", "cognito-test/a/", "/")).toBeUndefined();
    expect(listedAs("Cognito-Test/a/x", "cognito-test/", "/")).toBeUndefined();
  });

  it("handles a multi-character delimiter as one unit, at its first occurrence", () => {
    expect(listedAs("p/a--b--c", "p/", "--")).toEqual({ as: "common prefix", value: "p/a--" });
    // A lone `-` is not the delimiter.
    expect(listedAs("p/a-b", "p/", "--")).toEqual({ as: "key", value: "p/a-b" });
    // A delimiter that straddles the end of the prefix does not count: only the remainder is searched.
    expect(listedAs("p-/-x", "p-", "-/")).toEqual({ as: "key", value: "p-/-x" });
    expect(listedAs("p-/-x", "p-", "/-")).toEqual({ as: "common prefix", value: "p-/-" });
  });

  it("rolls up a key whose only delimiter is its last character (a folder marker)", () => {
    expect(listedAs("cognito-test/a/", "cognito-test/", "/")).toEqual({ as: "common prefix", value: "cognito-test/a/" });
    expect(listedAs("p/x--", "p/", "--")).toEqual({ as: "common prefix", value: "p/x--" });
  });
});
