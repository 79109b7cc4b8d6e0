/**
 * Each property as solver queries that ask for a bad request: unsat means the property holds for
 * that query. Actions are concrete: the S3 actions are grouped by the statements whose Action
 * covers them (and by what the intent says of them), and one query per group covers the group.
 * Groups no Allow statement covers are denied whatever the request, and need no query.
 */
import type { Bool, Model, Seq } from "z3-solver";
import type { NamedPolicy, ReviewTarget, RoleUnderReview } from "../review-target";
import type { S3Action } from "../../iam/s3-actions";
import type { ContextModel } from "./context-model";
import type { DocumentUse } from "../../iam/document";
import { encodeDecision, statementCoversAction, type SymbolicRequest } from "./encode";
import { intendedBucket, intendedObject, isAllFoldersReadAction, isIntendedListAction, isOwnerObjectAction, listingReveals } from "./intent-formulas";
import { AMR_KEY, AUD_KEY, DELIMITER_KEY, identity, listParameters, PREFIX_KEY, s3Request, SIGNED_IN_AMR, TLS_KEY, trustRequest, underFolder, underPrefix, type Universe } from "./requests";
import { free } from "./sym-string";
import type { PropertyNumber } from "./verdicts";
import { zstr } from "./solver";

/** The concrete request decoded from a model, before replay. */
export type ConcreteRequest =
  | { kind: "s3"; callerId: string; otherId?: string; action: string; resourceArn: string; key?: string; listPrefix?: string; delimiter?: string; context: Record<string, string | string[]>; absent: string[] }
  | { kind: "trust"; context: Record<string, string | string[]>; absent: string[] };

export interface BuiltQuery {
  assertions: Bool<"main">[];
  decode(model: Model<"main">): ConcreteRequest;
  /**
   * Concrete requests (ids in Cognito's format, the matrix's keys and prefixes) as assertions
   * that pin every variable. Tried before the symbolic query: Z3 decides a pinned query in
   * milliseconds, while building a model with free 46-character ids takes it seconds. They only
   * find counterexamples sooner; a proof always comes from the symbolic query.
   */
  candidates: Bool<"main">[][];
  /** Pins only the identity ids to Cognito-format values (the rest stays free). */
  pinIds: Bool<"main">[];
}

export interface Query {
  property: PropertyNumber;
  role: RoleUnderReview;
  /** What the query covers, in words. */
  what: string;
  /** "violation": sat is a counterexample. "intended": sat shows an intended cross-folder grant is reachable. */
  purpose: "violation" | "intended";
  build(u: Universe): BuiltQuery;
}

export const LIST_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

const policiesOf = (target: ReviewTarget, role: RoleUnderReview): { policy: NamedPolicy; kind: DocumentUse }[] => [
  ...role.identityPolicies.map((policy) => ({ policy, kind: "identity" as const })),
  ...(target.bucketPolicy ? [{ policy: target.bucketPolicy, kind: "resource" as const }] : []),
];

/** Actions grouped by the statements that cover them (and a caller-given class); groups no Allow covers are dropped. */
export function groupActions(target: ReviewTarget, role: RoleUnderReview, actions: S3Action[], classOf: (a: S3Action) => string): S3Action[][] {
  const groups = new Map<string, S3Action[]>();
  for (const action of actions) {
    const covering = policiesOf(target, role).flatMap(({ policy }, p) => policy.document.Statement.flatMap((s, i) => (statementCoversAction(s, action.name) ? [{ key: `${p}.${i}`, allow: s.Effect === "Allow" }] : [])));
    if (!covering.some((c) => c.allow)) continue;
    const key = `${classOf(action)}|${covering.map((c) => c.key).join(",")}`;
    groups.set(key, [...(groups.get(key) ?? []), action]);
  }
  return [...groups.values()];
}

const describeGroup = (group: S3Action[]) => (group.length === 1 ? group[0]!.name : `${group[0]!.name} and ${group.length - 1} more with the same statements`);

