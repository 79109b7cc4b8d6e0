/**
 * tokenize and matchesConcrete against IAM's documented string rules: in wildcard contexts `*` is
 * any run and `?` exactly one character; under Version 2012-10-17 `${…}` is a policy variable
 * (key matched case-insensitively, `${key, 'default'}` allowed) and `${*}` `${?}` `${$}` are
 * escapes for those literal characters; under 2008-10-17 `${…}` is plain text. The prover resolves
 * only the identity id, so any other variable must be refused by name, never read as text.
 * Expected token lists are written out by hand.
 */
import { tokenize, matchesConcrete, type Token } from "./pattern";
import { UnsupportedConstruct } from "./unsupported";

const SUB = "${cognito-identity.amazonaws.com:sub}";
const LIKE = { wildcards: true, variables: true };
const EQUALS = { wildcards: false, variables: true };
const lit = (text: string): Token => ({ kind: "literal", text });
const ID: Token = { kind: "identity" };
const STAR: Token = { kind: "star" };
const ONE: Token = { kind: "one" };

describe("tokenize", () => {
  it("merges adjacent literal characters into one literal", () => {
    expect(tokenize("bucket/folder", LIKE)).toEqual([lit("bucket/folder")]);
    expect(tokenize("", LIKE)).toEqual([]);
  });

  it("reads the identity variable as an identity token, whatever the key's case, with or without a default", () => {
    expect(tokenize(`cognito-test/${SUB}/*`, LIKE)).toEqual([lit("cognito-test/"), ID, lit("/"), STAR]);
    expect(tokenize("a/${Cognito-Identity.AmazonAWS.com:SUB}/b", LIKE)).toEqual([lit("a/"), ID, lit("/b")]);
    expect(tokenize("${cognito-identity.amazonaws.com:sub, 'nobody'}", LIKE)).toEqual([{ kind: "identity", default: "nobody" }]);
  });

  it("turns the escapes ${*} ${?} ${$} into literal characters that merge with their neighbours", () => {
    expect(tokenize("a${*}b${?}c${$}d", LIKE)).toEqual([lit("a*b?c$d")]);
    expect(tokenize("*${*}*", LIKE)).toEqual([STAR, lit("*"), STAR]);
  });

  it("collapses runs of `*` into one star, but keeps each `?`", () => {
    expect(tokenize("a**b***", LIKE)).toEqual([lit("a"), STAR, lit("b"), STAR]);
    expect(tokenize("a??*?", LIKE)).toEqual([lit("a"), ONE, ONE, STAR, ONE]);
  });

  it("keeps `*` and `?` literal when wildcards are off (StringEquals)", () => {
    expect(tokenize("a*b?c", EQUALS)).toEqual([lit("a*b?c")]);
    expect(tokenize(`a*${SUB}`, EQUALS)).toEqual([lit("a*"), ID]);
  });

  it("keeps `${…}` literal when variables are off (Version 2008-10-17), wildcards still apply", () => {
    expect(tokenize(`x/${SUB}/*`, { wildcards: true, variables: false })).toEqual([lit(`x/${SUB}/`), STAR]);
    expect(tokenize("${aws:username}", { wildcards: false, variables: false })).toEqual([lit("${aws:username}")]);
  });

  it("leaves a `$` that starts no variable as text", () => {
    expect(tokenize("a$b${c", LIKE)).toEqual([lit("a$b${c")]);
  });

  it.each(["${aws:username}", "${aws:username, 'x'}", "${cognito-identity.amazonaws.com:aud}", "${s3:prefix}"])("refuses any other variable, naming it: %s", (variable) => {
    let thrown: unknown;
    try {
      tokenize(`bucket/${variable}/*`, LIKE);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UnsupportedConstruct);
    expect((thrown as UnsupportedConstruct).construct).toBe(`policy variable ${variable}`);
  });
});

describe("matchesConcrete", () => {
  const like = (p: string) => tokenize(p, { wildcards: true, variables: false });

  it("anchors at both ends", () => {
    expect(matchesConcrete(like("s3:Get"), "s3:Get")).toBe(true);
    expect(matchesConcrete(like("s3:Get"), "s3:GetObject")).toBe(false);
    expect(matchesConcrete(like("Get"), "s3:Get")).toBe(false);
  });

  it("`*` matches any run (including none and including `:` and `/`), `?` exactly one character", () => {
    expect(matchesConcrete(like("s3:*Object"), "s3:Object")).toBe(true);
    expect(matchesConcrete(like("s3:*Object"), "s3:Get:x/yObject")).toBe(true);
    expect(matchesConcrete(like("a?c"), "abc")).toBe(true);
    expect(matchesConcrete(like("a?c"), "ac")).toBe(false);
    expect(matchesConcrete(like("a?c"), "abbc")).toBe(false);
    expect(matchesConcrete(like("a*"), "a\nb")).toBe(true);
  });

  it("is case-sensitive unless ignoreCase", () => {
    expect(matchesConcrete(like("s3:getobject"), "s3:GetObject")).toBe(false);
    expect(matchesConcrete(like("s3:getobject"), "s3:GetObject", true)).toBe(true);
    expect(matchesConcrete(like("S3:GET*"), "s3:GetObject", true)).toBe(true);
  });

  it("reads regex metacharacters in literals as themselves", () => {
    expect(matchesConcrete(like("a.b"), "axb")).toBe(false);
    expect(matchesConcrete(like("a.b"), "a.b")).toBe(true);
    expect(matchesConcrete(like("a+"), "aa")).toBe(false);
    expect(matchesConcrete(like("(a|b)[c]{1}^$\\"), "(a|b)[c]{1}^$\\")).toBe(true);
    expect(matchesConcrete(like("(a|b)"), "a")).toBe(false);
    expect(matchesConcrete(tokenize("a*b?", EQUALS), "axxbc")).toBe(false);
    expect(matchesConcrete(tokenize("a*b?", EQUALS), "a*b?")).toBe(true);
  });

  it("refuses a pattern with the identity variable (it has no concrete value here)", () => {
    expect(() => matchesConcrete(tokenize(SUB, LIKE), "anything")).toThrow(UnsupportedConstruct);
  });
});
