/**
 * Property 7: no principal other than the reviewed roles' identities (anonymous, another
 * account, a principal or service the bucket policy names, an identity of another pool) reaches
 * an identity's area or a shared folder, or lists names there. Only the bucket policy can grant
 * such a principal anything here (another account's own policies are assumed to allow it all).
 */
import { foreignPrincipals, statementAdmits, type ForeignPrincipal } from "../../iam/principals";
import type { S3Action } from "../../iam/s3-actions";
import { isOneOf, LISTING_ACTIONS } from "../intent";
import type { ReviewTarget } from "../review-target";
import { areasOf, listingReveals } from "./intent-formulas";
import { areaLabel, casesFor, describeGroup, groupActions, intentClass, type Query } from "./queries";
import { s3Setup, type Placement } from "./s3-setup";

/** The principals property 7 is proved for (empty without a bucket policy: nothing can grant them anything). */
export function foreignPrincipalsOf(target: ReviewTarget): ForeignPrincipal[] {
  if (!target.bucketPolicy) return [];
  return foreignPrincipals(target.bucketPolicy.document.Statement, target.accountId, target.roles.map((r) => r.roleArn));
}

export function foreignQueries(target: ReviewTarget, foreign: ForeignPrincipal, actions: S3Action[]): Query[] {
  const intent = target.intent;
  const admits = (s: Parameters<typeof statementAdmits>[0]) => s.Effect === "Deny" || statementAdmits(s, foreign.principal, target.accountId) === "yes";
  const klass = (a: S3Action) => intentClass(intent, a);
  const caller = { kind: "foreign" as const, foreign };
  const areaCount = 1 + intent.sharedFolders.length;
  const queries: Query[] = [];
  const objectActions = actions.filter((a) => a.scope === "object");
  const listActions = actions.filter((a) => a.scope === "bucket" && isOneOf(a.name, LISTING_ACTIONS));
  for (const group of groupActions(target, undefined, objectActions, klass, admits)) {
    const action = group[0]!;
    for (let i = 0; i < areaCount; i += 1) {
      queries.push({
        property: 7, subject: foreign.label, what: `${describeGroup(group)} in ${areaLabel(intent, i).replace("another identity's", "an identity's")}`, purpose: "violation",
        build: (u) => {
          const area = areasOf(u, intent)[i]!;
          const placement: Placement = area.kind === "shared" ? { kind: "prefix", text: area.prefix } : { kind: "area", shape: area.shape, of: "other" };
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "object", placement });
          return { assertions: [...s.constraints, s.decision.allowed], decode: s.decode, pin: s.pin };
        },
      });
    }
  }
  for (const group of groupActions(target, undefined, listActions, klass, admits)) {
    const action = group[0]!;
    for (let i = 0; i < areaCount; i += 1) {
      queries.push({
        property: 7, subject: foreign.label, what: `${describeGroup(group)} of ${areaLabel(intent, i).replace("another identity's", "an identity's")}`, purpose: "violation", cases: casesFor(target, undefined, action, foreign.principal.kind === "aws"),
        build: (u, placement) => {
          const s = s3Setup({ u, caller, action, mode: "attacker", withOther: true, resource: "bucket", ...(placement ? { placement } : {}) });
          return { assertions: [...s.constraints, s.decision.allowed, listingReveals(u, s.list!, areasOf(u, intent)[i]!, s.other!)], decode: s.decode, pin: s.pin };
        },
      });
    }
  }
  return queries;
}