function str(model: Model<"main">, e: Seq<"main">): string {
  // Z3 writes characters outside printable ASCII as \u{…}.
  return (model.eval(e, true) as Seq<"main">).asString().replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}
const bool = (model: Model<"main">, e: Bool<"main">) => String(model.eval(e, true)) === "true";

/** Free condition keys the solver set, and those it left absent. */
function freeContext(model: Model<"main">, context: ContextModel): { context: Record<string, string | string[]>; absent: string[] } {
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

/** One concrete request, as values for the setup's variables ({A, B} are `realisticIds`). */
interface Candidate {
  key?: string;
  prefix?: string;
  delimiter?: string;
  tls: boolean;
}

/** Keys and list prefixes worth trying first: the matrix's, around the folders of A and B. */
function candidateValues(u: Universe, resource: "object" | "bucket", mode: "attacker" | "owner"): Candidate[] {
  const [A, B] = u.realisticIds;
  const p = u.target.prefix;
  const tlsValues = mode === "owner" ? [true] : [true, false];
  if (resource === "object") {
    // Including the folder's name without its slash, and a name that merely starts with it.
    const keys = [`${p}/${B}/report.pdf`, `${p}/${B}/`, `${p}/${A}/report.pdf`, `${p}/report.pdf`, "report.pdf", `other/${A}/report.pdf`, `${p}/${A}`, `${p}/${A}x/report.pdf`];
    return tlsValues.flatMap((tls) => keys.map((key) => ({ key, tls })));
  }
  const prefixes = [`${p}/${A}/`, `${p}/${A}/docs/`, `${p}/${B}/`, `${p}/${B}`, `${p}/${A}`, `${p}/${A}x`, p, `${p}/`, "", undefined];
  const delimiters = u.delimiterMatters ? [undefined, "/"] : [undefined];
  return tlsValues.flatMap((tls) => prefixes.flatMap((prefix) => delimiters.map((delimiter) => ({ tls, ...(prefix !== undefined ? { prefix } : {}), ...(delimiter ? { delimiter } : {}) }))));
}

interface S3Setup {
  u: Universe;
  role: RoleUnderReview;
  action: S3Action;
  mode: "attacker" | "owner";
  withOther: boolean;
  resource: "object" | "bucket";
}

/** Caller (and other identity), key or list parameters, TLS, and the decision for one action. */
function s3Setup(s: S3Setup) {
  const { u, role, action } = s;
  const { z, target } = u;
  const caller = identity(u, "a");
  const other = s.withOther ? identity(u, "b") : undefined;
  const key = z.String.const("key");
  const tls = s.mode === "owner" ? z.Bool.val(true) : z.Bool.const("tls");
  const list = s.resource === "bucket" ? listParameters(u, "list") : undefined;
  const request: SymbolicRequest = s3Request(u, {
    role,
    action,
    caller: caller.identity,
    resource: s.resource === "object" ? { kind: "object", key } : { kind: "bucket" },
    mode: s.mode,
    tls,
    ...(list ? { list } : {}),
    ns: "request",
  });
  const decision = encodeDecision(request, policiesOf(target, role));
  const constraints = [...caller.constraints, ...(other ? [...other.constraints, z.Not(caller.identity.id.eq(other.identity.id))] : []), ...(list?.constraints ?? [])];
  const takes = (k: string) => action.conditionKeys.some((c) => c.toLowerCase() === k);
  const decode = (model: Model<"main">): ConcreteRequest => {
    const fromFree = freeContext(model, request.context);
    const context: Record<string, string | string[]> = { [TLS_KEY]: bool(model, tls) ? "true" : "false", ...fromFree.context };
    const absent = [...fromFree.absent];
    let listPrefix: string | undefined;
    let delimiter: string | undefined;
    if (list && takes(PREFIX_KEY) && bool(model, list.prefixPresent)) context[PREFIX_KEY] = listPrefix = str(model, list.prefix);
    else absent.push(PREFIX_KEY);
    if (list && takes(DELIMITER_KEY) && bool(model, list.delimiterPresent)) context[DELIMITER_KEY] = delimiter = str(model, list.delimiter);
    else absent.push(DELIMITER_KEY);
    const objectKey = s.resource === "object" ? str(model, key) : undefined;
    return {
      kind: "s3",
      callerId: str(model, caller.identity.id),
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
  const pin = (c: Candidate): Bool<"main">[] => {
    const ids = u.realisticIds;
    const out = [caller.identity.id.eq(zstr(z, ids[0])), ...(other ? [other.identity.id.eq(zstr(z, ids[1]))] : [])];
    out.push(s.mode === "owner" ? z.Bool.val(c.tls) : (tls as Bool<"main">).eq(z.Bool.val(c.tls)));
    if (s.resource === "object") out.push(key.eq(zstr(z, c.key ?? "")));
    if (list) {
      out.push(c.prefix === undefined ? z.Not(list.prefixPresent) : z.And(list.prefixPresent, list.prefix.eq(zstr(z, c.prefix))));
      out.push(c.delimiter === undefined ? z.Not(list.delimiterPresent) : z.And(list.delimiterPresent, list.delimiter.eq(zstr(z, c.delimiter))));
    }
    for (const k of request.context.freeKeys.values()) out.push(...(k.kind === "single" ? [z.Not(k.present)] : k.members.map((m) => z.Not(m.present))));
    return out;
  };
  const pinIds = [caller.identity.id.eq(zstr(z, u.realisticIds[0])), ...(other ? [other.identity.id.eq(zstr(z, u.realisticIds[1]))] : [])];
  return { caller: caller.identity, other: other?.identity, key, tls, list, decision, constraints, decode, candidates: candidateValues(u, s.resource, s.mode).map(pin), pinIds };
}

export function s3Queries(target: ReviewTarget, role: RoleUnderReview, actions: S3Action[]): Query[] {
  const queries: Query[] = [];
  const objectActions = actions.filter((a) => a.scope === "object");
  const bucketActions = actions.filter((a) => a.scope === "bucket");
  const listActions = bucketActions.filter((a) => LIST_ACTIONS.includes(a.name));
  const objectClass = (a: S3Action) => `${isOwnerObjectAction(a.name)}|${isAllFoldersReadAction(a.name)}`;
  const bucketClass = (a: S3Action) => `${isIntendedListAction(a.name)}|${a.conditionKeys.join(",")}`;
  const read = role.readAllFolders;

  // 1. Objects in another identity's folder (beyond an intended group-wide read).
  for (const group of groupActions(target, role, objectActions, objectClass)) {
    const action = group[0]!;
    const setup = (u: Universe) => s3Setup({ u, role, action, mode: "attacker", withOther: true, resource: "object" });
    queries.push({
      property: 1, role, what: describeGroup(group), purpose: "violation",
      build: (u) => {
        const s = setup(u);
        // Without group-wide read, nothing in another folder is intended (ids have one length, so
        // folders are disjoint); the conjunct would only slow the solver down.
        const intended = read ? [u.z.Not(intendedObject(u, action.name, s.caller, s.key, s.tls, read))] : [];
        return { assertions: [...s.constraints, s.decision.allowed, underFolder(u, free(s.key), s.other!), ...intended], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
      },
    });
    if (read && isAllFoldersReadAction(action.name)) {
      queries.push({
        property: 1, role, what: `${action.name} in another identity's folder (group-wide read)`, purpose: "intended",
        build: (u) => {
          const s = setup(u);
          return { assertions: [...s.constraints, s.decision.allowed, underFolder(u, free(s.key), s.other!), intendedObject(u, action.name, s.caller, s.key, s.tls, read)], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
        },
      });
    }
  }

  // 2. Listings that return names in another identity's folder.
  for (const group of groupActions(target, role, listActions, bucketClass)) {
    const action = group[0]!;
    const setup = (u: Universe) => s3Setup({ u, role, action, mode: "attacker", withOther: true, resource: "bucket" });
    const reveal = (u: Universe, s: ReturnType<typeof setup>) => listingReveals(u, s.list!, s.other!);
    queries.push({
      property: 2, role, what: describeGroup(group), purpose: "violation",
      build: (u) => {
        const s = setup(u);
        // As for objects: without group-wide read, no intended listing reaches another folder.
        const intended = read ? [u.z.Not(intendedBucket(u, action.name, s.caller, s.list, s.tls, read))] : [];
        return { assertions: [...s.constraints, s.decision.allowed, reveal(u, s), ...intended], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
      },
    });
    if (read && isIntendedListAction(action.name)) {
      queries.push({
        property: 2, role, what: `${action.name} of another identity's folder (group-wide read)`, purpose: "intended",
        build: (u) => {
          const s = setup(u);
          return { assertions: [...s.constraints, s.decision.allowed, reveal(u, s), intendedBucket(u, action.name, s.caller, s.list, s.tls, read)], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
        },
      });
    }
  }

  // 3. The owner (and a group-wide reader) is refused something the intent grants.
  const ownerObject = objectActions.filter((a) => isOwnerObjectAction(a.name) || (read && isAllFoldersReadAction(a.name)));
  for (const action of ownerObject) {
    const scopes = [...(isOwnerObjectAction(action.name) ? ["own folder"] : []), ...(read && isAllFoldersReadAction(action.name) ? ["prefix"] : [])];
    for (const scope of scopes) {
      queries.push({
        property: 3, role, what: `${action.name} ${scope === "own folder" ? "in the caller's own folder" : `anywhere under ${target.prefix}/`}`, purpose: "violation",
        build: (u) => {
          const s = s3Setup({ u, role, action, mode: "owner", withOther: false, resource: "object" });
          const where = scope === "own folder" ? underFolder(u, free(s.key), s.caller) : underPrefix(u, free(s.key));
          return { assertions: [...s.constraints, where, u.z.Not(s.decision.allowed)], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
        },
      });
    }
  }
  const listBucket = listActions.find((a) => isIntendedListAction(a.name));
  if (listBucket) {
    for (const scope of read ? ["own folder", "prefix"] : ["own folder"]) {
      queries.push({
        property: 3, role, what: `${listBucket.name} with a prefix ${scope === "own folder" ? "inside the caller's own folder" : `under ${target.prefix}/`}`, purpose: "violation",
        build: (u) => {
          const s = s3Setup({ u, role, action: listBucket, mode: "owner", withOther: false, resource: "bucket" });
          const p = free(s.list!.prefix);
          const where = scope === "own folder" ? underFolder(u, p, s.caller) : underPrefix(u, p);
          return { assertions: [...s.constraints, s.list!.prefixPresent, where, u.z.Not(s.decision.allowed)], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
        },
      });
    }
  }

  // 5. Anything on the bucket or its objects that the intent does not grant.
  for (const group of groupActions(target, role, [...objectActions, ...bucketActions], (a) => `${a.scope}|${a.scope === "object" ? objectClass(a) : bucketClass(a)}`)) {
    const action = group[0]!;
    const resource = action.scope === "object" ? "object" : "bucket";
    queries.push({
      property: 5, role, what: describeGroup(group), purpose: "violation",
      build: (u) => {
        const s = s3Setup({ u, role, action, mode: "attacker", withOther: false, resource });
        const intended = resource === "object" ? intendedObject(u, action.name, s.caller, s.key, s.tls, read) : intendedBucket(u, action.name, s.caller, s.list, s.tls, read);
        return { assertions: [...s.constraints, s.decision.allowed, u.z.Not(intended)], decode: s.decode, candidates: s.candidates, pinIds: s.pinIds };
      },
    });
  }
  return queries;
}

/** Token contents and the replay context for a trust request. */
function trustSetup(u: Universe, role: RoleUnderReview, mode: "attacker" | "owner") {
  const { z, target } = u;
  const members = Math.max(u.setSize(AMR_KEY.toLowerCase()), 1) + 1;
  const aud = z.String.const("aud");
  const amr = Array.from({ length: members }, (_, i) => ({ present: z.Bool.const(`amr#${i}?`), value: z.String.const(`amr#${i}`) }));
  const request = trustRequest(u, { aud, amr }, "token", mode);
  const decision = encodeDecision(request, [{ policy: role.trustPolicy!, kind: "trust" }]);
  const decode = (model: Model<"main">): ConcreteRequest => {
    const fromFree = freeContext(model, request.context);
    const amrValues = [...new Set(amr.filter((m) => bool(model, m.present)).map((m) => str(model, m.value)))];
    return {
      kind: "trust",
      context: { [AUD_KEY]: str(model, aud), ...(amrValues.length ? { [AMR_KEY]: amrValues } : {}), ...fromFree.context },
      absent: [...(amrValues.length ? [] : [AMR_KEY]), ...fromFree.absent],
    };
  };
  const exactly = (values: string[]) => amr.map((m, i) => (i < values.length ? z.And(m.present, m.value.eq(zstr(z, values[i]!))) : z.Not(m.present)));
  // For candidates: the asker's id, and every free key absent.
  const pinRest = () => [
    request.env.identity.eq(zstr(z, u.realisticIds[0])),
    ...[...request.context.freeKeys.values()].flatMap((k) => (k.kind === "single" ? [z.Not(k.present)] : k.members.map((m) => z.Not(m.present)))),
  ];
  return { aud, amr, decision, decode, exactly, pinRest, pool: target.identityPoolId };
}

export function trustQueries(target: ReviewTarget, role: RoleUnderReview): Query[] {
  if (!role.trustPolicy) return [];
  return [
    {
      property: 4, role, what: "sts:AssumeRoleWithWebIdentity with a token from another identity pool, or this pool's unauthenticated identity", purpose: "violation",
      build: (u) => {
        const { z } = u;
        const s = trustSetup(u, role, "attacker");
        const otherPool = z.Not(s.aud.eq(zstr(z, s.pool)));
        const guest = z.And(s.aud.eq(zstr(z, s.pool)), ...s.exactly(["unauthenticated"]));
        const tokens = [
          [s.aud.eq(zstr(z, u.otherPoolId)), ...s.exactly(SIGNED_IN_AMR)],
          [s.aud.eq(zstr(z, s.pool)), ...s.exactly(["unauthenticated"])],
          [s.aud.eq(zstr(z, u.otherPoolId)), ...s.exactly(["unauthenticated"])],
        ];
        return { assertions: [s.decision.allowed, z.Or(otherPool, guest)], decode: s.decode, candidates: tokens.map((t) => [...t, ...s.pinRest()]), pinIds: [] };
      },
    },
    {
      property: 3, role, what: `sts:AssumeRoleWithWebIdentity by a signed-in identity of this pool (amr ${SIGNED_IN_AMR.join(", ")})`, purpose: "violation",
      build: (u) => {
        const { z } = u;
        const s = trustSetup(u, role, "owner");
        return { assertions: [s.aud.eq(zstr(z, s.pool)), ...s.exactly(SIGNED_IN_AMR), z.Not(s.decision.allowed)], decode: s.decode, candidates: [s.pinRest()], pinIds: [] };
      },
    },
  ];
}

/** Whether any condition in the documents reads `s3:delimiter`. */
export function conditionsRead(documents: NamedPolicy[], key: string): boolean {
  return documents.some(({ document }) => document.Statement.some((s) => Object.values(s.Condition ?? {}).some((block) => Object.keys(block).some((k) => k.toLowerCase() === key.toLowerCase()))));
}

/** How many set operators each condition key appears with, over the documents (sizes free multi-valued keys). */
export function setOperatorCounts(documents: NamedPolicy[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { document } of documents) {
    for (const s of document.Statement) {
      for (const [operator, block] of Object.entries(s.Condition ?? {})) {
        if (!/^for(any|all)values?:/i.test(operator)) continue;
        for (const key of Object.keys(block)) counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
      }
    }
  }
  return counts;
}

