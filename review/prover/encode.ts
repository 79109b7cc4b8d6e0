/**
 * IAM evaluation as a Z3 formula, for one concrete action and principal and a symbolic resource
 * and context: a statement applies when its Action, Principal, Resource and Condition all match;
 * a request is allowed when some Allow statement applies and no Deny statement does, across the
 * identity policies and the resource (bucket or trust) policy together (one account, no
 * boundaries or SCPs). Actions and principals are concrete, so they are decided here in
 * TypeScript; resources and conditions become formulas.
 */
import type { Bool } from "z3-solver";
import { listOf, statementLabel, type DocumentUse, type PolicyStatement } from "../../iam/document";
import { principalEntries, statementAdmits, type RequestingPrincipal } from "../../iam/principals";
import type { NamedPolicy } from "../review-target";
import type { ContextKey, ContextModel } from "./context-model";
import { groundTokens, isGround, matchesConcrete, tokenize, type Token } from "./pattern";
import { globMatch, globRegex, type MatchEnv, type SymStr } from "./sym-string";
import { UnsupportedConstruct } from "./unsupported";
import { zstr } from "./solver";

/**
 * Who is asking: a reviewed role's session or another principal (S3 requests, iam/principals.ts),
 * or, for a trust policy, a web identity from Cognito or another provider.
 */
export type RequestPrincipal =
  | { kind: "s3"; principal: RequestingPrincipal; ownAccountId: string }
  | { kind: "federated"; provider: string }
  | { kind: "trust-aws"; principal: RequestingPrincipal; ownAccountId: string };

export interface SymbolicRequest {
  env: MatchEnv;
  action: string;
  principal: RequestPrincipal;
  /** `arn:<partition>:<service>:<region>:<account>:` as concrete segments, and the resource part. */
  resource?: { segments: [string, string, string, string, string]; part: SymStr };
  context: ContextModel;
}

export interface StatementRefs {
  policy: string;
  statement: string;
  effect: "Allow" | "Deny";
  /** The statement applies to this request. */
  applies: Bool<"main">;
}

