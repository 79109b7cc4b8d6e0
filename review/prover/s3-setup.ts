/**
 * One S3 query's setup: the caller (a reviewed role's identity, or another principal), the other
 * identity whose data must stay out of reach, the key (free, or a template inside an area) or
 * the list parameters, TLS, the decision for one action, and how to read a model back as a
 * concrete request.
 */
import { withoutOverriddenAllows } from "./deny-cover";
import type { Bool, Model, Seq } from "z3-solver";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";
import type { S3Action } from "../../iam/s3-actions";
import type { DocumentUse } from "../../iam/document";
import type { ForeignPrincipal } from "../../iam/principals";
import type { ContextModel } from "./context-model";
import { encodeDecision } from "./encode";
import type { Head } from "./shapes";
import { DELIMITER_KEY, headTemplate, identity, listParameters, PREFIX_KEY, s3Request, templateOf, TLS_KEY, type AreaShape, type Caller, type Identity, type ListParameters, type Universe } from "./requests";
import { free, withHead, type SymStr } from "./sym-string";
import { zstr } from "./solver";

/** The concrete request decoded from a model, before replay. */
export type ConcreteRequest =
  | { kind: "s3"; callerId?: string; foreign?: ForeignPrincipal; otherId?: string; action: string; resourceArn: string; key?: string; listPrefix?: string; delimiter?: string; context: Record<string, string | string[]>; absent: string[] }
  | { kind: "trust"; action: string; asker?: string; context: Record<string, string | string[]>; absent: string[] };

const evaluations = new WeakMap<ReviewTarget, Map<RoleUnderReview | undefined, { policy: NamedPolicy; kind: DocumentUse }[]>>();

/**
 * The documents that decide a request by the role's sessions (no role: by another principal), as
 * the encoder reads them: Allows that an always-applying Deny overrides are inert (deny-cover.ts).
 */
export function policiesOf(target: ReviewTarget, role: RoleUnderReview | undefined): { policy: NamedPolicy; kind: DocumentUse }[] {
  let byRole = evaluations.get(target);
  if (!byRole) evaluations.set(target, (byRole = new Map()));
  let policies = byRole.get(role);
  if (!policies) {
    policies = withoutOverriddenAllows([
      ...(role ? role.identityPolicies.map((policy) => ({ policy, kind: "identity" as const })) : []),
      ...(target.bucketPolicy ? [{ policy: target.bucketPolicy, kind: "resource" as const }] : []),
    ], target.bucketName);
    byRole.set(role, policies);
  }
  return policies;
}

export function str(model: Model<"main">, e: Seq<"main">): string {
  // Z3 writes characters outside printable ASCII as \u{…}.
  return (model.eval(e, true) as Seq<"main">).asString().replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}
export const bool = (model: Model<"main">, e: Bool<"main">) => String(model.eval(e, true)) === "true";

/** Free condition keys the solver set, and those it left absent. */
export function freeContext(model: Model<"main">, context: ContextModel): { context: Record<string, string | string[]>; absent: string[] } {
  const out: Record<string, string | string[]> = {};
  const absent: string[] = [];
  for (const [name, key] of context.freeKeys) {
    if (key.kind === "single") {
      if (bool(model, key.present)) out[name] = str(model, key.value.expr);
      else absent.push(name);
    } else {
      const values = key.members.filter((m) => bool(model, m.present)).map((m) => str(model, m.value.expr));
      if (values.length) out[name] = values;
      else absent.push(name);
    }
  }
  return { context: out, absent };
}

/** Where the key (or the list prefix) lies: anywhere, or inside an area of `other` / a literal prefix. */
export type Placement = { kind: "free" } | { kind: "area"; shape: AreaShape; of: "caller" | "other" } | { kind: "prefix"; text: string } | { kind: "head"; head: Head };

export interface S3Setup {
  u: Universe;
  /** A reviewed role's identity calls, or another principal. */
  caller: { kind: "identity"; role: RoleUnderReview } | { kind: "foreign"; foreign: ForeignPrincipal };
  action: S3Action;
  mode: "attacker" | "owner";
  withOther: boolean;
  resource: "object" | "bucket";
  /** Where the object key, or the list prefix, lies. */
  placement?: Placement;
}

