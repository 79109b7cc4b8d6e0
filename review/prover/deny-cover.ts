/**
 * Allow statements that a Deny always overrides, found in TypeScript and left out of the
 * encoding. An Allow whose every action and every resource an unconditional Deny of the same
 * evaluation also matches can never be what allows a request: the policies with and without it
 * decide every request alike. Z3 cannot always see that: an Allow whose bucket segment ends in a
 * wildcard, narrowed by a Deny with a wildcard before the identity id (review/prover/README.md
 * has the pair), asks it whether every string of one pattern contains another's, and it searched
 * for minutes and answered unknown. The inclusion of one wildcard pattern in another is decided
 * here by a small automaton construction instead.
 *
 * The identity id is one opaque letter in both patterns (`?` does not match it). Inclusion with
 * the letter implies inclusion for every real id: putting an id in place of the letter turns a
 * match of the Deny's pattern on a string into a match on the string with the id in place, so
 * every string the Allow's pattern matches for that id, the Deny's matches too. Anything this does
 * not model (NotAction, NotResource, conditions on the Deny, other policy variables, defaults,
 * a Deny for some principals only) keeps the Allow.
 */
import { listOf, type PolicyStatement } from "../../iam/document";
import type { DocumentUse } from "../../iam/document";
import type { NamedPolicy } from "../review-target";
import { splitArn } from "./encode";
import { matchesConcrete, tokenize, type Token } from "./pattern";
import { UnsupportedConstruct } from "./unsupported";

/** One letter of a pattern: a character, the identity id, `?` or `*`. */
export type Item = { kind: "char"; c: string } | { kind: "id" } | { kind: "one" } | { kind: "star" };
const ID = "\u0000id";
const OTHER = "\u0000other";
/** Past this many automaton states the answer is "not shown included": the Allow stays. */
const STATE_BUDGET = 20_000;

function itemsOf(tokens: Token[], ignoreCase: boolean): Item[] | undefined {
  const items: Item[] = [];
  for (const t of tokens) {
    if (t.kind === "literal") for (const c of t.text) items.push({ kind: "char", c: ignoreCase ? c.toLowerCase() : c });
    else if (t.kind === "identity") {
      if (t.default !== undefined) return undefined;
      items.push({ kind: "id" });
    } else items.push(t);
  }
  return items;
}

/** The states reachable from `states` without reading: a `*` may match nothing. */
function closure(items: Item[], states: Iterable<number>): number[] {
  const out = new Set<number>();
  const visit = (i: number) => {
    if (out.has(i)) return;
    out.add(i);
    if (items[i]?.kind === "star") visit(i + 1);
  };
  for (const i of states) visit(i);
  return [...out].sort((a, b) => a - b);
}

function step(items: Item[], states: number[], letter: string): number[] {
  const next: number[] = [];
  for (const i of states) {
    const item = items[i];
    if (!item) continue;
    if (item.kind === "star") next.push(i);
    else if (item.kind === "one" ? letter !== ID : item.kind === "id" ? letter === ID : item.c === letter) next.push(i + 1);
  }
  return closure(items, next);
}

/**
 * Every string `narrow` matches that `within` matches too, `wide` matches (within the state
 * budget). `within` is what the prover's requests can be: this bucket or an object of it.
 */
export function patternIncluded(narrow: Item[], wide: Item[], within: Item[] = [{ kind: "star" }]): boolean {
  const alphabet = [ID, OTHER, ...new Set([...narrow, ...wide, ...within].flatMap((i) => (i.kind === "char" ? [i.c] : [])))];
  const start = [closure(narrow, [0]), closure(within, [0]), closure(wide, [0])] as const;
  const seen = new Set<string>();
  const queue: (readonly [number[], number[], number[]])[] = [start];
  while (queue.length > 0) {
    const [n, c, w] = queue.pop()!;
    const key = `${n.join(",")}|${c.join(",")}|${w.join(",")}`;
    if (seen.has(key)) continue;
    if (seen.size >= STATE_BUDGET) return false;
    seen.add(key);
    if (n.includes(narrow.length) && c.includes(within.length) && !w.includes(wide.length)) return false;
    for (const letter of alphabet) {
      const n2 = step(narrow, n, letter);
      const c2 = step(within, c, letter);
      if (n2.length > 0 && c2.length > 0) queue.push([n2, c2, step(wide, w, letter)]);
    }
  }
  return true;
}

function compile(text: string, variables: boolean, ignoreCase: boolean): Item[] | undefined {
  try {
    return itemsOf(tokenize(text, { wildcards: true, variables }), ignoreCase);
  } catch (e) {
    if (e instanceof UnsupportedConstruct) return undefined;
    throw e;
  }
}

