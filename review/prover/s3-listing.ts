/**
 * What a listing returns, in S3's own terms: keys that start with the prefix, except that with a
 * delimiter, keys whose rest (after the prefix) contains it are rolled up into one common prefix
 * (prefix + rest up to and including the first delimiter). Concrete, for counterexamples and for
 * checking the prover's list encoding against it.
 */
export type Listed = { as: "key" | "common prefix"; value: string };

/** How a key appears in a listing with this prefix and delimiter, or undefined if it does not. */
export function listedAs(key: string, prefix: string | undefined, delimiter: string | undefined): Listed | undefined {
  const p = prefix ?? "";
  if (!key.startsWith(p)) return undefined;
  const rest = key.slice(p.length);
  const at = delimiter ? rest.indexOf(delimiter) : -1;
  if (at < 0) return { as: "key", value: key };
  return { as: "common prefix", value: p + rest.slice(0, at + delimiter!.length) };
}
