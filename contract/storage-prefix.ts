/**
 * What a storage prefix may be. The prefix ends up inside IAM resource ARNs and `s3:prefix`
 * conditions, where `*` and `?` are wildcards and `${…}` is a policy variable, so anything that
 * could change what a policy matches is refused before a policy is ever built.
 */

/** One rule a prefix broke, phrased so it can follow the offending value. */
export type PrefixProblem = string;

export const PREFIX_RULES =
  "1 to 256 characters: segments of letters, digits, '.', '_' or '-' separated by single '/', " +
  "with no leading or trailing '/', no '.' or '..' segment and no '*', '?', '$', '{' or '}'";

const MAX_PREFIX_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Every rule `prefix` breaks; an empty list means it is a valid storage prefix. */
export function storagePrefixProblems(prefix: string): PrefixProblem[] {
  const problems: PrefixProblem[] = [];
  if (prefix.length === 0) return ["is empty"];
  if (prefix.length > MAX_PREFIX_LENGTH) problems.push(`is longer than ${MAX_PREFIX_LENGTH} characters`);
  if (prefix.startsWith("/")) problems.push("starts with '/'");
  if (prefix.endsWith("/")) problems.push("ends with '/'");
  for (const [char, why] of [
    ["*", "an IAM wildcard"],
    ["?", "an IAM wildcard"],
    ["$", "the start of an IAM policy variable"],
    ["{", "part of an IAM policy variable"],
    ["}", "part of an IAM policy variable"],
  ] as const) {
    if (prefix.includes(char)) problems.push(`contains '${char}' (${why})`);
  }
  const segments = prefix.replace(/^\/+|\/+$/g, "").split("/");
  if (segments.some((s) => s === "..")) problems.push("contains a '..' segment");
  if (segments.some((s) => s === ".")) problems.push("contains a '.' segment");
  if (prefix.replace(/^\/+|\/+$/g, "").includes("//")) problems.push("contains an empty segment ('//')");
  const badChars = [...new Set([...prefix].filter((c) => c !== "/" && !SEGMENT.test(c) && !"*?${}".includes(c)))];
  if (badChars.length > 0) {
    problems.push(`contains characters outside [A-Za-z0-9._-/]: ${badChars.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return problems;
}

/** Throws unless `prefix` is a valid storage prefix; `label` names where it came from. */
export function assertStoragePrefix(prefix: string, label = "prefix"): void {
  const problems = storagePrefixProblems(prefix);
  if (problems.length > 0) {
    throw new Error(`${label} ${JSON.stringify(prefix)} ${problems.join("; ")}. Allowed: ${PREFIX_RULES}.`);
  }
}
