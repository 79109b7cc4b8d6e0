/**
 * The symbolic requests the properties quantify over: a principal (an identity of the pool with
 * a reviewed role, whose id has the fixed length Cognito issues, or another principal) acting on
 * an object key, on the bucket with a list prefix and delimiter, or assuming the role with a
 * token. Everything the caller controls is a solver variable; what AWS fixes (the identity id in
 * the session, the principal's account and ARN, the identity pool in `aud`) is fixed.
 *
 * A universe is symbolic (ids are variables: a proof covers every id) or pinned (ids are the
 * Cognito-format values in `realisticIds`: every pattern becomes ground, so Z3 finds a
 * counterexample in milliseconds, and the counterexample is one Cognito could really issue).
 */
import type { Bool, Seq } from "z3-solver";
import { IDENTITY_ID_KEY } from "../../iam/cognito";
import { roleOfSession, type RequestingPrincipal } from "../../iam/principals";
import { sessionArn } from "../engines/local-engine";
import { identityRoot } from "../intent";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { ContextModel } from "./context-model";
import type { Head } from "./shapes";
import type { SymbolicRequest } from "./encode";
import { type Z3, zlength, zstr } from "./solver";
import { free, literal, NO_FIXED_LENGTH, startsWithPieces, withHead, type MatchEnv, type Part, type SymStr } from "./sym-string";

export const TLS_KEY = "aws:SecureTransport";
export const PREFIX_KEY = "s3:prefix";
export const DELIMITER_KEY = "s3:delimiter";
export const AUD_KEY = "cognito-identity.amazonaws.com:aud";
export const AMR_KEY = "cognito-identity.amazonaws.com:amr";
/** What Cognito puts in `amr` for a signed-in user of a user pool. */
export const SIGNED_IN_AMR = ["authenticated", "cognito-idp.amazonaws.com"];

/** `<region>:` plus a 36-character uuid. */
export const identityIdLength = (region: string) => region.length + 1 + 36;

/** Which identity a variable stands for: the caller, the other (victim) identity, a foreign caller's id. */
export type IdentityRole = "a" | "b" | "d";

export interface Identity {
  id: Seq<"main">;
  /** The id as text, in a pinned universe. */
  text?: string;
}

export interface Universe {
  z: Z3;
  target: ReviewTarget;
  idLength: number;
  /** Members per free multi-valued key. */
  setSize: (key: string) => number;
  /** Cognito-format ids: the caller (a), the other identity (b), a foreign caller's id from another pool (d). */
  realisticIds: Record<IdentityRole, string>;
  /** Another identity pool's id, for trust counterexamples. */
  otherPoolId: string;
  /**
   * Some policy conditions on `s3:delimiter`. When none does, a listing's delimiter cannot change
   * its decision, and leaving it out returns the most names, so listings are modelled without one.
   */
  delimiterMatters: boolean;
  /** Ids are the realistic ones instead of variables. */
  pinned: boolean;
}

export function identity(u: Universe, role: IdentityRole): { identity: Identity; constraints: Bool<"main">[] } {
  const { z } = u;
  if (u.pinned) return { identity: { id: zstr(z, u.realisticIds[role]), text: u.realisticIds[role] }, constraints: [] };
  const id = z.String.const(role);
  // Length and region only: the uuid's exact format made every query time out. A foreign
  // caller's id may come from a pool in another region of the same name length.
  const region = `${u.target.region}:`;
  const constraints = [id.length().eq(u.idLength)];
  if (role !== "d") constraints.push(id.extract(0, region.length).eq(zstr(z, region)));
  return { identity: { id }, constraints };
}

/** The text before an identity's id in a template, and after it. */
export interface AreaShape {
  before: string;
  after: string;
}

/** A key or prefix that starts with `before<id>after`, followed by a free string. */
export function templateOf(u: Universe, shape: AreaShape, who: Identity, rest: Seq<"main">): { expr: Seq<"main">; sym: SymStr } {
  const { z } = u;
  if (who.text !== undefined) return { expr: zstr(z, `${shape.before}${who.text}${shape.after}`).concat(rest), sym: withHead(z, `${shape.before}${who.text}${shape.after}`, rest) };
  const expr = zstr(z, shape.before).concat(who.id).concat(zstr(z, shape.after)).concat(rest);
  const parts: Part[] = [{ kind: "lit", text: shape.before }, { kind: "var", expr: who.id, length: u.idLength }, { kind: "lit", text: shape.after }, { kind: "free", expr: rest }];
  return { expr, sym: { expr, head: shape.before, parts: parts.filter((p) => p.kind !== "lit" || p.text !== "") } };
}