const S3_SEGMENTS = ["arn", "aws", "s3", "", ""];

const included = (narrow: string, wide: string, variables: { narrow: boolean; wide: boolean }, ignoreCase: boolean, within?: Item[]) => {
  const n = compile(narrow, variables.narrow, ignoreCase);
  const w = compile(wide, variables.wide, ignoreCase);
  return !!n && !!w && patternIncluded(n, w, within);
};

/**
 * An ARN segment before the resource part, as the encoder matches it: against the one value the
 * prover's requests have there, ignoring case. Where the Allow's segment matches it, the Deny's
 * must too.
 */
function segmentIncluded(narrow: string, wide: string, value: string, variables: { narrow: boolean; wide: boolean }): boolean {
  try {
    const matches = (pattern: string, v: boolean) => matchesConcrete(tokenize(pattern, { wildcards: true, variables: v }), value, true);
    return !matches(narrow, variables.narrow) || matches(wide, variables.wide);
  } catch (e) {
    if (e instanceof UnsupportedConstruct) return false;
    throw e;
  }
}

/**
 * Resource patterns compared as the encoder reads them (five ARN segments, then the resource
 * part), on the resources the prover's requests name: the bucket and its objects.
 */
function resourceIncluded(narrow: string, wide: string, variables: { narrow: boolean; wide: boolean }, bucket: string): boolean {
  if (wide === "*") return true;
  if (narrow === "*") return false;
  const parts = (arn: string) => {
    const segments = splitArn(arn);
    return segments.length < 6 ? undefined : [...segments.slice(0, 5), segments.slice(5).join(":")];
  };
  const n = parts(narrow);
  const w = parts(wide);
  if (!n || !w) return false;
  const chars = (text: string): Item[] => [...text].map((c) => ({ kind: "char", c }));
  const resources = [chars(bucket), [...chars(`${bucket}/`), { kind: "star" } as Item]];
  return n.every((segment, i) => (i < 5 ? segmentIncluded(segment, w[i]!, S3_SEGMENTS[i]!, variables) : resources.every((within) => included(segment, w[i]!, variables, false, within))));
}

interface Sourced {
  s: PolicyStatement;
  variables: boolean;
}

/** The Deny applies to every request evaluated with these documents. */
const alwaysApplies = ({ s }: Sourced, fromResourcePolicy: boolean) =>
  s.Effect === "Deny" &&
  s.Action !== undefined &&
  s.Resource !== undefined &&
  (s.Condition === undefined || Object.keys(s.Condition).length === 0) &&
  (!fromResourcePolicy || (s.Principal === "*" && s.NotPrincipal === undefined));

function overridden(allow: Sourced, denies: Sourced[], bucket: string): boolean {
  const { s } = allow;
  if (s.Effect !== "Allow" || s.Action === undefined || s.Resource === undefined) return false;
  return denies.some(
    (deny) =>
      listOf(s.Action).every((a) => listOf(deny.s.Action).some((d) => included(a, d, { narrow: false, wide: false }, true))) &&
      listOf(s.Resource).every((r) => listOf(deny.s.Resource).some((d) => resourceIncluded(r, d, { narrow: allow.variables, wide: deny.variables }, bucket))),
  );
}

/** Grants nothing, keeps its place (statement labels are Sids or positions). */
const inert = (s: PolicyStatement): PolicyStatement => ({ ...(s.Sid !== undefined ? { Sid: s.Sid } : {}), Effect: "Allow", Action: [], Resource: [] });

/**
 * The documents of one evaluation with every Allow that an always-applying Deny overrides made
 * inert; the same objects when there is none.
 */
export function withoutOverriddenAllows<T extends { policy: NamedPolicy; kind: DocumentUse }>(policies: T[], bucket: string): T[] {
  const sourced = (p: T) => p.policy.document.Statement.map((s) => ({ s, variables: p.policy.document.Version === "2012-10-17" }));
  const denies = policies.flatMap((p) => sourced(p).filter((d) => alwaysApplies(d, p.kind === "resource")));
  if (denies.length === 0) return policies;
  return policies.map((p) => {
    const statements = sourced(p);
    if (!statements.some((a) => overridden(a, denies, bucket))) return p;
    const document = { ...p.policy.document, Statement: statements.map((a) => (overridden(a, denies, bucket) ? inert(a.s) : a.s)) };
    return { ...p, policy: { ...p.policy, document } };
  });
}
