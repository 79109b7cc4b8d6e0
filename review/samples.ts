/**
 * Keys and list prefixes worth trying, derived from the policies themselves: every resource
 * pattern and `s3:prefix` condition value, with the caller's id put in for the identity
 * variable and each `*` filled with text that lands the result in another identity's folder
 * (a bucket pattern ending in `*` followed by `/<prefix>/${sub}/*` becomes `<prefix>/<B>/<prefix>/<A>/x`), in a shared folder, or nowhere
 * special. The matrix samples them and the prover tries them first, so neither depends on a
 * fixed list happening to contain the key a policy lets through.
 */
import { listOf, type IamDocument } from "../iam/document";
import { folderOf, sharedPrefixOf, type StorageIntent } from "./intent";

/** How many `*` of one pattern are filled every way (the rest get "x"). */
const EXPANDED_STARS = 3;
const MAX_SAMPLES = 40;

/** Texts that land a key in the other identity's areas, or beside them. */
function fills(intent: StorageIntent, other: string): string[] {
  const areas = [folderOf(intent.prefix, other), ...intent.sharedFolders.map((f) => sharedPrefixOf(f, other))];
  return [...new Set(["", "x", "/", ...areas.flatMap((h) => [h, `/${h}`, h.slice(0, -1), `/${h.slice(0, -1)}`])])];
}

/** The pattern with the identity variable read as `caller` (IAM's `${*}`-style escapes as text). */
function withCaller(pattern: string, caller: string): string {
  return pattern.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const key = inner.split(",")[0]!.trim();
    if (key === "*" || key === "?" || key === "$") return `\u0001${key}`;
    return key.toLowerCase() === "cognito-identity.amazonaws.com:sub" ? caller : whole;
  });
}

/** Every way of filling the pattern's wildcards from `choices` (`?` becomes one character). */
function expand(pattern: string, choices: string[]): string[] {
  let results = [""];
  let stars = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === "\u0001") {
      results = results.map((r) => r + pattern[i + 1]);
      i += 1;
    } else if (c === "*") {
      stars += 1;
      const options = stars <= EXPANDED_STARS ? choices : ["x"];
      results = results.flatMap((r) => options.map((o) => r + o));
    } else if (c === "?") {
      results = results.flatMap((r) => [`${r}x`, `${r}/`]);
    } else {
      results = results.map((r) => r + c);
    }
    if (results.length > 5000) results = results.slice(0, 5000);
  }
  return results;
}

export interface DerivedSamples {
  keys: string[];
  prefixes: string[];
}

/** Keys (under the bucket) and list prefixes the documents' patterns suggest for caller and other. */
export function derivedSamples(documents: IamDocument[], bucket: string, intent: StorageIntent, caller: string, other: string, onlyInteresting = false, max = MAX_SAMPLES, plainFirst = false): DerivedSamples {
  const choices = fills(intent, other);
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  // With plainFirst (the prover's counterexample search), each pattern's plainest fill (every
  // wildcard an "x") comes first, so that no pattern's samples are crowded out by another's many
  // fills (MAX_SAMPLES): a Deny's NotResource patterns had crowded out the Allow's own.
  const plainKeys = new Set<string>();
  const plainPrefixes = new Set<string>();
  const interesting = (s: string) => choices.some((f) => f.length > 1 && s.includes(f.replace(/^\//, "")));
  for (const doc of documents) {
    for (const s of doc.Statement) {
      for (const r of [...listOf(s.Resource), ...listOf(s.NotResource)]) {
        const resource = r.startsWith("arn:") ? r.split(":").slice(5).join(":") : r;
        if (resource === "*" || !resource.includes("/")) continue;
        for (const filled of expand(withCaller(resource, caller), choices)) {
          if (filled.startsWith(`${bucket}/`)) keys.add(filled.slice(bucket.length + 1));
        }
        for (const filled of expand(withCaller(resource, caller), ["x"])) if (filled.startsWith(`${bucket}/`)) plainKeys.add(filled.slice(bucket.length + 1));
      }
      for (const block of Object.values(s.Condition ?? {})) {
        for (const [key, values] of Object.entries(block)) {
          if (key.toLowerCase() !== "s3:prefix") continue;
          for (const v of listOf(values)) for (const filled of expand(withCaller(v, caller), choices)) prefixes.add(filled);
          for (const v of listOf(values)) for (const filled of expand(withCaller(v, caller), ["x"])) plainPrefixes.add(filled);
        }
      }
    }
  }
  const pick = (set: Set<string>, plain: Set<string>) =>
    [...new Set([...(plainFirst ? [...plain].filter((x) => !onlyInteresting || interesting(x)) : []), ...[...set].filter(interesting), ...(onlyInteresting ? [] : [...set].filter((x) => !interesting(x)))])].filter((x) => x !== "").slice(0, max);
  return { keys: pick(keys, plainKeys), prefixes: pick(prefixes, plainPrefixes) };
}

/** Fixed samples around the folders of caller and other, beside the derived ones. */
export function basicSamples(intent: StorageIntent, caller: string, other: string): DerivedSamples {
  const own = folderOf(intent.prefix, caller);
  const theirs = folderOf(intent.prefix, other);
  const root = intent.prefix === "" ? "" : `${intent.prefix}/`;
  const shared = intent.sharedFolders.flatMap((f) => [sharedPrefixOf(f, other), sharedPrefixOf(f, caller)]);
  return {
    keys: [`${theirs}report.pdf`, theirs, `${theirs}${own}report.pdf`, `${own}report.pdf`, `${root}report.pdf`, "report.pdf", `other/${caller}/report.pdf`, own.slice(0, -1), `${own.slice(0, -1)}x/report.pdf`, ...shared.map((h) => `${h}report.pdf`)],
    prefixes: [own, `${own}docs/`, `${own}rep`, theirs, theirs.slice(0, -1), `${root}${other.slice(0, 20)}`, `${theirs}${own}`, own.slice(0, -1), `${own.slice(0, -1)}x`, root.slice(0, -1), root, "", ...shared],
  };
}
