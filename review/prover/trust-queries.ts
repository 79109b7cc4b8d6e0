/**
 * Property 4 (no token from another identity pool, no unauthenticated identity, and no other
 * principal — another web-identity provider, an AWS account, role or service — can assume the
 * role) and the trust half of property 3 (this pool's signed-in identities can).
 */
import type { Model } from "z3-solver";
import { COGNITO_IDENTITY_PRINCIPAL } from "../../iam/cognito";
import { foreignPrincipals, principalEntries } from "../../iam/principals";
import type { ReviewTarget, RoleUnderReview } from "../review-target";
import { encodeDecision } from "./encode";
import type { Query } from "./queries";
import { AMR_KEY, AUD_KEY, otherTrustRequest, SIGNED_IN_AMR, trustRequest, type Universe } from "./requests";
import { bool, freeContext, str, type ConcreteRequest } from "./s3-setup";
import { zstr } from "./solver";

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
      action: "sts:AssumeRoleWithWebIdentity",
      context: { [AUD_KEY]: str(model, aud), ...(amrValues.length ? { [AMR_KEY]: amrValues } : {}), ...fromFree.context },
      absent: [...(amrValues.length ? [] : [AMR_KEY]), ...fromFree.absent],
    };
  };
  const exactly = (values: string[]) => amr.map((m, i) => (i < values.length ? z.And(m.present, m.value.eq(zstr(z, values[i]!))) : z.Not(m.present)));
  return { aud, amr, decision, decode, exactly, pool: target.identityPoolId };
}

/** Other askers a trust policy names: web-identity providers other than Cognito, AWS principals and services. */
function otherAskers(target: ReviewTarget, role: RoleUnderReview) {
  const statements = role.trustPolicy!.document.Statement;
  // Besides those named, one unnamed provider stands for any other (a `*` principal admits it).
  const providers = new Set(["token.example-provider.com", ...statements.flatMap((s) => principalEntries(s.Principal).flatMap((e) => (e.kind === "federated" && e.provider.toLowerCase() !== COGNITO_IDENTITY_PRINCIPAL ? [e.provider.toLowerCase()] : [])))]);
  const aws = foreignPrincipals(statements, target.accountId, []);
  // The bucket's own account may be named too: any of its principals could then assume the role.
  aws.push({ label: `a principal of this account (${target.accountId})`, principal: { kind: "aws", accountId: target.accountId, arn: `arn:aws:sts::${target.accountId}:assumed-role/other/session` } });
  return [...[...providers].map((provider) => ({ label: `a web identity of ${provider}`, asker: { kind: "federated" as const, provider } })), ...aws.map((f) => ({ label: f.label, asker: { kind: "aws" as const, principal: f.principal } }))];
}

export function trustQueries(target: ReviewTarget, role: RoleUnderReview): Query[] {
  if (!role.trustPolicy) return [];
  const subject = role.group;
  const queries: Query[] = [
    {
      property: 4, subject, what: "sts:AssumeRoleWithWebIdentity with a token from another identity pool, or this pool's unauthenticated identity", purpose: "violation",
      build: (u) => {
        const { z } = u;
        const s = trustSetup(u, role, "attacker");
        const otherPool = u.pinned ? s.aud.eq(zstr(z, u.otherPoolId)) : z.Not(s.aud.eq(zstr(z, s.pool)));
        const guest = z.And(s.aud.eq(zstr(z, s.pool)), ...s.exactly(["unauthenticated"]));
        return { assertions: [s.decision.allowed, z.Or(otherPool, guest)], decode: s.decode };
      },
    },
    {
      property: 3, subject, what: `sts:AssumeRoleWithWebIdentity by a signed-in identity of this pool (amr ${SIGNED_IN_AMR.join(", ")})`, purpose: "violation",
      build: (u) => {
        const s = trustSetup(u, role, "owner");
        return { assertions: [s.aud.eq(zstr(u.z, s.pool)), ...s.exactly(SIGNED_IN_AMR), u.z.Not(s.decision.allowed)], decode: s.decode };
      },
    },
  ];
  for (const { label, asker } of otherAskers(target, role)) {
    queries.push({
      property: 4, subject, what: `assuming the role as ${label}`, purpose: "violation",
      build: (u) => {
        const request = otherTrustRequest(u, "other", asker);
        const decision = encodeDecision(request, [{ policy: role.trustPolicy!, kind: "trust" }]);
        const decode = (model: Model<"main">): ConcreteRequest => {
          const free = freeContext(model, request.context);
          return { kind: "trust", action: request.action, asker: label, context: free.context, absent: free.absent };
        };
        return { assertions: [decision.allowed], decode };
      },
    });
  }
  return queries;
}
