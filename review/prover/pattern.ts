/**
 * Policy strings as token lists: literal text, the caller's identity id (the one policy variable
 * the prover resolves), and, in wildcard contexts (StringLike, ArnLike, Resource), `*` and `?`.
 * Pure: the solver encoding (sym-string.ts) and concrete matching (ARN segments) both read these.
 */
import { IDENTITY_ID_KEY } from "../../iam/cognito";
import { UnsupportedConstruct } from "./unsupported";

/** `identity` is `${cognito-identity.amazonaws.com:sub}`, with the default of `${…, 'default'}` if written. */
export type Token = { kind: "literal"; text: string } | { kind: "identity"; default?: string } | { kind: "star" } | { kind: "one" };

export interface TokenizeOptions {
  /** `*` and `?` are wildcards (StringLike, ArnLike, Resource); otherwise literal characters. */
  wildcards: boolean;
  /** The document is Version 2012-10-17: `${…}` is a policy variable; otherwise literal text. */
  variables: boolean;
}

const VARIABLE = /^\$\{([^}]*)\}/;

export function tokenize(value: string, o: TokenizeOptions): Token[] {
  const tokens: Token[] = [];
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === "literal") last.text += text;
    else tokens.push({ kind: "literal", text });
  };
  for (let i = 0; i < value.length; ) {
    const c = value[i]!;
    if (o.variables && c === "$") {
      const m = VARIABLE.exec(value.slice(i));
      if (m) {
        const [name, ...rest] = m[1]!.split(",");
        const key = name!.trim();
        const fallback = /^\s*'([^']*)'\s*$/.exec(rest.join(","));
        // IAM's escapes for characters that would otherwise be wildcards or variable syntax.
        if (key === "*" || key === "?" || key === "$") literal(key);
        else if (key.toLowerCase() === IDENTITY_ID_KEY) tokens.push(fallback ? { kind: "identity", default: fallback[1]! } : { kind: "identity" });
        else throw new UnsupportedConstruct(`policy variable ${m[0]}`);
        i += m[0].length;
        continue;
      }
    }
    if (o.wildcards && c === "*") {
      // `**` matches what `*` matches.
      if (tokens[tokens.length - 1]?.kind !== "star") tokens.push({ kind: "star" });
    } else if (o.wildcards && c === "?") tokens.push({ kind: "one" });
    else literal(c);
    i += 1;
  }
  return tokens;
}

export const isGround = (tokens: Token[]) => tokens.every((t) => t.kind !== "identity");

/** Whether a ground token list matches a concrete string (for ARN segments and replays). */
export function matchesConcrete(tokens: Token[], s: string, ignoreCase = false): boolean {
  const source = tokens
    .map((t) => {
      if (t.kind === "literal") return t.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      if (t.kind === "star") return "[\\s\\S]*";
      if (t.kind === "one") return "[\\s\\S]";
      throw new UnsupportedConstruct("policy variable ${cognito-identity.amazonaws.com:sub} in an ARN's partition, service, region or account");
    })
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "iu" : "u").test(s);
}

/**
 * The tokens with the identity variable replaced by text: the caller's id when it is known
 * (pinned), the default of `${…, 'default'}` for a caller without an id, and `undefined` when the
 * caller has no id and there is no default (IAM: the element cannot match).
 */
export function groundTokens(tokens: Token[], identity: string | null): Token[] | undefined {
  if (!tokens.some((t) => t.kind === "identity")) return tokens;
  const out: Token[] = [];
  for (const t of tokens) {
    let next: Token = t;
    if (t.kind === "identity") {
      const text = identity ?? t.default;
      if (text === undefined) return undefined;
      next = { kind: "literal", text };
    }
    const last = out[out.length - 1];
    if (next.kind === "literal" && last?.kind === "literal") out[out.length - 1] = { kind: "literal", text: last.text + next.text };
    else out.push(next);
  }
  return out;
}