/** Splits an ARN pattern on its colons, keeping `${…}` variables (which contain one) whole. */
export function splitArn(pattern: string): string[] {
  const parts: string[] = [];
  let current = "";
  let depth = 0;
  for (const c of pattern) {
    if (c === "{" && current.endsWith("$")) depth += 1;
    if (c === "}" && depth > 0) depth -= 1;
    if (c === ":" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export const actionMatches = (patterns: string[], action: string) =>
  patterns.some((p) => matchesConcrete(tokenize(p, { wildcards: true, variables: false }), action, true));

/** Whether the statement's Action/NotAction covers the action. */
export function statementCoversAction(s: PolicyStatement, action: string): boolean {
  return s.Action !== undefined ? actionMatches(listOf(s.Action), action) : !actionMatches(listOf(s.NotAction), action);
}

/**
 * Whether the statement's Principal admits the asker. Identity policies always do. In a resource
 * policy, a bucket-own-account principal only delegates (an Allow grants nothing by itself, a
 * Deny applies): `undefined` means the statement is left out.
 */
function principalMatches(s: PolicyStatement, p: RequestPrincipal, kind: DocumentUse): boolean {
  if (kind === "identity") return true;
  if (p.kind === "federated") {
    if (s.NotPrincipal !== undefined) return !principalEntries(s.NotPrincipal).some((e) => e.kind === "everyone" || (e.kind === "federated" && e.provider.toLowerCase() === p.provider));
    return principalEntries(s.Principal).some((e) => e.kind === "everyone" || (e.kind === "federated" && e.provider.toLowerCase() === p.provider));
  }
  const admits = statementAdmits(s, p.principal, p.ownAccountId);
  if (admits === "yes") return true;
  // The own account named in a Deny applies to its principals; in a bucket policy's Allow it only
  // delegates to their identity policies. A trust naming the account admits its principals.
  return admits === "delegates" && (s.Effect === "Deny" || p.kind === "trust-aws");
}

function resourceMatches(req: SymbolicRequest, pattern: string, kind: DocumentUse, variables: boolean): Bool<"main"> {
  const { z } = req.env;
  if (!req.resource) return z.Bool.val(false);
  if (pattern === "*") return z.Bool.val(true);
  const segments = splitArn(pattern);
  if (segments.length < 6) {
    // Short ARNs: identity policies read missing segments as `*`; resource policies do so only
    // when the ARN has a wildcard, and otherwise match nothing.
    if (kind !== "identity" && !pattern.includes("*")) return z.Bool.val(false);
    while (segments.length < 6) segments.push("*");
  }
  const fixed = segments.slice(0, 5);
  for (const [i, seg] of fixed.entries()) {
    const tokens = tokenize(seg, { wildcards: true, variables });
    if (!isGround(tokens)) throw new UnsupportedConstruct("policy variable in an ARN's partition, service, region or account");
    if (!matchesConcrete(tokens, req.resource.segments[i]!, true)) return z.Bool.val(false);
  }
  return globMatch(req.env, req.resource.part, tokenize(segments.slice(5).join(":"), { wildcards: true, variables }));
}

const STRING_OPERATORS = new Set(["stringequals", "stringnotequals", "stringlike", "stringnotlike", "arnequals", "arnlike", "arnnotequals", "arnnotlike", "bool", "null"]);

export interface Operator {
  base: string;
  negated: boolean;
  ifExists: boolean;
  set?: "any" | "all";
}

/** A condition operator's parts; throws UnsupportedConstruct for what the encoder does not handle. */
export function parseOperator(name: string): Operator {
  let rest = name;
  let set: Operator["set"];
  const lower = name.toLowerCase();
  if (lower.startsWith("foranyvalue:")) [set, rest] = ["any", name.slice(12)];
  else if (lower.startsWith("forallvalues:")) [set, rest] = ["all", name.slice(13)];
  let ifExists = false;
  if (rest.toLowerCase().endsWith("ifexists")) [ifExists, rest] = [true, rest.slice(0, -8)];
  const base = rest.toLowerCase();
  if (!STRING_OPERATORS.has(base)) throw new UnsupportedConstruct(`condition operator ${name}`);
  if (set && ifExists) throw new UnsupportedConstruct(`condition operator ${name} (a set operator with IfExists)`);
  if (set && base === "null") throw new UnsupportedConstruct(`condition operator ${name}`);
  return { base, negated: base.includes("not"), ifExists, ...(set ? { set } : {}) };
}

/** ARN matching for condition values: each of the first five segments on its own, then the rest. */
function arnRegex(req: SymbolicRequest, tokens: Token[]) {
  const { z } = req.env;
  const reSort = z.Re.sort(z.String.sort());
  const notColon = z.Diff(z.AllChar(reSort), z.Re.toRe(":"));
  const segments: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind !== "literal") {
      segments[segments.length - 1]!.push(t);
      continue;
    }
    // Colons split the first six segments; later ones belong to the resource part.
    t.text.split(":").forEach((piece, i) => {
      if (i > 0 && segments.length < 6) segments.push([]);
      else if (i > 0) segments[segments.length - 1]!.push({ kind: "literal", text: ":" });
      if (piece) segments[segments.length - 1]!.push({ kind: "literal", text: piece });
    });
  }
  while (segments.length < 6) segments.push([{ kind: "star" }]);
  const parts = segments.slice(0, 5).map((seg) => globRegex(z, seg, notColon));
  const rest = globRegex(z, segments.slice(5).flatMap((seg, i) => (i === 0 ? seg : [{ kind: "literal", text: ":" } as Token, ...seg])));
  return z.ReConcat(...parts.flatMap((re) => [re, z.Re.toRe(":")]), rest);
}

/** Does one context value match one policy value under the (non-negated) operator? */
function valueMatches(req: SymbolicRequest, op: Operator, value: SymStr, policyValue: string, variables: boolean): Bool<"main"> {
  const { z } = req.env;
  if (op.base === "bool") return value.expr.eq(zstr(z, policyValue.toLowerCase()));
  const like = op.base.includes("like") || op.base.startsWith("arn");
  const written = tokenize(policyValue, { wildcards: like, variables });
  const tokens = req.env.identityText === undefined ? written : groundTokens(written, req.env.identityText);
  if (tokens === undefined) return z.Bool.val(false);
  if (op.base.startsWith("arn")) {
    if (!isGround(tokens)) throw new UnsupportedConstruct(`policy variable in an ${op.base === "arnlike" ? "ArnLike" : "Arn"} condition value`);
    return z.InRe(value.expr, arnRegex(req, tokens));
  }
  return globMatch(req.env, value, tokens);
}

function conditionHolds(req: SymbolicRequest, operatorName: string, keyName: string, values: string[], variables: boolean): Bool<"main"> {
  const { z } = req.env;
  const op = parseOperator(operatorName);
  const key: ContextKey = req.context.get(keyName);
  if (op.base === "null") {
    const present = key.kind === "single" ? key.present : z.Or(...key.members.map((m) => m.present));
    return z.Or(...values.map((v) => (v.toLowerCase() === "true" ? z.Not(present) : present)));
  }
  const matchesAny = (value: SymStr) => z.Or(...values.map((v) => valueMatches(req, op, value, v, variables)));
  // A negated operator holds for a value that matches none of the policy's values.
  const holdsFor = (value: SymStr) => (op.negated ? z.Not(matchesAny(value)) : matchesAny(value));
  if (op.set) {
    const members = key.kind === "set" ? key.members : [{ present: key.present, value: key.value }];
    if (op.set === "any") return z.Or(...members.map((m) => z.And(m.present, holdsFor(m.value))));
    return z.And(...members.map((m) => z.Implies(m.present, holdsFor(m.value))));
  }
  if (key.kind === "set") throw new UnsupportedConstruct(`single-valued operator ${operatorName} on the multi-valued key ${keyName}`);
  // Absent key: a negated operator holds, a positive one does not; IfExists makes both hold.
  const whenPresent = holdsFor(key.value);
  if (op.ifExists || op.negated) return z.Or(z.Not(key.present), whenPresent);
  return z.And(key.present, whenPresent);
}

/** One statement, if its action and principal match: when it applies, as a formula. */
function encodeStatement(req: SymbolicRequest, s: PolicyStatement, kind: DocumentUse, variables: boolean): Bool<"main"> | undefined {
  const { z } = req.env;
  if (!statementCoversAction(s, req.action)) return undefined;
  if (!principalMatches(s, req.principal, kind)) return undefined;
  const parts: Bool<"main">[] = [];
  if (s.Resource !== undefined) parts.push(z.Or(...listOf(s.Resource).map((r) => resourceMatches(req, r, kind, variables))));
  if (s.NotResource !== undefined) parts.push(z.Not(z.Or(...listOf(s.NotResource).map((r) => resourceMatches(req, r, kind, variables)))));
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(block)) parts.push(conditionHolds(req, operator, key, listOf(value), variables));
  }
  return parts.length ? z.And(...parts) : z.Bool.val(true);
}