/**
 * A key or prefix that starts with a head (literal text and the caller's identity id), followed by
 * a free string; undefined when the caller has no id and the head needs one (no default).
 */
export function headTemplate(u: Universe, head: Head, who: Identity | undefined, rest: Seq<"main">): { expr: Seq<"main">; sym: SymStr } | undefined {
  const { z } = u;
  const parts: Part[] = [];
  const lit = (text: string) => {
    const last = parts[parts.length - 1];
    if (last?.kind === "lit") parts[parts.length - 1] = { kind: "lit", text: last.text + text };
    else if (text !== "") parts.push({ kind: "lit", text });
  };
  for (const t of head) {
    if (t.kind === "literal") lit(t.text);
    else if (who?.text !== undefined) lit(who.text);
    else if (who) parts.push({ kind: "var", expr: who.id, length: u.idLength });
    else if (t.default !== undefined) lit(t.default);
    else return undefined;
  }
  if (parts.every((p) => p.kind === "lit")) {
    const sym = withHead(z, parts.map((p) => (p as { text: string }).text).join(""), rest);
    return { expr: sym.expr, sym };
  }
  parts.push({ kind: "free", expr: rest });
  const expr = parts.map((p) => (p.kind === "lit" ? zstr(z, p.text) : p.expr)).reduce((a, b) => a.concat(b));
  const first = parts[0]!;
  return { expr, sym: { expr, head: first.kind === "lit" ? first.text : "", parts } };
}

/** The own-folder shape: `<prefix>/<id>/`. */
export const folderShape = (u: Universe): AreaShape => ({ before: identityRoot(u.target.prefix), after: "/" });

/** `s` starts with `before<id>after`. */
export function startsWithArea(u: Universe, s: SymStr, shape: AreaShape, who: Identity): Bool<"main"> {
  const { z } = u;
  // Pinned: a literal prefix, as a regular expression like every ground pattern.
  if (who.text !== undefined) return startsWith(u, s, `${shape.before}${who.text}${shape.after}`);
  const byParts = startsWithPieces(z, s, [{ text: shape.before }, { expr: who.id, length: u.idLength }, { text: shape.after }]);
  if (byParts) return byParts;
  const at = (o: number, n: number) => s.expr.extract(o, n);
  const b = zlength(shape.before);
  return z.And(
    s.expr.length().ge(b + u.idLength + zlength(shape.after)),
    at(0, b).eq(zstr(z, shape.before)),
    at(b, u.idLength).eq(who.id),
    at(b + u.idLength, zlength(shape.after)).eq(zstr(z, shape.after)),
  );
}

/** `s` starts with the identity's folder. */
export const underFolder = (u: Universe, s: SymStr, who: Identity) => startsWithArea(u, s, folderShape(u), who);

/** `s` starts with a literal prefix. */
export function startsWith(u: Universe, s: SymStr, text: string): Bool<"main"> {
  if (text === "") return u.z.Bool.val(true);
  const byParts = startsWithPieces(u.z, s, [{ text }]);
  if (byParts) return byParts;
  if (u.pinned) return u.z.InRe(s.expr, u.z.ReConcat(u.z.Re.toRe(zstr(u.z, text)), u.z.Star(u.z.AllChar(u.z.Re.sort(u.z.String.sort())))));
  return u.z.And(s.expr.length().ge(zlength(text)), s.expr.extract(0, zlength(text)).eq(zstr(u.z, text)));
}

/** `s` starts with `<prefix>/` (any folder, or the prefix root). */
export const underPrefix = (u: Universe, s: SymStr) => startsWith(u, s, identityRoot(u.target.prefix));

export interface ListParameters {
  prefixPresent: Bool<"main">;
  prefix: Seq<"main">;
  /** The prefix with what is known about it (a template, or free). */
  prefixSym: SymStr;
  delimiterPresent: Bool<"main">;
  delimiter: Seq<"main">;
  /** An absent prefix lists from the start: the prefix is "" then. */
  constraints: Bool<"main">[];
}

