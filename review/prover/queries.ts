/**
 * Each property of a reviewed role as solver queries that ask for a bad request: unsat means the
 * property holds for that query. Actions are concrete: the S3 actions are grouped by the
 * statements whose Action covers them (and by what the intent says of them), and one query per
 * group covers the group. Groups no Allow statement covers are denied whatever the request.
 * Keys inside an area are templates (`<prefix>/` + id + `/` + rest), which Z3 decides far faster
 * than a free key constrained by offsets.
 */
import type { Bool, Model } from "z3-solver";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import type { S3Action } from "../../iam/s3-actions";
import type { PolicyStatement } from "../../iam/document";
import { isAccessControlWrite } from "../../iam/s3-actions";
import { isOneOf, LISTING_ACTIONS, sharedObjectActions, type StorageIntent } from "../intent";
import { statementCoversAction } from "./encode";
import { areasOf, intendedBucket, intendedObject, isAllFoldersReadAction, isIntendedListAction, isOwnerAction, listingReveals } from "./intent-formulas";
import { folderShape, PREFIX_KEY, type Universe } from "./requests";
import { keyShapes, prefixShapes } from "./shapes";
import { policiesOf, s3Setup, type ConcreteRequest, type Placement } from "./s3-setup";
import type { PropertyNumber } from "./verdicts";

export type { ConcreteRequest } from "./s3-setup";
export { LISTING_ACTIONS as LIST_ACTIONS };

export interface BuiltQuery {
  assertions: Bool<"main">[];
  decode(model: Model<"main">): ConcreteRequest;
  /** In a pinned universe: the assertions that pin the request to a sample (undefined: it does not fit). */
  pin?(sample: { key?: string; prefix?: string }): Bool<"main">[] | undefined;
}

export interface Query {
  property: PropertyNumber;
  /** The role, or the foreign principal's label, the query is about. */
  subject: string;
  /** What the query covers, in words. */
  what: string;
  /** "violation": sat is a counterexample. "intended": sat shows an intended cross-folder grant is reachable. */
  purpose: "violation" | "intended";
  /**
   * Where the free key or list prefix can lie for the request to be allowed (shapes.ts): the
   * symbolic query is asked once per case (all unsat: unsat; one sat: sat). Absent: asked whole.
   */
  cases?: Placement[];
  build(u: Universe, placement?: Placement): BuiltQuery;
}

/** Cases for a query whose key (object) or list prefix (bucket) is free; undefined when it stays free. */
export function casesFor(target: ReviewTarget, role: RoleUnderReview | undefined, action: S3Action, callerHasId: boolean): Placement[] | undefined {
  const policies = policiesOf(target, role);
  const shapes = action.scope === "object" ? keyShapes(policies, action.name, target.bucketName) : prefixShapes(policies, action.name, action.conditionKeys.some((k) => k.toLowerCase() === PREFIX_KEY));
  if (shapes === "free") return undefined;
  // A caller without an identity id cannot match `${…:sub}` without a default.
  return shapes.filter((head) => callerHasId || head.every((t) => t.kind === "literal" || t.default !== undefined)).map((head) => ({ kind: "head", head }));
}

/** Actions grouped by the statements that cover them (and a caller-given class); groups no Allow covers are dropped. */
export function groupActions(target: ReviewTarget, role: RoleUnderReview | undefined, actions: S3Action[], classOf: (a: S3Action) => string, admits: (s: PolicyStatement) => boolean = () => true): S3Action[][] {
  const groups = new Map<string, S3Action[]>();
  for (const action of actions) {
    const covering = policiesOf(target, role).flatMap(({ policy }, p) => policy.document.Statement.flatMap((s, i) => (statementCoversAction(s, action.name) && admits(s) ? [{ key: `${p}.${i}`, allow: s.Effect === "Allow" }] : [])));
    if (!covering.some((c) => c.allow)) continue;
    const key = `${classOf(action)}|${covering.map((c) => c.key).join(",")}`;
    groups.set(key, [...(groups.get(key) ?? []), action]);
  }
  return [...groups.values()];
}