/** Every statement of a policy that could apply to the request. Throws UnsupportedConstruct naming it. */
export function encodePolicy(req: SymbolicRequest, policy: NamedPolicy, kind: DocumentUse): StatementRefs[] {
  const variables = policy.document.Version === "2012-10-17";
  const out: StatementRefs[] = [];
  policy.document.Statement.forEach((s, i) => {
    let applies: Bool<"main"> | undefined;
    try {
      applies = encodeStatement(req, s, kind, variables);
    } catch (e) {
      if (e instanceof UnsupportedConstruct) throw e.at(`${policy.name} › ${statementLabel(s, i)}`);
      throw e;
    }
    if (applies) out.push({ policy: policy.name, statement: statementLabel(s, i), effect: s.Effect, applies });
  });
  return out;
}

export interface SymbolicDecision {
  allowed: Bool<"main">;
  statements: StatementRefs[];
  /** No Allow statement could apply at all: the request is denied whatever the context. */
  noAllow: boolean;
}

/** Allowed = some Allow applies and no Deny applies, over all the given policies. */
export function encodeDecision(req: SymbolicRequest, policies: { policy: NamedPolicy; kind: DocumentUse }[]): SymbolicDecision {
  const { z } = req.env;
  const statements = policies.flatMap(({ policy, kind }) => encodePolicy(req, policy, kind));
  const allows = statements.filter((s) => s.effect === "Allow").map((s) => s.applies);
  const denies = statements.filter((s) => s.effect === "Deny").map((s) => s.applies);
  return { allowed: z.And(z.Or(...allows), z.Not(z.Or(...denies))), statements, noAllow: allows.length === 0 };
}
