/**
 * Case splits decided in TypeScript. A request is allowed only through some Allow statement, and
 * an Allow statement applies only when the object key (or, through a positive `s3:prefix`
 * condition, the list prefix) matches one of its patterns — so the string starts with that
 * pattern's head: its literal text and identity ids before the first wildcard. A query over a free
 * key is therefore equivalent to the disjunction of the same query with the key starting with
 * each head (a conjunct the formula already implies in that case, so nothing is lost or added).
 * Z3 then compares every pattern with the key piece by piece, which it decides at once; over a
 * free key the same patterns made it search for seconds. A statement whose patterns leave the
 * string unconstrained (NotResource, `*`, a wildcard inside the bucket name, no prefix condition)
 * leaves it free, and then the query is asked as it is.
 */
import { listOf, type PolicyStatement } from "../../iam/document";
import type { DocumentUse } from "../../iam/document";
import type { NamedPolicy } from "../review-target";
import { parseOperator, splitArn, statementCoversAction } from "./encode";
import { isGround, matchesConcrete, tokenize, type Token } from "./pattern";
import { PREFIX_KEY } from "./requests";
import { UnsupportedConstruct } from "./unsupported";

export type HeadToken = Extract<Token, { kind: "literal" } | { kind: "identity" }>;
/** What every string of one case starts with: literal text and the caller's identity id. */
export type Head = HeadToken[];
/** The string is free, or it starts with one of the heads (none: no Allow statement can apply). */
export type Shapes = "free" | Head[];

/** The tokens before the first wildcard. */
function headOf(tokens: Token[]): Head {
  const head: Head = [];
  for (const t of tokens) {
    if (t.kind === "star" || t.kind === "one") break;
    head.push(t);
  }
  return head;
}

/**
 * One character (or one identity) per item, so that heads compare as sequences. An identity
 * without a default and one with the default `''` stay apart: a caller without an id matches only
 * the second, and casesFor drops heads such a caller cannot match after this comparison.
 */
const flat = (head: Head) => head.flatMap((t) => (t.kind === "literal" ? [...t.text] : [t.default === undefined ? "\u0000id" : `\u0000id'${t.default}`]));

/** The heads no other head is a prefix of (a shorter head's case already covers the longer one's). */
export function minimalHeads(heads: Head[]): Head[] {
  const flats = heads.map(flat);
  const covers = (a: string[], b: string[]) => a.length <= b.length && a.every((c, i) => c === b[i]);
  const keep: Head[] = [];
  const kept: string[][] = [];
  flats
    .map((f, i) => ({ f, head: heads[i]! }))
    .sort((x, y) => x.f.length - y.f.length)
    .forEach(({ f, head }) => {
      if (kept.some((k) => covers(k, f))) return;
      kept.push(f);
      keep.push(head);
    });
  return keep;
}

type Policies = { policy: NamedPolicy; kind: DocumentUse }[];

/** Allow statements that may grant the action (the principal is not checked: more cases lose nothing). */
function allowsFor(policies: Policies, action: string): { s: PolicyStatement; kind: DocumentUse; variables: boolean }[] {
  return policies.flatMap(({ policy, kind }) =>
    policy.document.Statement.filter((s) => s.Effect === "Allow" && statementCoversAction(s, action)).map((s) => ({ s, kind, variables: policy.document.Version === "2012-10-17" })),
  );
}

const S3_SEGMENTS = ["arn", "aws", "s3", "", ""];

/** The key's head under one Resource pattern: undefined when the pattern cannot match an object of the bucket, "free" when it does not constrain the key. */
function keyHead(pattern: string, kind: DocumentUse, variables: boolean, bucket: string): Head | "free" | undefined {
  if (pattern === "*") return "free";
  const segments = splitArn(pattern);
  if (segments.length < 6) {
    if (kind !== "identity" && !pattern.includes("*")) return undefined;
    return "free";
  }
  for (const [i, seg] of segments.slice(0, 5).entries()) {
    const tokens = tokenize(seg, { wildcards: true, variables });
    if (!isGround(tokens)) return "free";
    if (!matchesConcrete(tokens, S3_SEGMENTS[i]!, true)) return undefined;
  }
  const tokens = tokenize(segments.slice(5).join(":"), { wildcards: true, variables });
  const exact = !tokens.some((t) => t.kind === "star" || t.kind === "one");
  const head = headOf(tokens);
  // The resource part is `<bucket>/<key>`: take the bucket's text off the head.
  let need = `${bucket}/`;
  const rest: Head = [];
  for (const t of head) {
    if (need === "") {
      rest.push(t);
      continue;
    }
    if (t.kind !== "literal") return "free";
    const n = Math.min(need.length, t.text.length);
    if (t.text.slice(0, n) !== need.slice(0, n)) return undefined;
    need = need.slice(n);
    if (t.text.length > n) rest.push({ kind: "literal", text: t.text.slice(n) });
  }
  if (need !== "") return exact ? undefined : "free";
  return rest.length ? rest : "free";
}

/** What an object key must start with for some Allow statement to grant `action` on it. */
export function keyShapes(policies: Policies, action: string, bucket: string): Shapes {
  const heads: Head[] = [];
  for (const { s, kind, variables } of allowsFor(policies, action)) {
    if (s.Resource === undefined) return "free";
    for (const pattern of listOf(s.Resource)) {
      let head: Head | "free" | undefined;
      try {
        head = keyHead(pattern, kind, variables, bucket);
      } catch (e) {
        // The encoder names the construct (UNKNOWN); here it only means no case split.
        if (e instanceof UnsupportedConstruct) return "free";
        throw e;
      }
      if (head === "free") return "free";
      if (head) heads.push(head);
    }
  }
  return shapesOf(heads);
}

/** One empty head means a free string. */
const shapesOf = (heads: Head[]): Shapes => (heads.some((h) => h.length === 0) ? "free" : minimalHeads(heads));

/** The values of the statement's positive, single-valued string condition on `s3:prefix`, if it has one. */
function prefixValues(s: PolicyStatement): { values: string[]; wildcards: boolean } | undefined {
  for (const [name, block] of Object.entries(s.Condition ?? {})) {
    let op: ReturnType<typeof parseOperator>;
    try {
      op = parseOperator(name);
    } catch (e) {
      if (e instanceof UnsupportedConstruct) continue;
      throw e;
    }
    if (op.set || op.ifExists || op.negated || (op.base !== "stringequals" && op.base !== "stringlike")) continue;
    const key = Object.keys(block).find((k) => k.toLowerCase() === PREFIX_KEY);
    if (key !== undefined) return { values: listOf(block[key]!), wildcards: op.base === "stringlike" };
  }
  return undefined;
}

/**
 * What the list prefix must start with for some Allow statement to grant `action`: a positive
 * `s3:prefix` condition needs the key present and matching. An action that does not take
 * `s3:prefix` never has it, so such a statement never applies to it.
 */
export function prefixShapes(policies: Policies, action: string, takesPrefix: boolean): Shapes {
  const heads: Head[] = [];
  for (const { s, variables } of allowsFor(policies, action)) {
    const condition = prefixValues(s);
    if (!condition) return "free";
    if (!takesPrefix) continue;
    for (const value of condition.values) {
      let tokens: Token[];
      try {
        tokens = tokenize(value, { wildcards: condition.wildcards, variables });
      } catch (e) {
        if (e instanceof UnsupportedConstruct) return "free";
        throw e;
      }
      heads.push(headOf(tokens));
    }
  }
  return shapesOf(heads);
}