/** List parameters; `prefix` may be given as a template (then it is present). */
export function listParameters(u: Universe, ns: string, prefix?: { expr: Seq<"main">; sym: SymStr }): ListParameters {
  const { z } = u;
  const prefixPresent = prefix ? z.Bool.val(true) : z.Bool.const(`${ns}|prefix?`);
  const p = prefix?.expr ?? z.String.const(`${ns}|prefix`);
  const delimiterPresent = z.Bool.const(`${ns}|delimiter?`);
  const delimiter = z.String.const(`${ns}|delimiter`);
  const constraints = [z.Implies(z.Not(prefixPresent), p.eq(zstr(z, ""))), z.Implies(z.Not(delimiterPresent), delimiter.eq(zstr(z, "")))];
  if (!u.delimiterMatters) constraints.push(z.Not(delimiterPresent));
  return { prefixPresent, prefix: p, prefixSym: prefix?.sym ?? free(p), delimiterPresent, delimiter, constraints };
}

export type S3Resource = { kind: "object"; key: SymStr } | { kind: "bucket" };

/** The caller: a reviewed role's identity, or another principal (with its Cognito id, if it has one). */
export type Caller = { kind: "identity"; role: RoleUnderReview; who: Identity } | { kind: "foreign"; principal: Exclude<RequestingPrincipal, { kind: "identity-session" }>; who?: Identity };

export interface S3RequestSpec {
  caller: Caller;
  action: { name: string; conditionKeys: string[] };
  resource: S3Resource;
  /** The caller may send anything (free keys, TLS or not) or behaves like the real app (owner). */
  mode: "attacker" | "owner";
  tls: Bool<"main">;
  list?: ListParameters;
  ns: string;
}

/** Keys that describe the principal: fixed by who asks, never chosen by the caller. */
function fixPrincipalKeys(u: Universe, context: ContextModel, caller: Caller): RequestingPrincipal {
  const { target } = u;
  const absent = (...keys: string[]) => keys.forEach((k) => context.fixAbsent(k));
  if (caller.kind === "identity") {
    context.fixSingle("aws:PrincipalArn", true, caller.role.roleArn);
    context.fixSingle("aws:PrincipalAccount", true, target.accountId);
    context.fixSingle("aws:PrincipalType", true, "AssumedRole");
    context.fixSingle("aws:PrincipalIsAWSService", true, "false");
    return { kind: "identity-session", roleArn: caller.role.roleArn, sessionArn: sessionArn(caller.role, target.accountId), accountId: target.accountId };
  }
  const p = caller.principal;
  if (p.kind === "aws") {
    context.fixSingle("aws:PrincipalAccount", true, p.accountId);
    if (p.arn) context.fixSingle("aws:PrincipalArn", true, roleOfSession(p.arn));
    context.fixSingle("aws:PrincipalIsAWSService", true, "false");
  } else if (p.kind === "service") {
    context.fixSingle("aws:PrincipalIsAWSService", true, "true");
    context.fixSingle("aws:PrincipalServiceName", true, p.service);
    absent("aws:PrincipalArn", "aws:PrincipalAccount", "aws:userid");
  } else {
    absent("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalType", "aws:userid", "aws:PrincipalIsAWSService");
  }
  return p;
}