export const describeGroup = (group: S3Action[]) => (group.length === 1 ? group[0]!.name : `${group[0]!.name} and ${group.length - 1} more with the same statements`);

/** What the intent says of an action, so that one query's verdict holds for its whole group. */
export function intentClass(intent: StorageIntent, a: S3Action): string {
  return [a.scope, isOwnerAction(intent, a.name), isAllFoldersReadAction(a.name), isIntendedListAction(a.name), isAccessControlWrite(a.name), a.conditionKeys.join(","), ...intent.sharedFolders.map((f) => isOneOf(a.name, sharedObjectActions(f)))].join("|");
}

export function s3Queries(target: ReviewTarget, role: RoleUnderReview, actions: S3Action[]): Query[] {
  const queries: Query[] = [];
  const intent = target.intent;
  const objectActions = actions.filter((a) => a.scope === "object");
  const bucketActions = actions.filter((a) => a.scope === "bucket");
  const listActions = bucketActions.filter((a) => isOneOf(a.name, LISTING_ACTIONS));
  const klass = (a: S3Action) => intentClass(intent, a);
  const read = role.readAllFolders;
  const subject = role.group;
  const caller = { kind: "identity" as const, role };
  const areas = (u: Universe) => areasOf(u, intent);
  const areaCount = 1 + intent.sharedFolders.length;

  // 1. Objects in another identity's areas (or a shared folder) beyond what the intent grants.
  for (const group of groupActions(target, role, objectActions, klass)) {
    const action = group[0]!;
    for (let i = 0; i < areaCount; i += 1) {
      queries.push({
        property: 1, subject, what: `${describeGroup(group)} in ${areaLabel(intent, i)}`, purpose: "violation",
        build: (u) => {
          const area = areas(u)[i]!;
          const placement: Placement = area.kind === "shared" ? { kind: "prefix", text: area.prefix } : { kind: "area", shape: area.shape, of: "other" };
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "object", placement });
          // TLS is not what makes a request cross-identity: a missing TLS deny is property 5's (a warning).
          return { assertions: [...s.constraints, s.decision.allowed, u.z.Not(intendedObject(u, intent, action.name, s.caller, s.keySym!, u.z.Bool.val(true), read))], decode: s.decode, pin: s.pin };
        },
      });
    }
    if (read && isAllFoldersReadAction(action.name)) {
      queries.push({
        property: 1, subject, what: `${action.name} in another identity's folder (group-wide read)`, purpose: "intended",
        build: (u) => {
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "object", placement: { kind: "area", shape: folderShape(u), of: "other" } });
          return { assertions: [...s.constraints, s.decision.allowed, intendedObject(u, intent, action.name, s.caller, s.keySym!, s.tls, read)], decode: s.decode, pin: s.pin };
        },
      });
    }
  }

  // 2. Listings that return names in another identity's areas (or an unlistable shared folder).
  for (const group of groupActions(target, role, listActions, klass)) {
    const action = group[0]!;
    for (let i = 0; i < areaCount; i += 1) {
      const shared = i > 0 ? intent.sharedFolders[i - 1]! : undefined;
      if (shared && !shared.perIdentity && shared.access.includes("list") && isIntendedListAction(action.name)) continue;
      queries.push({
        property: 2, subject, what: `${describeGroup(group)} of ${areaLabel(intent, i)}`, purpose: "violation", cases: casesFor(target, role, action, true),
        build: (u, placement) => {
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "bucket", ...(placement ? { placement } : {}) });
          const area = areas(u)[i]!;
          return { assertions: [...s.constraints, s.decision.allowed, listingReveals(u, s.list!, area, s.other!), u.z.Not(intendedBucket(u, intent, action.name, s.caller, s.list, u.z.Bool.val(true), read))], decode: s.decode, pin: s.pin };
        },
      });
    }
    if (read && isIntendedListAction(action.name)) {
      queries.push({
        property: 2, subject, what: `${action.name} of another identity's folder (group-wide read)`, purpose: "intended",
        build: (u) => {
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "bucket" });
          return { assertions: [...s.constraints, s.decision.allowed, listingReveals(u, s.list!, areas(u)[0]!, s.other!), intendedBucket(u, intent, action.name, s.caller, s.list, s.tls, read)], decode: s.decode, pin: s.pin };
        },
      });
    }
  }

  // 3. The owner (a reader, every identity in a shared folder) is refused something the intent grants.
  const owned = (u: Universe) => [folderShape(u), ...intent.sharedFolders.flatMap((f) => (f.perIdentity ? [f.perIdentity] : []))];
  for (const action of [...objectActions, ...listActions]) {
    const isList = action.scope === "bucket";
    const places: { label: string; at: (u: Universe) => Placement }[] = [];
    if (isOwnerAction(intent, action.name)) {
      owned({ target } as Universe).forEach((_, j) => places.push({ label: j === 0 ? "the caller's own folder" : `the caller's own ${intent.sharedFolders.filter((f) => f.perIdentity)[j - 1]!.keyPrefix}`, at: (u) => ({ kind: "area", shape: owned(u)[j]!, of: "caller" }) }));
    }
    for (const f of intent.sharedFolders) {
      const granted = isList ? isIntendedListAction(action.name) && f.access.includes("list") : isOneOf(action.name, sharedObjectActions(f));
      if (granted && !f.perIdentity) places.push({ label: `the shared folder ${f.keyPrefix}`, at: () => ({ kind: "prefix", text: f.keyPrefix }) });
    }
    if (read && (isList ? isIntendedListAction(action.name) : isAllFoldersReadAction(action.name))) places.push({ label: `anywhere under ${target.prefix}/`, at: (u) => ({ kind: "prefix", text: folderShape(u).before }) });
    for (const place of places) {
      queries.push({
        property: 3, subject, what: `${action.name} ${isList ? "with a prefix inside" : "in"} ${place.label}`, purpose: "violation",
        build: (u) => {
          const s = s3Setup({ u, caller, action, mode: "owner", withOther: false, resource: isList ? "bucket" : "object", placement: place.at(u) });
          return { assertions: [...s.constraints, u.z.Not(s.decision.allowed)], decode: s.decode, pin: s.pin };
        },
      });
    }
  }

  // 5. Anything else allowed on the bucket or its objects (warnings); 6. ACL and policy writes (findings).
  for (const group of groupActions(target, role, [...objectActions, ...bucketActions], klass)) {
    const action = group[0]!;
    const resource = action.scope === "object" ? "object" : "bucket";
    const property: PropertyNumber = isAccessControlWrite(action.name, target.aclsDisabled) ? 6 : 5;
    queries.push({
      property, subject, what: describeGroup(group), purpose: "violation", cases: casesFor(target, role, action, true),
      build: (u, placement) => {
        const s = s3Setup({ u, caller, action, mode: "attacker", withOther: false, resource, ...(placement ? { placement } : {}) });
        if (property === 6) return { assertions: [...s.constraints, s.decision.allowed], decode: s.decode, pin: s.pin };
        const intended = resource === "object" ? intendedObject(u, intent, action.name, s.caller, s.keySym!, s.tls, read) : intendedBucket(u, intent, action.name, s.caller, s.list, s.tls, read);
        return { assertions: [...s.constraints, s.decision.allowed, u.z.Not(intended)], decode: s.decode, pin: s.pin };
      },
    });
  }
  return queries;
}

export const areaLabel = (intent: StorageIntent, i: number) => (i === 0 ? "another identity's folder" : `${intent.sharedFolders[i - 1]!.perIdentity ? "another identity's " : "the shared folder "}${intent.sharedFolders[i - 1]!.keyPrefix}`);
