/**
 * The symbolic requests the properties quantify over: an identity (fixed-length id, as Cognito
 * issues them) acting with its group's role on an object key, on the bucket with a list prefix
 * and delimiter, or assuming the role with a token. Everything the caller controls is a solver
 * variable; what AWS fixes (the identity id in the session, the identity pool in `aud`) is fixed.
 */
import type { Bool, Seq } from "z3-solver";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { sessionArn } from "../engines/local-engine";
import { IDENTITY_ID_KEY } from "../../iam/cognito";
import { ContextModel } from "./context-model";
import type { SymbolicRequest } from "./encode";
import { type Z3, zlength, zstr } from "./solver";
import { free, literal, NO_FIXED_LENGTH, withHead, type MatchEnv, type SymStr } from "./sym-string";

export const TLS_KEY = "aws:SecureTransport";
export const PREFIX_KEY = "s3:prefix";
export const DELIMITER_KEY = "s3:delimiter";
export const AUD_KEY = "cognito-identity.amazonaws.com:aud";
export const AMR_KEY = "cognito-identity.amazonaws.com:amr";
/** What Cognito puts in `amr` for a signed-in user of a user pool. */
export const SIGNED_IN_AMR = ["authenticated", "cognito-idp.amazonaws.com"];

/** `<region>:` plus a 36-character uuid. */
export const identityIdLength = (region: string) => region.length + 1 + 36;

export interface Identity {
  id: Seq<"main">;
  /** Its folder, `<prefix>/<id>/`, as a string with a known length. */
  folder: SymStr;
}

export interface Universe {
  z: Z3;
  target: ReviewTarget;
  idLength: number;
  /** Members per free multi-valued key. */
  setSize: (key: string) => number;
  /** Identity ids a counterexample is first tried with (Cognito's format, easy to read). */
  realisticIds: [string, string];
  /** Another identity pool's id, for trust counterexamples. */
  otherPoolId: string;
  /**
   * Some policy conditions on `s3:delimiter`. When none does, a listing's delimiter cannot change
   * its decision, and leaving it out returns the most names, so listings are modelled without one.
   */
  delimiterMatters: boolean;
}

export function identity(u: Universe, name: string): { identity: Identity; constraints: Bool<"main">[] } {
  const { z } = u;
  const id = z.String.const(name);
  const head = `${u.target.prefix}/`;
  const folder: SymStr = { expr: zstr(z, head).concat(id).concat("/"), head, length: zlength(head) + u.idLength + 1 };
  // Length and region only: the uuid's exact format made every query time out.
  const region = `${u.target.region}:`;
  return { identity: { id, folder }, constraints: [id.length().eq(u.idLength), id.extract(0, region.length).eq(zstr(z, region))] };
}

/** `s` starts with the identity's folder. */
export function underFolder(u: Universe, s: SymStr, who: Identity): Bool<"main"> {
  const { z } = u;
  const head = `${u.target.prefix}/`;
  const at = (o: number, n: number) => s.expr.extract(o, n);
  return z.And(s.expr.length().ge(zlength(head) + u.idLength + 1), at(0, zlength(head)).eq(zstr(z, head)), at(zlength(head), u.idLength).eq(who.id), at(zlength(head) + u.idLength, 1).eq(zstr(z, "/")));
}

/** `s` starts with `<prefix>/` (any folder, or the prefix root). */
export function underPrefix(u: Universe, s: SymStr): Bool<"main"> {
  const head = `${u.target.prefix}/`;
  return u.z.And(s.expr.length().ge(zlength(head)), s.expr.extract(0, zlength(head)).eq(zstr(u.z, head)));
}

export interface ListParameters {
  prefixPresent: Bool<"main">;
  prefix: Seq<"main">;
  delimiterPresent: Bool<"main">;
  delimiter: Seq<"main">;
  /** An absent prefix lists from the start: the prefix is "" then. */
  constraints: Bool<"main">[];
}

export function listParameters(u: Universe, ns: string): ListParameters {
  const { z } = u;
  const prefixPresent = z.Bool.const(`${ns}|prefix?`);
  const prefix = z.String.const(`${ns}|prefix`);
  const delimiterPresent = z.Bool.const(`${ns}|delimiter?`);
  const delimiter = z.String.const(`${ns}|delimiter`);
  const constraints = [z.Implies(z.Not(prefixPresent), prefix.eq(zstr(z, ""))), z.Implies(z.Not(delimiterPresent), delimiter.eq(zstr(z, "")))];
  if (!u.delimiterMatters) constraints.push(z.Not(delimiterPresent));
  return { prefixPresent, prefix, delimiterPresent, delimiter, constraints };
}

export type S3Resource = { kind: "object"; key: Seq<"main"> } | { kind: "bucket" };

export interface S3RequestSpec {
  role: RoleUnderReview;
  action: { name: string; conditionKeys: string[] };
  caller: Identity;
  resource: S3Resource;
  /** The caller may send anything (free keys, TLS or not) or behaves like the real app (owner). */
  mode: "attacker" | "owner";
  tls: Bool<"main">;
  list?: ListParameters;
  ns: string;
}

export function s3Request(u: Universe, spec: S3RequestSpec): SymbolicRequest {
  const { z, target } = u;
  const env: MatchEnv = { z, identity: spec.caller.id, identityLength: u.idLength };
  const context = new ContextModel(z, spec.ns, u.setSize, spec.mode === "attacker" ? "free" : "absent");
  context.fixSingle(TLS_KEY, true, { expr: z.If(spec.tls, zstr(z, "true"), zstr(z, "false")) as Seq<"main">, head: "" });
  context.fixSingle(IDENTITY_ID_KEY, true, { expr: spec.caller.id, head: "", length: u.idLength });
  context.fixSingle(AUD_KEY, true, target.identityPoolId);
  context.fixSet(AMR_KEY, SIGNED_IN_AMR.map((value) => ({ present: true, value })));
  const takes = (key: string) => spec.action.conditionKeys.some((k) => k.toLowerCase() === key);
  if (takes(PREFIX_KEY) && spec.list) context.fixSingle(PREFIX_KEY, spec.list.prefixPresent, free(spec.list.prefix));
  else context.fixAbsent(PREFIX_KEY);
  if (takes(DELIMITER_KEY) && spec.list) context.fixSingle(DELIMITER_KEY, spec.list.delimiterPresent, free(spec.list.delimiter));
  else context.fixAbsent(DELIMITER_KEY);
  const bucket = target.bucketName;
  const part = spec.resource.kind === "object" ? withHead(z, `${bucket}/`, spec.resource.key) : literal(z, bucket);
  return {
    env,
    action: spec.action.name,
    principal: { kind: "role-session", roleArn: spec.role.roleArn, sessionArn: sessionArn(spec.role, target.accountId), accountId: target.accountId },
    resource: { segments: ["arn", "aws", "s3", "", ""], part },
    context,
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
  return { env, action: "sts:AssumeRoleWithWebIdentity", principal: { kind: "cognito-federated" }, context };
}