export function s3Request(u: Universe, spec: S3RequestSpec): SymbolicRequest {
  const { z, target } = u;
  const who = spec.caller.who;
  const env: MatchEnv = who
    ? { z, identity: who.id, identityLength: u.idLength, ...(who.text !== undefined ? { identityText: who.text } : {}) }
    : { z, identity: zstr(z, ""), identityLength: u.idLength, identityText: null };
  const context = new ContextModel(z, spec.ns, u.setSize, spec.mode === "attacker" ? "free" : "absent");
  context.fixSingle(TLS_KEY, true, { expr: z.If(spec.tls, zstr(z, "true"), zstr(z, "false")) as Seq<"main">, head: "" });
  if (who) context.fixSingle(IDENTITY_ID_KEY, true, { expr: who.id, head: who.text ?? "", length: u.idLength });
  else context.fixAbsent(IDENTITY_ID_KEY);
  if (spec.caller.kind === "identity") {
    context.fixSingle(AUD_KEY, true, target.identityPoolId);
    context.fixSet(AMR_KEY, SIGNED_IN_AMR.map((value) => ({ present: true, value })));
  } else if (!who) {
    context.fixAbsent(AUD_KEY);
    context.fixAbsent(AMR_KEY);
  }
  const principal = fixPrincipalKeys(u, context, spec.caller);
  const takes = (key: string) => spec.action.conditionKeys.some((k) => k.toLowerCase() === key);
  if (takes(PREFIX_KEY) && spec.list) context.fixSingle(PREFIX_KEY, spec.list.prefixPresent, spec.list.prefixSym);
  else context.fixAbsent(PREFIX_KEY);
  if (takes(DELIMITER_KEY) && spec.list) context.fixSingle(DELIMITER_KEY, spec.list.delimiterPresent, free(spec.list.delimiter));
  else context.fixAbsent(DELIMITER_KEY);
  const bucket = target.bucketName;
  const part = spec.resource.kind === "object" ? prepend(z, `${bucket}/`, spec.resource.key) : literal(z, bucket);
  return { env, action: spec.action.name, principal: { kind: "s3", principal, ownAccountId: target.accountId }, resource: { segments: ["arn", "aws", "s3", "", ""], part }, context };
}

/** `text` followed by `s`, keeping what is known about `s`'s head. */
function prepend(z: Z3, text: string, s: SymStr): SymStr {
  return {
    ...withHead(z, text, s.expr),
    head: text + s.head,
    ...(s.length !== undefined ? { length: zlength(text) + s.length } : {}),
    parts: s.parts ? [{ kind: "lit", text }, ...s.parts] : [{ kind: "lit", text }, { kind: "free", expr: s.expr }],
  };
}

export interface TrustToken {
  aud: Seq<"main">;
  amr: { present: Bool<"main">; value: Seq<"main"> }[];
}

/** A web-identity token Cognito could present: `aud` always set, `amr` a set of values. */
export function trustRequest(u: Universe, token: TrustToken, ns: string, mode: "attacker" | "owner"): SymbolicRequest {
  const { z } = u;
  const context = new ContextModel(z, ns, u.setSize, mode === "attacker" ? "free" : "absent");
  context.fixSingle(AUD_KEY, true, free(token.aud));
  context.fixSet(AMR_KEY, token.amr.map((m) => ({ present: m.present, value: free(m.value) })));
  // The asker's identity id (`sub`) may come from another pool (another region, another length):
  // it is any value, and a trust policy that uses it as a policy variable is not encoded.
  context.fixSingle(IDENTITY_ID_KEY, true, free(z.String.const(`${ns}|sub`)));
  const env: MatchEnv = { z, identity: z.String.const(`${ns}|sub`), identityLength: NO_FIXED_LENGTH };
  return { env, action: "sts:AssumeRoleWithWebIdentity", principal: { kind: "federated", provider: "cognito-identity.amazonaws.com" }, context };
}

/** Another principal asking to assume the role: a web identity of another provider, or an AWS principal or service. */
export function otherTrustRequest(u: Universe, ns: string, asker: { kind: "federated"; provider: string } | { kind: "aws"; principal: RequestingPrincipal }): SymbolicRequest {
  const { z, target } = u;
  const context = new ContextModel(z, ns, u.setSize, "free");
  // Another provider's tokens carry that provider's keys, never Cognito's.
  for (const key of [AUD_KEY, AMR_KEY, IDENTITY_ID_KEY]) context.fixAbsent(key);
  const env: MatchEnv = { z, identity: zstr(z, ""), identityLength: NO_FIXED_LENGTH, identityText: null };
  if (asker.kind === "federated") {
    const action = /saml/i.test(asker.provider) ? "sts:AssumeRoleWithSAML" : "sts:AssumeRoleWithWebIdentity";
    return { env, action, principal: { kind: "federated", provider: asker.provider.toLowerCase() }, context };
  }
  return { env, action: "sts:AssumeRole", principal: { kind: "trust-aws", principal: asker.principal, ownAccountId: target.accountId }, context };
}