export function s3Setup(s: S3Setup) {
  const { u, action } = s;
  const { z, target } = u;
  const foreign = s.caller.kind === "foreign" ? s.caller.foreign : undefined;
  // A foreign AWS principal may be a Cognito identity of another pool: its id is "d".
  const callerId = foreign ? (foreign.principal.kind === "aws" ? identity(u, "d") : undefined) : identity(u, "a");
  const other = s.withOther ? identity(u, "b") : undefined;
  const tls = s.mode === "owner" ? z.Bool.val(true) : z.Bool.const("tls");
  const placed = (ns: string): { expr: Seq<"main">; sym: SymStr } => {
    const rest = z.String.const(ns);
    const p = s.placement ?? { kind: "free" };
    if (p.kind === "free") return { expr: rest, sym: free(rest) };
    if (p.kind === "prefix") {
      const sym = withHead(z, p.text, rest);
      return { expr: sym.expr, sym };
    }
    if (p.kind === "head") return headTemplate(u, p.head, callerId?.identity, rest) ?? { expr: rest, sym: free(rest) };
    const who = p.of === "caller" ? callerId!.identity : other!.identity;
    return templateOf(u, p.shape, who, rest);
  };
  const keyed = s.resource === "object" ? placed("key") : undefined;
  const list: ListParameters | undefined = s.resource === "bucket" ? listParameters(u, "list", s.placement && s.placement.kind !== "free" ? placed("list|rest") : undefined) : undefined;
  const caller: Caller = foreign ? { kind: "foreign", principal: foreign.principal, ...(callerId ? { who: callerId.identity } : {}) } : { kind: "identity", role: (s.caller as { role: RoleUnderReview }).role, who: callerId!.identity };
  const request = s3Request(u, { caller, action, resource: keyed ? { kind: "object", key: keyed.sym } : { kind: "bucket" }, mode: s.mode, tls, ...(list ? { list } : {}), ns: "request" });
  const decision = encodeDecision(request, policiesOf(target, s.caller.kind === "identity" ? s.caller.role : undefined));
  const distinct = callerId && other ? [z.Not(callerId.identity.id.eq(other.identity.id))] : [];
  const constraints = [...(callerId?.constraints ?? []), ...(other?.constraints ?? []), ...distinct, ...(list?.constraints ?? [])];
  const takes = (k: string) => action.conditionKeys.some((c) => c.toLowerCase() === k);
  const decode = (model: Model<"main">): ConcreteRequest => {
    const fromFree = freeContext(model, request.context);
    const context: Record<string, string | string[]> = { [TLS_KEY]: bool(model, tls) ? "true" : "false", ...fromFree.context };
    const absent = [...fromFree.absent];
    let listPrefix: string | undefined;
    let delimiter: string | undefined;
    if (list && bool(model, list.prefixPresent)) listPrefix = str(model, list.prefix);
    if (list && takes(PREFIX_KEY) && listPrefix !== undefined) context[PREFIX_KEY] = listPrefix;
    else absent.push(PREFIX_KEY);
    if (list && takes(DELIMITER_KEY) && bool(model, list.delimiterPresent)) context[DELIMITER_KEY] = delimiter = str(model, list.delimiter);
    else absent.push(DELIMITER_KEY);
    const objectKey = keyed ? str(model, keyed.expr) : undefined;
    return {
      kind: "s3",
      ...(callerId ? { callerId: str(model, callerId.identity.id) } : {}),
      ...(foreign ? { foreign } : {}),
      ...(other ? { otherId: str(model, other.identity.id) } : {}),
      action: action.name,
      resourceArn: `arn:aws:s3:::${target.bucketName}${objectKey !== undefined ? `/${objectKey}` : ""}`,
      ...(objectKey !== undefined ? { key: objectKey } : {}),
      ...(listPrefix !== undefined ? { listPrefix } : {}),
      ...(delimiter !== undefined ? { delimiter } : {}),
      context,
      absent,
    };
  };
  /** Pins the key (or list prefix) to a sample, every free key absent; undefined when the sample cannot lie where the query puts it. */
  const pin = (c: { key?: string; prefix?: string }): Bool<"main">[] | undefined => {
    const ground = (sym: SymStr, value: string) => {
      const tail = sym.parts?.[sym.parts.length - 1];
      if (!sym.parts || sym.parts.some((p) => p.kind === "var") || tail?.kind !== "free" || !value.startsWith(sym.head)) return undefined;
      return tail.expr.eq(zstr(z, value.slice(sym.head.length)));
    };
    const out: Bool<"main">[] = [];
    if (keyed) {
      const k = c.key === undefined ? undefined : ground(keyed.sym, c.key);
      if (!k) return undefined;
      out.push(k);
    }
    if (list) {
      if (c.prefix === undefined) out.push(z.Not(list.prefixPresent));
      else {
        const p = ground(list.prefixSym, c.prefix);
        if (!p) return undefined;
        out.push(list.prefixPresent, p);
      }
      out.push(z.Not(list.delimiterPresent));
    }
    for (const k of request.context.freeKeys.values()) out.push(...(k.kind === "single" ? [z.Not(k.present)] : k.members.map((m) => z.Not(m.present))));
    return out;
  };
  return { caller: callerId?.identity as Identity, other: other?.identity, key: keyed?.expr, keySym: keyed?.sym, tls, list, decision, constraints, decode, pin };
}
